//===- LinalgBuilder.cpp - Helpers of more than one family ----------------===//
#include "LinalgBuilder.h"

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

Value mlir::cscc::expandToNchw(LinalgBuilder &l, Value v, RankedTensorType type,
                               Value like) {
  SmallVector<ReassociationIndices> groups{{0}, {1, 2, 3}};
  SmallVector<OpFoldResult> shape{
      OpFoldResult(l.batchOf(like)),
      l.b.getIndexAttr(type.getDimSize(1)), l.b.getIndexAttr(1),
      l.b.getIndexAttr(1)};
  return tensor::ExpandShapeOp::create(l.b, l.loc, type, v, groups, shape);
}
