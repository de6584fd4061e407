//===- Normalization.cpp - Batch norm to linalg ---------------------------===//
//
// Evaluation mode is one elementwise generic. Training mode reduces the
// batch statistics per channel (linalg.generic with reduction iterators
// over N, H, W), normalises with them elementwise and updates the running
// statistics; its backward pass is in Gradients.cpp.
//
//===----------------------------------------------------------------------===//
#include "LinalgBuilder.h"

#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::cscc;

namespace {

using utils::IteratorType;

/// (x - mean) / sqrt(var + eps) * w + b with per-channel vectors, or
/// (x - mean) * inv_std * w + b when `isVar` is false.
Value normalize(LinalgBuilder &l, RankedTensorType type, Value x, Value w,
                Value bias, Value mean, Value invStdOrVar, bool isVar,
                double eps) {
  Type elem = type.getElementType();
  return l.elementwise(
      type, x, {x, w, bias, mean, invStdOrVar},
      {l.identity(4), l.channel(w), l.channel(bias), l.channel(mean),
       l.channel(invStdOrVar)},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value centered = arith::SubFOp::create(nb, nl, a[0], a[3]);
        Value norm;
        if (isVar) {
          Value e = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, eps));
          Value sd = math::SqrtOp::create(
              nb, nl, arith::AddFOp::create(nb, nl, a[4], e));
          norm = arith::DivFOp::create(nb, nl, centered, sd);
        } else {
          norm = arith::MulFOp::create(nb, nl, centered, a[4]);
        }
        return arith::AddFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, norm, a[1]), a[2]);
      });
}

struct BatchNormEvalLowering : CstToLinalgPattern<cst::BatchNormEvalOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::BatchNormEvalOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    Value y = normalize(l, type, in.getInput(), in.getWeight(), in.getBias(),
                        in.getRunningMean(), in.getRunningVar(),
                        /*isVar=*/true, op.getEps().convertToDouble());
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct BatchNormTrainLowering : CstToLinalgPattern<cst::BatchNormTrainOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::BatchNormTrainOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    auto vecType = cast<RankedTensorType>(op.getRunningMean().getType());
    Type elem = type.getElementType();
    Value x = in.getInput();
    SmallVector<IteratorType> iters{
        IteratorType::reduction, IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction};
    AffineMap toChannel =
        AffineMap::get(4, 0, l.b.getAffineDimExpr(1), l.b.getContext());
    // count = N H W
    Value count = arith::MulFOp::create(
        l.b, l.loc, l.batchAsFloat(x, elem),
        l.constFloat(elem, double(type.getDimSize(2) * type.getDimSize(3))));
    // Synchronised: the global batch's count and sums, every replica's
    // share added (cst.replica_sum), so that every replica computes the
    // statistics one process would on the whole batch.
    const bool sync = op.getSync();
    auto overReplicas = [&](Value v) -> Value {
      return sync ? cst::ReplicaSumOp::create(l.b, l.loc, v).getResult() : v;
    };
    if (sync) {
      Value one = tensor::FromElementsOp::create(
          l.b, l.loc, RankedTensorType::get({1}, elem), ValueRange{count});
      Value zero = arith::ConstantIndexOp::create(l.b, l.loc, 0);
      count = tensor::ExtractOp::create(l.b, l.loc, overReplicas(one),
                                        ValueRange{zero});
    }
    Value sum = overReplicas(
        l.reduce({x}, {l.identity(4)}, {l.filled(vecType, x, 0.0)},
                 {toChannel}, iters,
                 [](OpBuilder &nb, Location nl, ValueRange a) {
                   return SmallVector<Value>{
                       arith::AddFOp::create(nb, nl, a[1], a[0])};
                 })[0]);
    auto perChannel = [&](Value v,
                          function_ref<Value(OpBuilder &, Location, Value)> f) {
      return l.elementwise(vecType, v, {v}, {l.identity(1)},
                           [&](OpBuilder &nb, Location nl, ValueRange a) {
                             return f(nb, nl, a[0]);
                           });
    };
    Value mean =
        perChannel(sum, [&](OpBuilder &nb, Location nl, Value s) -> Value {
          return arith::DivFOp::create(nb, nl, s, count);
        });
    Value sq = overReplicas(
        l.reduce({x, mean}, {l.identity(4), toChannel},
                 {l.filled(vecType, x, 0.0)}, {toChannel}, iters,
                 [](OpBuilder &nb, Location nl, ValueRange a) {
                   Value d = arith::SubFOp::create(nb, nl, a[0], a[1]);
                   return SmallVector<Value>{arith::AddFOp::create(
                       nb, nl, a[2], arith::MulFOp::create(nb, nl, d, d))};
                 })[0]);
    double eps = op.getEps().convertToDouble();
    double m = op.getMomentum().convertToDouble();
    Value var =
        perChannel(sq, [&](OpBuilder &nb, Location nl, Value s) -> Value {
          return arith::DivFOp::create(nb, nl, s, count);
        });
    Value invStd =
        perChannel(var, [&](OpBuilder &nb, Location nl, Value v) -> Value {
          Value e =
              arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, eps));
          Value one =
              arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
          return arith::DivFOp::create(
              nb, nl, one,
              math::SqrtOp::create(nb, nl,
                                   arith::AddFOp::create(nb, nl, v, e)));
        });
    Value y = normalize(l, type, x, in.getWeight(), in.getBias(), mean,
                        invStd, /*isVar=*/false, eps);
    // Running statistics: r <- (1 - m) r + m s, the variance unbiased.
    auto update = [&](Value running, Value stat, bool unbias) {
      return l.elementwise(
          vecType, running, {running, stat}, {l.identity(1), l.identity(1)},
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            Value s = a[1];
            if (unbias) {
              Value one =
                  arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
              s = arith::DivFOp::create(
                  nb, nl, arith::MulFOp::create(nb, nl, s, count),
                  arith::MaximumFOp::create(
                      nb, nl, arith::SubFOp::create(nb, nl, count, one), one));
            }
            Value keep = arith::ConstantOp::create(
                nb, nl, nb.getFloatAttr(elem, 1.0 - m));
            Value take =
                arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, m));
            return arith::AddFOp::create(
                nb, nl, arith::MulFOp::create(nb, nl, a[0], keep),
                arith::MulFOp::create(nb, nl, s, take));
          });
    };
    Value newMean = update(in.getRunningMean(), mean, false);
    Value newVar = update(in.getRunningVar(), var, true);
    // In the order of the op's results.
    rewriter.replaceOp(op, ValueRange{y, newMean, newVar, mean, invStd});
    return success();
  }
};

} // namespace

void mlir::cscc::populateCstNormalizationToLinalgPatterns(
    RewritePatternSet &patterns, const BatchSizes &batches) {
  patterns.add<BatchNormEvalLowering, BatchNormTrainLowering>(
      patterns.getContext(), batches);
}
