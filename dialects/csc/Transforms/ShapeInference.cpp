//===- ShapeInference.cpp - csc-infer-shapes ------------------------------===//
//
// Toy chapter 4's mechanism: ops declare their shape rule through the
// ShapeInference interface; the pass only decides the order. A model body is
// one block in SSA form, so program order already visits producers first.
//
//===----------------------------------------------------------------------===//
#include "dialects/csc/IR/CscDialect.h"
#include "dialects/csc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::csc {
#define GEN_PASS_DEF_CSCINFERSHAPES
#include "dialects/csc/Transforms/Passes.h.inc"
} // namespace mlir::csc

using namespace mlir;
using namespace mlir::csc;

namespace {

struct ShapeInferencePass
    : public mlir::csc::impl::CscInferShapesBase<ShapeInferencePass> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    WalkResult walk = f.walk([](Operation *op) {
      if (auto shaped = dyn_cast<ShapeInference>(op))
        if (failed(shaped.inferShapes()))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // Every activation must now have a rank; anything else is an op without
    // a shape rule feeding the model.
    walk = f.walk([](Operation *op) {
      for (Value r : op->getResults())
        if (isa<UnrankedTensorType>(r.getType())) {
          op->emitOpError("result shape could not be inferred; the op has no "
                          "shape rule or reads an unshaped value");
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // The function's results follow its return.
    if (f.isExternal())
      return;
    Operation *ret = f.getBody().back().getTerminator();
    f.setType(FunctionType::get(&getContext(), f.getArgumentTypes(),
                                ret->getOperandTypes()));
  }
};

} // namespace

std::unique_ptr<Pass> mlir::csc::createShapeInferencePass() {
  return std::make_unique<ShapeInferencePass>();
}
