//===- Views.cpp - Channel and pixel views to tensor slices ---------------===//
//
// Concatenation, channel slices and the option-A shortcut move no
// arithmetic: they are tensor.insert_slice / extract_slice, which
// bufferization turns into views of one buffer. The adjoints (embed,
// shortcut_grad) are in Gradients.cpp.
//
//===----------------------------------------------------------------------===//
#include "LinalgBuilder.h"

#include "dialects/cst/IR/CstDialect.h"

using namespace mlir;
using namespace mlir::cscc;

namespace {

/// Channel slice [offset, offset + size) of an activation, all of N, H, W:
/// returns the offsets and sets `sizes`.
SmallVector<OpFoldResult> channelWindow(LinalgBuilder &l, Value batchOf,
                                        int64_t offset, int64_t size,
                                        RankedTensorType t,
                                        SmallVector<OpFoldResult> &sizes) {
  Value n = l.batchOf(batchOf);
  sizes = {n, l.b.getIndexAttr(size), l.b.getIndexAttr(t.getDimSize(2)),
           l.b.getIndexAttr(t.getDimSize(3))};
  return {l.b.getIndexAttr(0), l.b.getIndexAttr(offset), l.b.getIndexAttr(0),
          l.b.getIndexAttr(0)};
}

/// Each input inserted at its channel offset into one tensor.empty.
struct ConcatLowering : CstToLinalgPattern<cst::ConcatOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::ConcatOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    Value out = l.empty(type, in.getInputs()[0]);
    int64_t offset = 0;
    SmallVector<OpFoldResult> ones(4, l.b.getIndexAttr(1));
    for (Value input : in.getInputs()) {
      int64_t c = cast<RankedTensorType>(input.getType()).getDimSize(1);
      SmallVector<OpFoldResult> sizes;
      auto offsets = channelWindow(l, input, offset, c, type, sizes);
      out = tensor::InsertSliceOp::create(l.b, l.loc, input, out, offsets,
                                          sizes, ones);
      offset += c;
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct SliceLowering : CstToLinalgPattern<cst::SliceOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::SliceOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> sizes, ones(4, l.b.getIndexAttr(1));
    auto offsets = channelWindow(l, in.getInput(), op.getOffset(),
                                 type.getDimSize(1), type, sizes);
    rewriter.replaceOp(op, tensor::ExtractSliceOp::create(
                               l.b, l.loc, type, in.getInput(), offsets,
                               sizes, ones));
    return success();
  }
};

/// Every stride-th pixel (a strided extract_slice), placed in the first
/// channels of zeros when the output has more channels.
struct ShortcutLowering : CstToLinalgPattern<cst::ShortcutOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::ShortcutOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    Value x = in.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t s = op.getStride();
    auto sub = RankedTensorType::get({ShapedType::kDynamic, xt.getDimSize(1),
                                      type.getDimSize(2), type.getDimSize(3)},
                                     type.getElementType());
    Value n = l.batchOf(x);
    auto I = [&](int64_t v) -> OpFoldResult { return l.b.getIndexAttr(v); };
    Value picked = tensor::ExtractSliceOp::create(
        l.b, l.loc, sub, x, SmallVector<OpFoldResult>{I(0), I(0), I(0), I(0)},
        SmallVector<OpFoldResult>{n, I(xt.getDimSize(1)),
                                  I(type.getDimSize(2)), I(type.getDimSize(3))},
        SmallVector<OpFoldResult>{I(1), I(1), I(s), I(s)});
    if (type.getDimSize(1) == xt.getDimSize(1)) {
      rewriter.replaceOp(op, picked);
      return success();
    }
    Value out = l.filled(type, x, 0.0);
    rewriter.replaceOp(
        op, tensor::InsertSliceOp::create(
                l.b, l.loc, picked, out,
                SmallVector<OpFoldResult>{I(0), I(0), I(0), I(0)},
                SmallVector<OpFoldResult>{n, I(xt.getDimSize(1)),
                                          I(type.getDimSize(2)),
                                          I(type.getDimSize(3))},
                SmallVector<OpFoldResult>{I(1), I(1), I(1), I(1)}));
    return success();
  }
};

} // namespace

void mlir::cscc::populateCstViewsToLinalgPatterns(RewritePatternSet &patterns,
                                                  const BatchSizes &batches) {
  patterns.add<ConcatLowering, SliceLowering, ShortcutLowering>(
      patterns.getContext(), batches);
}
