//===- Pooling.cpp - Pooling to linalg's pooling ops ----------------------===//
//
// Max and average pooling are linalg's NCHW pooling ops on a padded
// tensor (-inf padding for the max, zeros for the average, which counts
// them); global average pooling is a sum over H, W. Their adjoints are in
// Gradients.cpp.
//
//===----------------------------------------------------------------------===//
#include "LinalgBuilder.h"

#include "dialects/cst/IR/CstDialect.h"

#include <limits>

using namespace mlir;
using namespace mlir::cscc;

namespace {

using utils::IteratorType;

/// Zero (or -inf) padding of H and W.
Value padSpatial(LinalgBuilder &l, Value x, int64_t p, double value) {
  if (p == 0)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  auto padded = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), type.getDimSize(2) + 2 * p,
       type.getDimSize(3) + 2 * p},
      type.getElementType());
  SmallVector<OpFoldResult> low{l.b.getIndexAttr(0), l.b.getIndexAttr(0),
                                l.b.getIndexAttr(p), l.b.getIndexAttr(p)};
  return tensor::PadOp::create(l.b, l.loc, padded, x, low, low,
                               l.constFloat(type.getElementType(), value));
}

Value lowerPool(LinalgBuilder &l, Value x, RankedTensorType type, int64_t k,
                int64_t s, int64_t p, bool isMax) {
  Type elem = type.getElementType();
  double lowest = -std::numeric_limits<double>::infinity();
  Value padded = padSpatial(l, x, p, isMax ? lowest : 0.0);
  Value init = l.filled(type, x, isMax ? lowest : 0.0);
  Value window =
      tensor::EmptyOp::create(l.b, l.loc, ArrayRef<int64_t>{k, k}, elem);
  auto strides = l.b.getI64TensorAttr({s, s});
  auto dilations = l.b.getI64TensorAttr({1, 1});
  if (isMax)
    return linalg::PoolingNchwMaxOp::create(l.b, l.loc, TypeRange{type},
                                            ValueRange{padded, window},
                                            ValueRange{init}, strides,
                                            dilations)
        .getResult(0);
  Value sum = linalg::PoolingNchwSumOp::create(l.b, l.loc, TypeRange{type},
                                               ValueRange{padded, window},
                                               ValueRange{init}, strides,
                                               dilations)
                  .getResult(0);
  double inv = 1.0 / double(k * k); // padding counted, as PyTorch's default
  return l.elementwise(
      type, x, {sum}, {l.identity(4)},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        return arith::MulFOp::create(
            nb, nl, a[0],
            arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, inv)));
      });
}

struct MaxPoolLowering : CstToLinalgPattern<cst::MaxPoolOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::MaxPoolOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    rewriter.replaceOp(op, lowerPool(l, in.getInput(),
                                     cast<RankedTensorType>(op.getType()),
                                     op.getKernel(), op.getStride(),
                                     op.getPadding(), /*isMax=*/true));
    return success();
  }
};

struct AvgPoolLowering : CstToLinalgPattern<cst::AvgPoolOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::AvgPoolOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    rewriter.replaceOp(op, lowerPool(l, in.getInput(),
                                     cast<RankedTensorType>(op.getType()),
                                     op.getKernel(), op.getStride(),
                                     op.getPadding(), /*isMax=*/false));
    return success();
  }
};

/// The mean over H, W: a sum into [N, C], scaled, expanded to [N, C, 1, 1].
struct GlobalAvgPoolLowering : CstToLinalgPattern<cst::GlobalAvgPoolOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::GlobalAvgPoolOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    Value x = in.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    auto xt = cast<RankedTensorType>(x.getType());
    Type elem = type.getElementType();
    auto flat =
        RankedTensorType::get({ShapedType::kDynamic, type.getDimSize(1)}, elem);
    AffineMap toNC = AffineMap::get(
        4, 0, {l.b.getAffineDimExpr(0), l.b.getAffineDimExpr(1)},
        l.b.getContext());
    Value sum = l.reduce({x}, {l.identity(4)}, {l.filled(flat, x, 0.0)},
                         {toNC},
                         {IteratorType::parallel, IteratorType::parallel,
                          IteratorType::reduction, IteratorType::reduction},
                         [](OpBuilder &nb, Location nl, ValueRange a) {
                           return SmallVector<Value>{
                               arith::AddFOp::create(nb, nl, a[1], a[0])};
                         })[0];
    double inv = 1.0 / double(xt.getDimSize(2) * xt.getDimSize(3));
    Value mean = l.elementwise(
        flat, sum, {sum}, {l.identity(2)},
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::MulFOp::create(
              nb, nl, a[0],
              arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, inv)));
        });
    rewriter.replaceOp(op, expandToNchw(l, mean, type, x));
    return success();
  }
};

} // namespace

void mlir::cscc::populateCstPoolingToLinalgPatterns(
    RewritePatternSet &patterns, const BatchSizes &batches) {
  patterns.add<MaxPoolLowering, AvgPoolLowering, GlobalAvgPoolLowering>(
      patterns.getContext(), batches);
}
