//===- DropDestinationResults.cpp - cscc-drop-destination-results ---------===//
//
// After bufferization, a public function stops returning the buffers the
// caller gave it (the `cscc.result` arguments of
// cscc-results-to-destinations): it would hand back descriptors the caller
// already has.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCDROPDESTINATIONRESULTS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct DropDestinationResultsPass
    : mlir::cscc::impl::CsccDropDestinationResultsBase<
          DropDestinationResultsPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
      SmallVector<Value> kept;
      for (Value v : ret.getOperands()) {
        auto arg = dyn_cast<BlockArgument>(v);
        if (!arg || !fn.getArgAttr(arg.getArgNumber(), "cscc.result"))
          kept.push_back(v);
      }
      OpBuilder b(ret);
      func::ReturnOp::create(b, ret.getLoc(), kept);
      ret.erase();
      fn.setType(FunctionType::get(&getContext(), fn.getArgumentTypes(),
                                   ValueRange(kept).getTypes()));
    }
  }
};

} // namespace
