//===- LinalgBuilder.cpp - Helpers of more than one family ----------------===//
#include "LinalgBuilder.h"

#include <limits>

using namespace mlir;
using namespace mlir::cscc;

Value mlir::cscc::signOf(OpBuilder &nb, Location nl, Value x) {
  Type elem = x.getType();
  Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
  Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
  Value minus = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, -1.0));
  Value pos = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, x, zero);
  Value neg = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(
      nb, nl, pos, one, arith::SelectOp::create(nb, nl, neg, minus, zero));
}

LogitRows mlir::cscc::logitRows(LinalgBuilder &l, Value logits) {
  auto type = cast<RankedTensorType>(logits.getType());
  Type elem = type.getElementType();
  LogitRows r;
  r.rowsType =
      RankedTensorType::get({ShapedType::kDynamic, type.getDimSize(1)}, elem);
  r.rows = tensor::CollapseShapeOp::create(
      l.b, l.loc, r.rowsType, logits,
      SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  r.rowType = RankedTensorType::get({ShapedType::kDynamic}, elem);
  r.nk = l.identity(2);
  r.nOnly = AffineMap::get(2, 0, l.b.getAffineDimExpr(0), l.b.getContext());
  r.rowIters = {utils::IteratorType::parallel, utils::IteratorType::reduction};
  double lowest = -std::numeric_limits<double>::infinity();
  r.rowMax = l.reduce({r.rows}, {r.nk}, {l.filled(r.rowType, r.rows, lowest)},
                      {r.nOnly}, r.rowIters,
                      [](OpBuilder &nb, Location nl, ValueRange a) {
                        return SmallVector<Value>{
                            arith::MaximumFOp::create(nb, nl, a[1], a[0])};
                      })[0];
  return r;
}

Value mlir::cscc::expandToNchw(LinalgBuilder &l, Value v, RankedTensorType type,
                               Value like) {
  SmallVector<ReassociationIndices> groups{{0}, {1, 2, 3}};
  SmallVector<OpFoldResult> shape{
      OpFoldResult(l.batchOf(like)),
      l.b.getIndexAttr(type.getDimSize(1)), l.b.getIndexAttr(1),
      l.b.getIndexAttr(1)};
  return tensor::ExpandShapeOp::create(l.b, l.loc, type, v, groups, shape);
}
