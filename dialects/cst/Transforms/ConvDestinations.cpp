//===- ConvDestinations.cpp - Destinations for the convolutions -----------===//
//
// cscc-conv-destinations: every convolution op gets `into %empty`, so that
// One-Shot Bufferize (after eliminate-empty-tensors) can have the kernel
// write where its result is going (a concatenation's slice, a result
// argument) rather than into a new buffer copied there afterwards.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/Transforms/Passes.h"
#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/TypeSwitch.h"

namespace mlir::cst {
#define GEN_PASS_DEF_CSTCONVDESTINATIONS
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst

using namespace mlir;

namespace {

struct ConvDestinationsPass
    : mlir::cst::impl::CstConvDestinationsBase<ConvDestinationsPass> {
  template <typename ConvOp> static void addDestination(ConvOp conv) {
    if (conv.getInit())
      return;
    OpBuilder b(conv);
    auto type = cast<RankedTensorType>(conv.getOutput().getType());
    // Only the batch may be dynamic (the verifier's rule); it is the
    // first operand's.
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(tensor::DimOp::create(b, conv.getLoc(), conv.getLhs(), 0));
    Value empty = tensor::EmptyOp::create(b, conv.getLoc(), type.getShape(),
                                          type.getElementType(), sizes);
    conv.getInitMutable().assign(empty);
  }

  void runOnOperation() override {
    getOperation().walk([](Operation *op) {
      llvm::TypeSwitch<Operation *>(op)
          .Case<cst::ConvOp, cst::ConvTransposeOp, cst::ConvFilterGradOp>(
              [](auto conv) { addDestination(conv); });
    });
  }
};

} // namespace
