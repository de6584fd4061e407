//===- CopyToLinalg.cpp - The cscc-copy-to-linalg pass --------------------===//
//
// memref.copy becomes linalg.copy, a loop nest like every generated op:
// lowered directly, a strided copy would call the C runner library's
// memrefCopy. A copy left behind (an unranked one, which linalg.copy cannot
// take) fails the pass with the conversion's error naming it.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCCOPYTOLINALG
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct CopyLowering : OpConversionPattern<memref::CopyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(memref::CopyOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<MemRefType>(in.getSource().getType()) ||
        !isa<MemRefType>(in.getTarget().getType()))
      return rewriter.notifyMatchFailure(op, "unranked memref");
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, in.getSource(),
                                                in.getTarget());
    return success();
  }
};

struct CopyToLinalgPass
    : mlir::cscc::impl::CsccCopyToLinalgBase<CopyToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<linalg::LinalgDialect>();
    target.addIllegalOp<memref::CopyOp>();
    RewritePatternSet patterns(ctx);
    patterns.add<CopyLowering>(ctx);
    // Lowering only: the ops around stay as they are.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
