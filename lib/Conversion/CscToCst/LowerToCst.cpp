//===- LowerToCst.cpp - The rest of csc to the tensor-level dialect -------===//
//
// Runs after csc-unfold-pursuits and csc-expand-dictionaries: what is left
// are parameters and plain layers. Parameters become arguments of their
// function; each layer is one conversion pattern giving one tensor-level op
// (or two). Every csc op is illegal afterwards: one left behind (a pursuit
// or a dictionary the earlier passes did not lower) fails the pass with
// the conversion's error naming it.
// A code's `csc.code` name (csc-unfold-pursuits) becomes `cst.code` on the
// tensor-level op that defines the lowered value.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCLOWERTOCST
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

/// Replaces `op` by `result`; the code name `op` carries, if any, moves to
/// the op that defines the result.
void replaceKeepingCode(ConversionPatternRewriter &rewriter, Operation *op,
                        Value result) {
  if (Attribute code = op->getAttr("csc.code"))
    if (Operation *def = result.getDefiningOp())
      rewriter.modifyOpInPlace(def, [&] { def->setAttr("cst.code", code); });
  rewriter.replaceOp(op, result);
}

/// A layer that becomes one tensor-level op of the same result type.
template <typename Op>
struct LayerLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;

  LogicalResult
  matchAndRewrite(Op op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    replaceKeepingCode(rewriter, op,
                       build(rewriter, op.getLoc(), op.getType(), op, in));
    return success();
  }
  /// The tensor-level op of type `type` that computes `op`.
  virtual Value build(OpBuilder &b, Location loc, Type type, Op op,
                      OpAdaptor in) const = 0;
};

/// F x, then + bias.
struct ConvLowering : LayerLowering<csc::ConvOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::ConvOp op,
              OpAdaptor in) const override {
    Value result = cst::ConvOp::create(b, loc, type, in.getInput(),
                                       in.getFilter(), op.getStride(),
                                       op.getDilation(), op.getPadding());
    if (in.getBias())
      result = cst::BiasAddOp::create(b, loc, type, result, in.getBias());
    return result;
  }
};

struct ReluLowering : LayerLowering<csc::ReluOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::ReluOp op,
              OpAdaptor in) const override {
    return cst::ThresholdOp::create(b, loc, type, in.getInput(), Value(),
                                    cst::ThresholdKind::Relu);
  }
};

struct MaxPoolLowering : LayerLowering<csc::MaxPoolOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::MaxPoolOp op,
              OpAdaptor in) const override {
    return cst::MaxPoolOp::create(b, loc, type, in.getInput(), op.getKernel(),
                                  op.getStride(), op.getPadding());
  }
};

struct AvgPoolLowering : LayerLowering<csc::AvgPoolOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::AvgPoolOp op,
              OpAdaptor in) const override {
    return cst::AvgPoolOp::create(b, loc, type, in.getInput(), op.getKernel(),
                                  op.getStride(), op.getPadding());
  }
};

struct GlobalAvgPoolLowering : LayerLowering<csc::GlobalAvgPoolOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::GlobalAvgPoolOp op,
              OpAdaptor in) const override {
    return cst::GlobalAvgPoolOp::create(b, loc, type, in.getInput());
  }
};

struct LinearLowering : LayerLowering<csc::LinearOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::LinearOp op,
              OpAdaptor in) const override {
    return cst::LinearOp::create(b, loc, type, in.getInput(), in.getWeight(),
                                 in.getBias());
  }
};

struct ShortcutLowering : LayerLowering<csc::ShortcutOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::ShortcutOp op,
              OpAdaptor in) const override {
    return cst::ShortcutOp::create(b, loc, type, in.getInput(),
                                   op.getStride());
  }
};

struct CrossEntropyLowering : LayerLowering<csc::CrossEntropyOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::CrossEntropyOp op,
              OpAdaptor in) const override {
    return cst::SoftmaxCrossEntropyOp::create(b, loc, type, in.getLogits(),
                                              in.getLabels());
  }
};

struct L1PenaltyLowering : LayerLowering<csc::L1PenaltyOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::L1PenaltyOp op,
              OpAdaptor in) const override {
    return cst::L1NormOp::create(b, loc, type, in.getCode(),
                                 op.getWeightAttr());
  }
};

/// The terms summed left to right (axpby with coefficients 1).
struct TotalLossLowering : LayerLowering<csc::TotalLossOp> {
  using LayerLowering::LayerLowering;
  Value build(OpBuilder &b, Location loc, Type type, csc::TotalLossOp op,
              OpAdaptor in) const override {
    Value result;
    for (Value t : in.getTerms())
      result = result ? Value(cst::AxpbyOp::create(b, loc, type, result, t,
                                                   b.getF64FloatAttr(1.0),
                                                   b.getF64FloatAttr(1.0)))
                      : t;
    return result;
  }
};

/// Evaluation: the running statistics. Training: batch statistics, and the
/// updated running statistics recorded in `updated` (by the argument they
/// replace) for the function to return.
struct BatchNormLowering : OpConversionPattern<csc::BatchNormOp> {
  BatchNormLowering(MLIRContext *ctx, bool train,
                    llvm::DenseMap<Value, Value> &updated)
      : OpConversionPattern(ctx), train(train), updated(updated) {}

  LogicalResult
  matchAndRewrite(csc::BatchNormOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type type = op.getType();
    if (!train) {
      replaceKeepingCode(
          rewriter, op,
          cst::BatchNormEvalOp::create(rewriter, loc, type, in.getInput(),
                                       in.getWeight(), in.getBias(),
                                       in.getRunningMean(), in.getRunningVar(),
                                       op.getEpsAttr()));
      return success();
    }
    Type vec = in.getRunningMean().getType();
    auto bn = cst::BatchNormTrainOp::create(
        rewriter, loc, TypeRange{type, vec, vec, vec, vec}, in.getInput(),
        in.getWeight(), in.getBias(), in.getRunningMean(), in.getRunningVar(),
        op.getEpsAttr(), op.getMomentumAttr());
    updated[in.getRunningMean()] = bn.getNewRunningMean();
    updated[in.getRunningVar()] = bn.getNewRunningVar();
    replaceKeepingCode(rewriter, op, bn.getOutput());
    return success();
  }

private:
  bool train;
  llvm::DenseMap<Value, Value> &updated;
};

/// Any other csc op: a pursuit or a dictionary, which the earlier passes
/// lower. It says which passes; the conversion then fails naming the op.
struct NotLoweredHere : ConversionPattern {
  NotLoweredHere(MLIRContext *ctx)
      : ConversionPattern(Pattern::MatchAnyOpTypeTag(), /*benefit=*/0, ctx) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value>,
                  ConversionPatternRewriter &) const override {
    if (isa_and_nonnull<csc::CscDialect>(op->getDialect()))
      op->emitOpError() << "cannot be lowered to the tensor level here; run "
                           "csc-unfold-pursuits and csc-expand-dictionaries "
                           "first";
    return failure();
  }
};

struct LowerToCstPass
    : mlir::cscc::impl::CscLowerToCstBase<LowerToCstPass> {
  using Base::Base;

  void runOnOperation() override {
    if (mode != "eval" && mode != "train") {
      getOperation().emitError() << "csc-lower-to-cst: unknown mode '" << mode
                                 << "'; use mode=eval or mode=train";
      return signalPassFailure();
    }
    bool train = mode == "train";
    auto functions = llvm::to_vector(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp fn : functions) {
      if (fn.isExternal())
        continue;
      if ((!withLoss && failed(dropLoss(fn))) ||
          failed(checkLowerable(fn, train)))
        return signalPassFailure();
      paramsToArguments(fn);
    }

    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<cst::CstDialect, arith::ArithDialect,
                           func::FuncDialect, tensor::TensorDialect>();
    target.addIllegalDialect<csc::CscDialect>();
    // State argument -> its updated value (train mode).
    llvm::DenseMap<Value, Value> updated;
    RewritePatternSet patterns(ctx);
    patterns.add<ConvLowering, ReluLowering, MaxPoolLowering, AvgPoolLowering,
                 GlobalAvgPoolLowering, LinearLowering, ShortcutLowering,
                 CrossEntropyLowering, L1PenaltyLowering, TotalLossLowering,
                 NotLoweredHere>(ctx);
    patterns.add<BatchNormLowering>(ctx, train, updated);
    // Lowering only: the ops around the csc ones stay as they are.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns), config)))
      return signalPassFailure();

    for (func::FuncOp fn : functions)
      if (!fn.isExternal())
        finishFunction(fn, train, updated);
  }

  /// What the patterns need: shapes, and in train mode one batch norm per
  /// set of running statistics (each returns its own update).
  LogicalResult checkLowerable(func::FuncOp fn, bool train) {
    llvm::DenseSet<Value> updatedStats;
    WalkResult walk = fn.walk([&](Operation *op) {
      if (!isa_and_nonnull<csc::CscDialect>(op->getDialect()))
        return WalkResult::advance();
      if (llvm::any_of(op->getResultTypes(), llvm::IsaPred<UnrankedTensorType>)) {
        op->emitOpError("needs shapes: run csc-infer-shapes first");
        return WalkResult::interrupt();
      }
      auto bn = dyn_cast<csc::BatchNormOp>(op);
      if (train && bn && !updatedStats.insert(bn.getRunningMean()).second) {
        op->emitOpError("running statistics used by two batch norms");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }

  /// Code names left on tensor-level ops become `cst.code`; train mode
  /// returns the running statistics after the other results.
  void finishFunction(func::FuncOp fn, bool train,
                      const llvm::DenseMap<Value, Value> &updated) {
    // Codes already defined by tensor-level ops (the prox of a pursuit).
    fn.walk([](Operation *op) {
      if (Attribute code = op->getAttr("csc.code")) {
        op->removeAttr("csc.code");
        op->setAttr("cst.code", code);
      }
    });

    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    SmallVector<Attribute> stateNames;
    if (train)
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
  }

  /// Prediction: no loss result, no labels argument.
  LogicalResult dropLoss(func::FuncOp fn) {
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    // The loss is the scalar after the logits; a model without one may
    // return other tensors there (mlirGenPursuitCodes' signals and codes).
    if (ret.getNumOperands() < 2)
      return success();
    auto loss = dyn_cast<RankedTensorType>(ret.getOperand(1).getType());
    if (!loss || loss.getRank() != 0)
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
      if (p.getStep())
        attrs.append("cst.step", UnitAttr::get(ctx));
      (void)fn.insertArgument(index, p.getType(),
                              attrs.getDictionary(ctx), p.getLoc());
      p.getResult().replaceAllUsesWith(fn.getArgument(index));
      p.erase();
    }
  }

};

} // namespace
