//===- VjpOpInterface.cpp - Vector-Jacobian products ----------------------===//
//
// The interface, and its external models for the builtin tensor ops a
// tensor-level model contains: per-channel thresholds of a concatenated
// code are assembled with tensor.insert_slice.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/IR/VjpOpInterface.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::cst;

#include "dialects/cst/IR/VjpOpInterface.cpp.inc"

Primals::~Primals() = default;

namespace {

/// Zeros shaped like the forward value `like` (its dynamic sizes read from
/// it).
Value zerosLike(OpBuilder &b, Location loc, Value like) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, i));
  Value empty = tensor::EmptyOp::create(b, loc, type, dynamic);
  Value zero = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type.getElementType(), 0.0));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// insert_slice(source into dest): the source's gradient is the same slice
/// of the result's gradient; the destination's is the result's gradient
/// with that slice zeroed.
struct InsertSliceVjp
    : public VjpOpInterface::ExternalModel<InsertSliceVjp,
                                           tensor::InsertSliceOp> {
  SmallVector<Value> buildVjp(Operation *op, OpBuilder &b, ValueRange dys,
                              ArrayRef<bool> wanted, Primals &p) const {
    auto ins = cast<tensor::InsertSliceOp>(op);
    SmallVector<Value> g(op->getNumOperands());
    if (!dys[0])
      return g;
    Location loc = op->getLoc();
    if (wanted[0])
      g[0] = tensor::ExtractSliceOp::create(
          b, loc, cast<RankedTensorType>(ins.getSourceType()), dys[0],
          ins.getMixedOffsets(), ins.getMixedSizes(), ins.getMixedStrides());
    if (wanted[1])
      g[1] = tensor::InsertSliceOp::create(
          b, loc, zerosLike(b, loc, p.get(ins.getSource())), dys[0],
          ins.getMixedOffsets(), ins.getMixedSizes(), ins.getMixedStrides());
    return g;
  }
};

/// extract_slice(source): the slice's gradient placed into zeros.
struct ExtractSliceVjp
    : public VjpOpInterface::ExternalModel<ExtractSliceVjp,
                                           tensor::ExtractSliceOp> {
  SmallVector<Value> buildVjp(Operation *op, OpBuilder &b, ValueRange dys,
                              ArrayRef<bool> wanted, Primals &p) const {
    auto ext = cast<tensor::ExtractSliceOp>(op);
    SmallVector<Value> g(op->getNumOperands());
    if (!dys[0] || !wanted[0])
      return g;
    Location loc = op->getLoc();
    g[0] = tensor::InsertSliceOp::create(
        b, loc, dys[0], zerosLike(b, loc, p.get(ext.getSource())),
        ext.getMixedOffsets(), ext.getMixedSizes(), ext.getMixedStrides());
    return g;
  }
};

} // namespace

void mlir::cst::registerVjpExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::InsertSliceOp::attachInterface<InsertSliceVjp>(*ctx);
    tensor::ExtractSliceOp::attachInterface<ExtractSliceVjp>(*ctx);
  });
}
