//===- ResultsToDestinations.cpp - cscc-results-to-destinations -----------===//
//
// The caller owns every output: each tensor result of a public function is
// written into an argument appended for it, so that after bufferization
// the runtime allocates the outputs, with the batch size it chose.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCRESULTSTODESTINATIONS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct ResultsToDestinationsPass
    : mlir::cscc::impl::CsccResultsToDestinationsBase<
          ResultsToDestinationsPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal() || fn.isPrivate())
        continue;
      auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
      OpBuilder b(ret);
      SmallVector<Value> results;
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        if (!isa<RankedTensorType>(v.getType())) { // already a buffer
          results.push_back(v);
          continue;
        }
        unsigned index = fn.getNumArguments();
        NamedAttrList attrs;
        attrs.append("bufferization.writable", b.getBoolAttr(true));
        attrs.append("cscc.result", b.getI64IntegerAttr(i));
        (void)fn.insertArgument(index, v.getType(),
                                attrs.getDictionary(&getContext()),
                                ret.getLoc());
        results.push_back(bufferization::MaterializeInDestinationOp::create(
                              b, ret.getLoc(), v, fn.getArgument(index))
                              .getResult());
      }
      func::ReturnOp::create(b, ret.getLoc(), results);
      ret.erase();
      // The entry's ABI: each memref is passed as a pointer to its
      // descriptor, so one packed call fits any number of parameters.
      fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    }
  }
};

} // namespace
