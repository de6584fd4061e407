//===- ExpandDictionaries.cpp - D^T and D from the blocks of a dictionary -===//
//
// Each dictionary op emits its own analysis and synthesis through the
// DictionaryLowering interface, so a new kind of block needs no change here.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/CscToCst/DictionaryLowering.h"
#include "cscc/Conversion/Passes.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCEXPANDDICTIONARIES
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct ExpandDictionariesPass
    : mlir::cscc::impl::CscExpandDictionariesBase<ExpandDictionariesPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    SmallVector<Operation *> uses;
    fn.walk([&](Operation *op) {
      if (isa<csc::AnalysisOp, csc::SynthesisOp>(op))
        uses.push_back(op);
    });
    for (Operation *op : uses) {
      OpBuilder b(op);
      Value dict = op->getOperand(0);
      auto def = dict.getDefiningOp<csc::DictionaryOp>();
      if (!def) {
        op->emitOpError("needs its dictionary built by csc dictionary ops");
        return signalPassFailure();
      }
      auto lowering = dyn_cast<cscc::DictionaryLowering>(def.getOperation());
      if (!lowering) {
        def->emitOpError("has no lowering to the cst dialect: attach a "
                         "DictionaryLowering model to it "
                         "(registerDictionaryLoweringModels)");
        return signalPassFailure();
      }
      Value result =
          isa<csc::AnalysisOp>(op)
              ? lowering.buildAnalysis(b, op->getLoc(), op->getOperand(1))
              : lowering.buildSynthesis(
                    b, op->getLoc(), op->getOperand(1),
                    cast<RankedTensorType>(op->getResult(0).getType()));
      op->getResult(0).replaceAllUsesWith(result);
      op->erase();
    }
    // Dictionary values have no use left: erase them, outermost first.
    SmallVector<Operation *> dicts;
    fn.walk([&](csc::DictionaryOp op) { dicts.push_back(op); });
    for (Operation *op : llvm::reverse(dicts))
      if (op->use_empty())
        op->erase();
  }
};

} // namespace
