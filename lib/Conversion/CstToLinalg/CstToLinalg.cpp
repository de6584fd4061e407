//===- CstToLinalg.cpp - The cst-lower-to-linalg pass ---------------------===//
//
// Everything between convolutions becomes linalg on tensors, one
// conversion pattern per cst op, in files by family (PopulatePatterns.h).
// The convolutions stay: they bufferize to the runtime's kernel calls.
// Any other cst op left behind fails the pass with the conversion's error
// naming it.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "PopulatePatterns.h"

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSTLOWERTOLINALG
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;
using namespace mlir::cscc;

namespace {

/// tensor.dim of the function's first argument (the input batch), made at
/// its entry, for each function that has such an input and an op to lower.
BatchSizes batchSizesOf(ModuleOp module, const ConversionTarget &target) {
  BatchSizes batches;
  module.walk([&](func::FuncOp fn) {
    if (fn.isExternal() || fn.getNumArguments() == 0)
      return;
    auto in = dyn_cast<RankedTensorType>(fn.getArgument(0).getType());
    if (!in || in.getRank() != 4 || !in.isDynamicDim(0))
      return;
    bool lowersAnOp = fn.walk([&](Operation *op) {
                          return target.isIllegal(op) ? WalkResult::interrupt()
                                                      : WalkResult::advance();
                        }).wasInterrupted();
    if (!lowersAnOp)
      return;
    OpBuilder b(&fn.getBody().front(), fn.getBody().front().begin());
    batches[fn] = tensor::DimOp::create(b, fn.getLoc(), fn.getArgument(0), 0);
  });
  return batches;
}

struct CstLowerToLinalgPass
    : mlir::cscc::impl::CstLowerToLinalgBase<CstLowerToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect,
                           bufferization::BufferizationDialect,
                           func::FuncDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.addIllegalDialect<cst::CstDialect>();
    // The convolutions and the collectives stay: they bufferize to the
    // runtime's kernel calls.
    target.addLegalOp<cst::ConvOp, cst::ConvTransposeOp,
                      cst::ConvFilterGradOp, cst::ReplicaMeanOp,
                      cst::ReplicaSumOp, cst::ReplicaMeanStartOp,
                      cst::ReplicaMeanWaitOp>();

    BatchSizes batches = batchSizesOf(getOperation(), target);
    HyperSlots hyperSlots;
    RewritePatternSet patterns(ctx);
    populateCstElementwiseToLinalgPatterns(patterns, batches);
    populateCstNormalizationToLinalgPatterns(patterns, batches);
    populateCstPoolingToLinalgPatterns(patterns, batches);
    populateCstViewsToLinalgPatterns(patterns, batches);
    populateCstLinearAndLossToLinalgPatterns(patterns, batches);
    populateCstGradientsToLinalgPatterns(patterns, batches);
    populateCstOptimizerToLinalgPatterns(patterns, batches, hyperSlots);
    // Lowering only: the ops around stay as they are.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
