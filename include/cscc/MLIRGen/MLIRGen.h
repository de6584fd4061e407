//===- MLIRGen.h - Elaborated model to the csc dialect --------------------===//
#ifndef CSCC_MLIRGEN_MLIRGEN_H
#define CSCC_MLIRGEN_MLIRGEN_H

#include "cscc/Frontend/Model.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir {
class MLIRContext;
}

namespace cscc {

/// Builds `func.func @forward(%x, %labels) -> (logits, loss)` in the csc
/// dialect with real source locations. Parameters are `csc.param` values;
/// activation types are unranked until the shape-inference pass runs.
/// Every tensor is f32, or f64 when `f64` is set.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context,
                                          const Model &model,
                                          const SourceManager &sm,
                                          bool f64 = false);

/// Builds `func.func @forward(%v) -> D^T D v` for dictionary `use` of the
/// model (a batch of codes in, the Gram operator applied out), with the
/// dictionary's filters as `csc.param` values of the model's names.
mlir::OwningOpRef<mlir::ModuleOp>
mlirGenDictionaryGram(mlir::MLIRContext &context, const Model &model,
                      const SourceManager &sm, const DictionaryUse &use,
                      bool f64 = false);

} // namespace cscc

#endif
