//===- PopulatePatterns.h - cst -> linalg patterns by family ----*- C++ -*-===//
//
// Private to lib/Conversion/CstToLinalg: each family's file adds one
// conversion pattern per cst op it lowers; the pass (CstToLinalg.cpp)
// collects them and declares what is legal afterwards.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_LIB_CONVERSION_CSTTOLINALG_POPULATEPATTERNS_H
#define CSCC_LIB_CONVERSION_CSTTOLINALG_POPULATEPATTERNS_H

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::cscc {

/// The batch size N of each function (a tensor.dim of its input, made once
/// at its entry), by function. Sizing results from the model input rather
/// than from each op's operand keeps an intermediate value's only use its
/// consumer, which linalg's elementwise fusion requires.
using BatchSizes = llvm::DenseMap<Operation *, Value>;

/// The optimiser updates' hyperparameters read so far, by (vector, slot):
/// each is read once, where the vector is defined.
using HyperSlots = llvm::DenseMap<std::pair<Value, int64_t>, Value>;

/// axpby, scale, bias_add, mul, sign; threshold and its mask.
void populateCstElementwiseToLinalgPatterns(RewritePatternSet &patterns,
                                            const BatchSizes &batches);
/// batch_norm_eval, batch_norm_train.
void populateCstNormalizationToLinalgPatterns(RewritePatternSet &patterns,
                                              const BatchSizes &batches);
/// max_pool, avg_pool, global_avg_pool.
void populateCstPoolingToLinalgPatterns(RewritePatternSet &patterns,
                                        const BatchSizes &batches);
/// concat, slice, shortcut: channel and pixel views.
void populateCstViewsToLinalgPatterns(RewritePatternSet &patterns,
                                      const BatchSizes &batches);
/// linear, softmax_cross_entropy, l1_norm, zero_fraction.
void populateCstLinearAndLossToLinalgPatterns(RewritePatternSet &patterns,
                                              const BatchSizes &batches);
/// The backward-pass ops but mul and sign (elementwise).
void populateCstGradientsToLinalgPatterns(RewritePatternSet &patterns,
                                          const BatchSizes &batches);
/// sgd_update, adam_update.
void populateCstOptimizerToLinalgPatterns(RewritePatternSet &patterns,
                                          const BatchSizes &batches,
                                          HyperSlots &hyperSlots);

} // namespace mlir::cscc

#endif
