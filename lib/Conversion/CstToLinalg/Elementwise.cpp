//===- Elementwise.cpp - Elementwise cst ops to linalg.generic ------------===//
//
// Each op is one linalg.generic with identity (or per-channel) indexing
// maps, so that linalg-fuse-elementwise-ops merges a chain of them into one
// loop nest. The thresholds' kinds are read here and nowhere else in the
// lowering: thresholdElement and maskPredicate.
//
//===----------------------------------------------------------------------===//
#include "LinalgBuilder.h"

#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::cscc;

namespace {

//===----------------------------------------------------------------------===//
// Thresholds
//===----------------------------------------------------------------------===//

/// relu: max(z - b, 0).
Value reluThreshold(OpBuilder &nb, Location nl, Value z, Value b) {
  Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(z.getType(), 0));
  Value shifted = b ? Value(arith::SubFOp::create(nb, nl, z, b)) : z;
  return arith::MaximumFOp::create(nb, nl, shifted, zero);
}

/// soft: sign(z) max(|z| - b, 0), with sign(0) = 0.
Value softThreshold(OpBuilder &nb, Location nl, Value z, Value b) {
  Value zero = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(z.getType(), 0));
  Value mag = math::AbsFOp::create(nb, nl, z);
  if (b)
    mag = arith::SubFOp::create(nb, nl, mag, b);
  mag = arith::MaximumFOp::create(nb, nl, mag, zero);
  Value signed_ = math::CopySignOp::create(nb, nl, mag, z);
  Value isZero =
      arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, z, zero);
  return arith::SelectOp::create(nb, nl, isZero, zero, signed_);
}

/// z 1[|z| > b]; unordered, so that a NaN passes through (as in relu and
/// soft) and the trainer's NaN check still sees it.
Value hardThreshold(OpBuilder &nb, Location nl, Value z, Value b) {
  Value zero = arith::ConstantOp::create(
      nb, nl, nb.getFloatAttr(z.getType(), 0));
  Value pass = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UGT,
                                     math::AbsFOp::create(nb, nl, z),
                                     b ? b : zero);
  return arith::SelectOp::create(nb, nl, pass, z, zero);
}

/// P_b(z) of the threshold's kind for one element; `b` is null when the op
/// has no threshold (b = 0).
Value thresholdElement(cst::ThresholdOp op, OpBuilder &nb, Location nl,
                       Value z, Value b) {
  switch (op.getKind()) {
  case cst::ThresholdKind::Relu:
    return reluThreshold(nb, nl, z, b);
  case cst::ThresholdKind::Soft:
    return softThreshold(nb, nl, z, b);
  case cst::ThresholdKind::Hard:
    return hardThreshold(nb, nl, z, b);
  }
  llvm_unreachable("unknown threshold kind");
}

/// Where the threshold's derivative in z is 1, from its output y: relu
/// passes where y > 0, soft and hard where y != 0.
arith::CmpFPredicate maskPredicate(cst::ThresholdMaskOp op) {
  switch (op.getKind()) {
  case cst::ThresholdKind::Relu:
    return arith::CmpFPredicate::OGT;
  case cst::ThresholdKind::Soft:
  case cst::ThresholdKind::Hard:
    return arith::CmpFPredicate::UNE;
  }
  llvm_unreachable("unknown threshold kind");
}

struct ThresholdLowering : CstToLinalgPattern<cst::ThresholdOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::ThresholdOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<Value> inputs{in.getInput()};
    SmallVector<AffineMap> maps{l.identity(4)};
    if (in.getThreshold()) {
      inputs.push_back(in.getThreshold());
      maps.push_back(l.channel(in.getThreshold()));
    }
    bool hasB = static_cast<bool>(in.getThreshold());
    Value y = l.elementwise(
        type, in.getInput(), inputs, maps,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return thresholdElement(op, nb, nl, a[0], hasB ? a[1] : Value());
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct ThresholdMaskLowering : CstToLinalgPattern<cst::ThresholdMaskOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::ThresholdMaskOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    Type elem = type.getElementType();
    arith::CmpFPredicate passes = maskPredicate(op);
    Value y = in.getOutputOfThreshold();
    Value mask = l.elementwise(
        type, y, {y}, {l.identity(4)},
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value zero =
              arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 0.0));
          Value one =
              arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, 1.0));
          Value pass = arith::CmpFOp::create(nb, nl, passes, a[0], zero);
          return arith::SelectOp::create(nb, nl, pass, one, zero);
        });
    rewriter.replaceOp(op, mask);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

struct AxpbyLowering : CstToLinalgPattern<cst::AxpbyOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::AxpbyOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Type elem = type.getElementType();
    int64_t rank = type.getRank();
    Value like = rank ? in.getX() : Value();
    Value r = l.elementwise(
        type, like, {in.getX(), in.getY()},
        {l.identity(rank), l.identity(rank)},
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          auto term = [&](Value v, double c) -> Value {
            if (c == 1.0)
              return v;
            return arith::MulFOp::create(
                nb, nl, v,
                arith::ConstantOp::create(nb, nl, nb.getFloatAttr(elem, c)));
          };
          if (beta == 0.0)
            return term(a[0], alpha);
          return arith::AddFOp::create(nb, nl, term(a[0], alpha),
                                       term(a[1], beta));
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ScaleLowering : CstToLinalgPattern<cst::ScaleOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::ScaleOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    Value r = l.elementwise(
        type, in.getInput(), {in.getInput(), in.getFactor()},
        {l.identity(4), l.channel(in.getFactor())},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::MulFOp::create(nb, nl, a[0], a[1]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct BiasAddLowering : CstToLinalgPattern<cst::BiasAddOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::BiasAddOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    Value r = l.elementwise(
        type, in.getInput(), {in.getInput(), in.getBias()},
        {l.identity(4), l.channel(in.getBias())},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::AddFOp::create(nb, nl, a[0], a[1]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// cst.mul and cst.sign admit any element type; their bodies are float
/// arithmetic.
bool hasFloatElements(Value v) {
  return isa<FloatType>(cast<RankedTensorType>(v.getType()).getElementType());
}

struct MulLowering : CstToLinalgPattern<cst::MulOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::MulOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasFloatElements(op.getOutput()))
      return rewriter.notifyMatchFailure(op, "not a float tensor");
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    Value r = l.elementwise(
        type, rank ? in.getX() : Value(), {in.getX(), in.getY()},
        {l.identity(rank), l.identity(rank)},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::MulFOp::create(nb, nl, a[0], a[1]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct SignLowering : CstToLinalgPattern<cst::SignOp> {
  using CstToLinalgPattern::CstToLinalgPattern;
  LogicalResult
  matchAndRewrite(cst::SignOp op, OpAdaptor in,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasFloatElements(op.getOutput()))
      return rewriter.notifyMatchFailure(op, "not a float tensor");
    LinalgBuilder l = builderAt(op, rewriter);
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    Value r = l.elementwise(
        type, rank ? in.getInput() : Value(), {in.getInput()},
        {l.identity(rank)},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return signOf(nb, nl, a[0]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void mlir::cscc::populateCstElementwiseToLinalgPatterns(
    RewritePatternSet &patterns, const BatchSizes &batches) {
  patterns.add<AxpbyLowering, ScaleLowering, BiasAddLowering, MulLowering,
               SignLowering, ThresholdLowering, ThresholdMaskLowering>(
      patterns.getContext(), batches);
}
