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

/// Which operator of one dictionary mlirGenDictionaryOperator builds.
enum class DictionaryOperator {
  Gram,      ///< v -> D^T D v on a batch of codes (its lambda_max gives L)
  Synthesis, ///< g -> D g: a batch of codes to the signals they rebuild
};

/// Builds `func.func @forward(%v)` applying `op` of dictionary `use` of
/// the model, with the dictionary's filters as `csc.param` values of the
/// model's names.
mlir::OwningOpRef<mlir::ModuleOp>
mlirGenDictionaryOperator(mlir::MLIRContext &context, const Model &model,
                          const SourceManager &sm, const DictionaryUse &use,
                          DictionaryOperator op, bool f64 = false);

/// Builds `func.func @forward(%x) -> (out, ...)`: the model's forward pass
/// without its loss, returning besides its last tensor the input signal
/// and the code of every layer-wise pursuit (in layer order; a stack's
/// levels are not returned), for measuring how well each code rebuilds its
/// signal (`cscc analyze` with data). A tensor is returned once (a code
/// that is the next pursuit's signal; returning one value twice defeats
/// bufferization): `results` gets, per pursuit, the result indices of its
/// signal and its code.
mlir::OwningOpRef<mlir::ModuleOp>
mlirGenPursuitCodes(mlir::MLIRContext &context, const Model &model,
                    const SourceManager &sm, bool f64,
                    std::vector<std::pair<unsigned, unsigned>> &results);

} // namespace cscc

#endif
