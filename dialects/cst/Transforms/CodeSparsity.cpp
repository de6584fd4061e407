//===- CodeSparsity.cpp - Return each code's fraction of zeros ------------===//
//
// cst-code-sparsity: for every op of the entry function tagged
// `cst.code = "NAME"` (csc-unfold-pursuits, carried over by
// csc-lower-to-cst), one more result: cst.zero_fraction of the code, with
// the result attribute `cst.sparsity = "NAME"`. Only evaluation uses it.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/Transforms/Passes.h"

#include <map>

namespace mlir::cst {
#define GEN_PASS_DEF_CSTCODESPARSITY
#include "dialects/cst/Transforms/Passes.h.inc"
} // namespace mlir::cst

using namespace mlir;

namespace {

struct CodeSparsityPass
    : mlir::cst::impl::CstCodeSparsityBase<CodeSparsityPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(run()))
      signalPassFailure();
  }

  LogicalResult run() {
    ModuleOp module = getOperation();
    auto fn = module.lookupSymbol<func::FuncOp>(entry);
    if (!fn || fn.isExternal())
      return module.emitError()
             << "cst-code-sparsity: no function @" << entry
             << " to measure; lower the model with csc-lower-to-cst first";
    if (!fn.getBody().hasOneBlock())
      return fn.emitError() << "cst-code-sparsity: @" << entry
                            << " has control flow; expected one block";

    // Names reported already (the pass run twice) and the codes to add.
    std::map<std::string, std::string> names;
    for (unsigned i = 0; i < fn.getNumResults(); ++i)
      if (auto s = fn.getResultAttrOfType<StringAttr>(i, "cst.sparsity"))
        names.emplace(s.str(), "result #" + std::to_string(i));
    SmallVector<std::pair<Value, StringAttr>> codes;
    WalkResult walk = fn.walk([&](Operation *op) -> WalkResult {
      Attribute attr = op->getAttr("cst.code");
      if (!attr)
        return WalkResult::advance();
      auto name = dyn_cast<StringAttr>(attr);
      if (!name) {
        op->emitOpError() << "has a cst.code that is not a string: " << attr;
        return WalkResult::interrupt();
      }
      auto type = op->getNumResults()
                      ? dyn_cast<RankedTensorType>(op->getResult(0).getType())
                      : RankedTensorType();
      if (!type || !isa<FloatType>(type.getElementType())) {
        op->emitOpError() << "is tagged cst.code = \"" << name.getValue()
                          << "\" but its result is not a ranked float tensor";
        return WalkResult::interrupt();
      }
      auto [prev, fresh] = names.emplace(name.str(), "another op");
      if (!fresh) {
        op->emitOpError() << "cst-code-sparsity: two codes named '"
                          << name.getValue() << "' (" << prev->second
                          << " already reports one)";
        return WalkResult::interrupt();
      }
      codes.push_back({op->getResult(0), name});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    if (codes.empty())
      return success();

    // Each measurement right after its code; the new results after the old.
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    SmallVector<DictionaryAttr> resultAttrs;
    for (unsigned i = 0; i < fn.getNumResults(); ++i)
      resultAttrs.push_back(fn.getResultAttrDict(i));
    Builder attrs(&getContext());
    for (auto [code, name] : codes) {
      OpBuilder b = OpBuilder::atBlockEnd(code.getParentBlock());
      b.setInsertionPointAfterValue(code);
      auto elem = cast<RankedTensorType>(code.getType()).getElementType();
      Value fraction = cst::ZeroFractionOp::create(
          b, code.getLoc(), RankedTensorType::get({}, elem), code);
      results.push_back(fraction);
      resultAttrs.push_back(attrs.getDictionaryAttr(
          {attrs.getNamedAttr("cst.sparsity", name)}));
    }
    OpBuilder b(ret);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    fn.setType(FunctionType::get(&getContext(), fn.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
    for (DictionaryAttr &d : resultAttrs)
      if (!d)
        d = attrs.getDictionaryAttr({});
    fn.setAllResultAttrs(resultAttrs);
    return success();
  }
};

} // namespace
