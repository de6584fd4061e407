//===- LowerToCst.cpp - The rest of csc to the tensor-level dialect -------===//
//
// Runs after csc-unfold-pursuits and csc-expand-dictionaries: what is left
// are parameters and plain layers, one tensor-level op (or two) each.
// A code's `csc.code` name (csc-unfold-pursuits) becomes `cst.code` on the
// tensor-level op that defines the lowered value.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCLOWERTOCST
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct LowerToCstPass
    : mlir::cscc::impl::CscLowerToCstBase<LowerToCstPass> {
  using Base::Base;

  void runOnOperation() override {
    if (mode != "eval" && mode != "train") {
      getOperation().emitError() << "csc-lower-to-cst: unknown mode '" << mode
                                 << "'; use mode=eval or mode=train";
      return signalPassFailure();
    }
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (failed(lowerFunction(fn)))
        return signalPassFailure();
  }

  LogicalResult lowerFunction(func::FuncOp fn) {
    if (fn.isExternal())
      return success();
    if (!withLoss && failed(dropLoss(fn)))
      return failure();
    paramsToArguments(fn);

    // State argument -> its updated value (train mode).
    llvm::DenseMap<Value, Value> updated;
    SmallVector<Operation *> ops;
    fn.walk([&](Operation *op) {
      if (op->getDialect() && isa<csc::CscDialect>(op->getDialect()))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Value result;
      if (failed(lowerOp(b, op, result, updated)))
        return failure();
      if (Attribute code = op->getAttr("csc.code"))
        if (Operation *def = result.getDefiningOp())
          def->setAttr("cst.code", code);
      op->getResult(0).replaceAllUsesWith(result);
      op->erase();
    }
    // Codes already defined by tensor-level ops (the prox of a pursuit).
    fn.walk([](Operation *op) {
      if (Attribute code = op->getAttr("csc.code")) {
        op->removeAttr("csc.code");
        op->setAttr("cst.code", code);
      }
    });

    // Train mode returns the running statistics after the other results.
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    SmallVector<Attribute> stateNames;
    if (mode == "train")
      for (BlockArgument arg : fn.getArguments())
        if (fn.getArgAttr(arg.getArgNumber(), "cst.state")) {
          results.push_back(updated.lookup(arg) ? updated.lookup(arg)
                                                : Value(arg));
          stateNames.push_back(
              fn.getArgAttr(arg.getArgNumber(), "cst.param"));
        }
    unsigned modelResults = ret.getNumOperands();
    OpBuilder b(ret);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    fn.setType(FunctionType::get(fn.getContext(), fn.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
    // Each running statistic's new value names the statistic it replaces.
    for (auto [i, name] : llvm::enumerate(stateNames))
      fn.setResultAttr(modelResults + i, "cst.new_state", name);
    return success();
  }

  /// Prediction: no loss result, no labels argument.
  LogicalResult dropLoss(func::FuncOp fn) {
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    if (ret.getNumOperands() < 2)
      return success();
    ret->eraseOperand(1);
    IRRewriter rewriter(fn.getContext());
    (void)runRegionDCE(rewriter, fn.getBody());
    if (fn.getNumArguments() > 1 && fn.getArgument(1).use_empty())
      if (failed(fn.eraseArgument(1)))
        return failure();
    fn.setType(FunctionType::get(fn.getContext(), fn.getArgumentTypes(),
                                 ret.getOperandTypes()));
    return success();
  }

  /// Every csc.param becomes an argument named by `cst.param`.
  void paramsToArguments(func::FuncOp fn) {
    SmallVector<csc::ParamOp> params;
    fn.walk([&](csc::ParamOp p) { params.push_back(p); });
    MLIRContext *ctx = fn.getContext();
    for (csc::ParamOp p : params) {
      unsigned index = fn.getNumArguments();
      NamedAttrList attrs;
      attrs.append("cst.param", p.getNameAttr());
      attrs.append("cst.init", p.getInitAttr());
      if (p.getState())
        attrs.append("cst.state", UnitAttr::get(ctx));
      (void)fn.insertArgument(index, p.getType(),
                              attrs.getDictionary(ctx), p.getLoc());
      p.getResult().replaceAllUsesWith(fn.getArgument(index));
      p.erase();
    }
  }

  LogicalResult lowerOp(OpBuilder &b, Operation *op, Value &result,
                        llvm::DenseMap<Value, Value> &updated) {
    Location loc = op->getLoc();
    Type type = op->getNumResults() ? op->getResult(0).getType() : Type();
    if (isa<UnrankedTensorType>(type))
      return op->emitOpError("needs shapes: run csc-infer-shapes first");
    if (auto conv = dyn_cast<csc::ConvOp>(op)) {
      result = cst::ConvOp::create(b, loc, type, conv.getInput(),
                                   conv.getFilter(), conv.getStride(),
                                   conv.getDilation(), conv.getPadding());
      if (conv.getBias())
        result = cst::BiasAddOp::create(b, loc, type, result, conv.getBias());
    } else if (auto bn = dyn_cast<csc::BatchNormOp>(op)) {
      if (mode == "eval") {
        result = cst::BatchNormEvalOp::create(
            b, loc, type, bn.getInput(), bn.getWeight(), bn.getBias(),
            bn.getRunningMean(), bn.getRunningVar(), bn.getEpsAttr());
      } else {
        Type vec = bn.getRunningMean().getType();
        auto train = cst::BatchNormTrainOp::create(
            b, loc, TypeRange{type, vec, vec, vec, vec}, bn.getInput(),
            bn.getWeight(), bn.getBias(), bn.getRunningMean(),
            bn.getRunningVar(), bn.getEpsAttr(), bn.getMomentumAttr());
        if (updated.count(bn.getRunningMean()))
          return op->emitOpError("running statistics used by two batch norms");
        updated[bn.getRunningMean()] = train.getNewRunningMean();
        updated[bn.getRunningVar()] = train.getNewRunningVar();
        result = train.getOutput();
      }
    } else if (auto relu = dyn_cast<csc::ReluOp>(op)) {
      result = cst::ThresholdOp::create(b, loc, type, relu.getInput(), Value(),
                                        cst::ThresholdKind::Relu);
    } else if (auto pool = dyn_cast<csc::MaxPoolOp>(op)) {
      result = cst::MaxPoolOp::create(b, loc, type, pool.getInput(),
                                      pool.getKernel(), pool.getStride(),
                                      pool.getPadding());
    } else if (auto pool = dyn_cast<csc::AvgPoolOp>(op)) {
      result = cst::AvgPoolOp::create(b, loc, type, pool.getInput(),
                                      pool.getKernel(), pool.getStride(),
                                      pool.getPadding());
    } else if (auto gap = dyn_cast<csc::GlobalAvgPoolOp>(op)) {
      result = cst::GlobalAvgPoolOp::create(b, loc, type, gap.getInput());
    } else if (auto lin = dyn_cast<csc::LinearOp>(op)) {
      result = cst::LinearOp::create(b, loc, type, lin.getInput(),
                                     lin.getWeight(), lin.getBias());
    } else if (auto sc = dyn_cast<csc::ShortcutOp>(op)) {
      result = cst::ShortcutOp::create(b, loc, type, sc.getInput(),
                                       sc.getStride());
    } else if (auto ce = dyn_cast<csc::CrossEntropyOp>(op)) {
      result = cst::SoftmaxCrossEntropyOp::create(b, loc, type, ce.getLogits(),
                                                  ce.getLabels());
    } else if (auto l1 = dyn_cast<csc::L1PenaltyOp>(op)) {
      result = cst::L1NormOp::create(b, loc, type, l1.getCode(),
                                     l1.getWeightAttr());
    } else if (auto total = dyn_cast<csc::TotalLossOp>(op)) {
      for (Value t : total.getTerms())
        result = result ? Value(cst::AxpbyOp::create(b, loc, type, result, t,
                                                     b.getF64FloatAttr(1.0),
                                                     b.getF64FloatAttr(1.0)))
                        : t;
    } else {
      return op->emitOpError()
             << "cannot be lowered to the tensor level here; run "
                "csc-unfold-pursuits and csc-expand-dictionaries first";
    }
    return success();
  }
};

} // namespace
