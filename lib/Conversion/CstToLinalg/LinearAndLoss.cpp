//===- LinearAndLoss.cpp - Classifier, losses, measurements to linalg ----===//
//
// The classifier is a reduction over the flattened features (a
// collapse_shape of [N, C, H, W] into [N, C H W]); the losses are row
// reductions of the logits, then a mean over the batch; the zero fraction
// counts in an i64.
//
//===----------------------------------------------------------------------===//
#include "LinalgBuilder.h"

#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace mlir::cscc;

namespace {

using utils::IteratorType;

Value lowerLinear(LinalgBuilder &l, cst::LinearOp op,
                  cst::LinearOp::Adaptor in) {
  Value x = in.getInput();
  auto type = cast<RankedTensorType>(op.getType());
  auto xt = cast<RankedTensorType>(x.getType());
  Type elem = type.getElementType();
  int64_t features = xt.getDimSize(1) * xt.getDimSize(2) * xt.getDimSize(3);
  auto flatX = RankedTensorType::get({ShapedType::kDynamic, features}, elem);
  Value xf = tensor::CollapseShapeOp::create(
      l.b, l.loc, flatX, x, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  auto flatY = RankedTensorType::get({ShapedType::kDynamic, type.getDimSize(1)}, elem);
  // y[n, o] = sum_k x[n, k] w[o, k] (+ bias[o])
  Value init;
  if (in.getBias()) {
    init = l.elementwise(
        flatY, xf, {in.getBias()},
        {AffineMap::get(2, 0, l.b.getAffineDimExpr(1), l.b.getContext())},
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  } else {
    init = l.filled(flatY, xf, 0.0);
  }
  MLIRContext *ctx = l.b.getContext();
  AffineExpr n = l.b.getAffineDimExpr(0), o = l.b.getAffineDimExpr(1),
             k = l.b.getAffineDimExpr(2);
  Value y = l.reduce({xf, in.getWeight()},
                     {AffineMap::get(3, 0, {n, k}, ctx), AffineMap::get(3, 0, {o, k}, ctx)},
                     {init}, {AffineMap::get(3, 0, {n, o}, ctx)},
                     {IteratorType::parallel, IteratorType::parallel,
                      IteratorType::reduction},
                     [](OpBuilder &nb, Location nl, ValueRange a) {
                       return SmallVector<Value>{arith::AddFOp::create(
                           nb, nl, a[2], arith::MulFOp::create(nb, nl, a[0], a[1]))};
                     })[0];
  return expandToNchw(l, y, type, x);
}

Value lowerCrossEntropy(LinalgBuilder &l, cst::SoftmaxCrossEntropyOp op,
                        cst::SoftmaxCrossEntropyOp::Adaptor in) {
  Value z4 = in.getLogits();
  Type elem = cast<RankedTensorType>(z4.getType()).getElementType();
  MLIRContext *ctx = l.b.getContext();
  LogitRows r = logitRows(l, z4);
  Value z = r.rows, rowMax = r.rowMax;
  RankedTensorType rowType = r.rowType;
  AffineMap nk = r.nk, nOnly = r.nOnly;
  ArrayRef<IteratorType> rowIters = r.rowIters;
  // sum_k exp(z - max) and z[n, label[n]] in one pass over the logits.
  auto parts = l.reduce(
      {z, rowMax, in.getLabels()}, {nk, nOnly, nOnly},
      {l.filled(rowType, z, 0.0), l.filled(rowType, z, 0.0)}, {nOnly, nOnly},
      rowIters, [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value e = math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
        Value k = arith::IndexCastOp::create(
            nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, 1));
        Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, k, a[2]);
        Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
        Value picked = arith::SelectOp::create(nb, nl, hit, a[0], zero);
        return SmallVector<Value>{arith::AddFOp::create(nb, nl, a[3], e),
                                  arith::AddFOp::create(nb, nl, a[4], picked)};
      });
  // mean over n of log(sum) + max - z[label]
  auto scalarType = cast<RankedTensorType>(op.getType());
  Value total = l.reduce(
      {parts[0], rowMax, parts[1]}, {l.identity(1), l.identity(1), l.identity(1)},
      {l.filled(scalarType, Value(), 0.0)},
      {AffineMap::get(1, 0, {}, ctx)}, {IteratorType::reduction},
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value v = arith::SubFOp::create(
            nb, nl, arith::AddFOp::create(nb, nl, math::LogOp::create(nb, nl, a[0]), a[1]),
            a[2]);
        return SmallVector<Value>{arith::AddFOp::create(nb, nl, a[3], v)};
      })[0];
  Value n = l.batchAsFloat(z4, elem);
  return l.elementwise(scalarType, Value(), {total}, {l.identity(0)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         return arith::DivFOp::create(nb, nl, a[0], n);
                       });
}

Value lowerL1(LinalgBuilder &l, cst::L1NormOp op, cst::L1NormOp::Adaptor in) {
  Value x = in.getInput();
  auto scalarType = cast<RankedTensorType>(op.getType());
  Type elem = scalarType.getElementType();
  Value sum = l.reduce({x}, {l.identity(4)}, {l.filled(scalarType, Value(), 0.0)},
                       {AffineMap::get(4, 0, {}, l.b.getContext())},
                       SmallVector<IteratorType>(4, IteratorType::reduction),
                       [](OpBuilder &nb, Location nl, ValueRange a) {
                         return SmallVector<Value>{arith::AddFOp::create(
                             nb, nl, a[1], math::AbsFOp::create(nb, nl, a[0]))};
                       })[0];
  Value n = l.batchAsFloat(x, elem);
  double w = op.getWeight().convertToDouble();
  return l.elementwise(scalarType, Value(), {sum}, {l.identity(0)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         Value wv = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, w));
                         return arith::DivFOp::create(
                             nb, nl, arith::MulFOp::create(nb, nl, a[0], wv), n);
                       });
}

/// cst.zero_fraction: the zeros counted exactly in an i64 (a full
/// reduction over every dimension), then count / size in the element type.
/// A dynamic size (the batch) is read at run time.
Value lowerZeroFraction(LinalgBuilder &l, cst::ZeroFractionOp op,
                        cst::ZeroFractionOp::Adaptor in) {
  Value x = in.getInput();
  auto xt = cast<RankedTensorType>(x.getType());
  auto scalarType = cast<RankedTensorType>(op.getType());
  Type elem = scalarType.getElementType();
  int64_t rank = xt.getRank();
  MLIRContext *ctx = l.b.getContext();
  Type i64 = l.b.getI64Type();
  auto countType = RankedTensorType::get({}, i64);
  Value zeroCount = arith::ConstantOp::create(l.b, l.loc, l.b.getI64IntegerAttr(0));
  Value init = linalg::FillOp::create(
                   l.b, l.loc, zeroCount,
                   tensor::EmptyOp::create(l.b, l.loc, countType, ValueRange{}).getResult())
                   .getResult(0);
  Value count = l.reduce({x}, {l.identity(rank)}, {init},
                         {AffineMap::get(rank, 0, {}, ctx)},
                         SmallVector<IteratorType>(rank, IteratorType::reduction),
                         [&](OpBuilder &nb, Location nl, ValueRange a) {
                           Value zero = arith::ConstantOp::create(
                               nb, nl, nb.getFloatAttr(a[0].getType(), 0.0));
                           Value isZero = arith::CmpFOp::create(
                               nb, nl, arith::CmpFPredicate::OEQ, a[0], zero);
                           Value one = arith::ExtUIOp::create(nb, nl, i64, isZero);
                           return SmallVector<Value>{
                               arith::AddIOp::create(nb, nl, a[1], one)};
                         })[0];
  // The number of elements: the static sizes' product times the dynamic
  // ones (an activation's batch is the function's).
  int64_t fixed = 1;
  for (int64_t d : xt.getShape())
    if (!ShapedType::isDynamic(d))
      fixed *= d;
  Value size = l.constIndex(fixed);
  for (int64_t i = 0; i < rank; ++i)
    if (xt.isDynamicDim(i)) {
      Value d = i == 0 && rank == 4
                    ? l.batchOf(x)
                    : Value(tensor::DimOp::create(l.b, l.loc, x, i));
      size = arith::MulIOp::create(l.b, l.loc, size, d);
    }
  Value sizeF = arith::SIToFPOp::create(
      l.b, l.loc, elem, arith::IndexCastOp::create(l.b, l.loc, i64, size));
  return l.elementwise(scalarType, Value(), {count}, {l.identity(0)},
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         Value c = arith::SIToFPOp::create(nb, nl, elem, a[0]);
                         return arith::DivFOp::create(nb, nl, c, sizeF);
                       });
}

} // namespace

void mlir::cscc::populateCstLinearAndLossToLinalgPatterns(
    RewritePatternSet &patterns, const BatchSizes &batches) {
  patterns.add<LowerWith<cst::LinearOp, lowerLinear>,
               LowerWith<cst::SoftmaxCrossEntropyOp, lowerCrossEntropy>,
               LowerWith<cst::L1NormOp, lowerL1>,
               LowerWith<cst::ZeroFractionOp, lowerZeroFraction>>(
      patterns.getContext(), batches);
}
