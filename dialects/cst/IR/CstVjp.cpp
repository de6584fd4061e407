//===- CstVjp.cpp - Vector-Jacobian products of the tensor-level ops ------===//
//
// Each op builds the gradients of its operands from those of its results
// (VjpOpInterface). Forward values are read through `primals`, so that the
// autodiff pass decides what is kept and what is recomputed. The backward
// ops they build (conv_transpose, conv_filter_grad, reduce_channels, the
// *_grad ops) are defined in CstOps.td.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::cst;
using mlir::cst::Primals;

namespace {

/// A constant vector (per-channel) of `type` filled with `v`.
Value constantVector(OpBuilder &b, Location loc, Type type, double v) {
  auto t = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), v)));
}

/// The per-channel (or, for a one-entry vector, total) sum of x (times y),
/// times `scale`, shaped like `vector`.
Value reduceLike(OpBuilder &b, Location loc, Value vector, Value x, Value y,
                 double scale = 1.0) {
  return ReduceChannelsOp::create(b, loc, vector.getType(), x, y,
                                  b.getF64FloatAttr(scale));
}

/// c * g (g itself when c == 1).
Value scaled(OpBuilder &b, Location loc, Value g, double c) {
  if (c == 1.0)
    return g;
  return AxpbyOp::create(b, loc, g.getType(), g, g, b.getF64FloatAttr(c),
                         b.getF64FloatAttr(0.0));
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolutions. F x = conv(x, w); its adjoint is conv_transpose; the filter
// gradient is conv_filter_grad. Each of the three is bilinear, so each
// one's VJP is built from the other two.
//===----------------------------------------------------------------------===//

SmallVector<Value> ConvOp::buildVjp(OpBuilder &b, ValueRange dys,
                                    ArrayRef<bool> wanted, Primals &p) {
  SmallVector<Value> g(2);
  if (!dys[0])
    return g;
  if (wanted[0])
    g[0] = ConvTransposeOp::create(b, getLoc(), getLhs().getType(), dys[0],
                                   p.get(getRhs()), getStride(),
                                   getDilation(), getPadding());
  if (wanted[1])
    g[1] = ConvFilterGradOp::create(b, getLoc(), getRhs().getType(),
                                    p.get(getLhs()), dys[0], getStride(),
                                    getDilation(), getPadding());
  return g;
}

// y = F^T c with F = conv(., w): <F^T c, dy> = <c, F dy>, so dc = F dy and
// dw = conv_filter_grad(dy, c).
SmallVector<Value> ConvTransposeOp::buildVjp(OpBuilder &b, ValueRange dys,
                                             ArrayRef<bool> wanted,
                                             Primals &p) {
  SmallVector<Value> g(2);
  if (!dys[0])
    return g;
  if (wanted[0])
    g[0] = ConvOp::create(b, getLoc(), getLhs().getType(), dys[0],
                          p.get(getRhs()), getStride(), getDilation(),
                          getPadding());
  if (wanted[1])
    g[1] = ConvFilterGradOp::create(b, getLoc(), getRhs().getType(), dys[0],
                                    p.get(getLhs()), getStride(),
                                    getDilation(), getPadding());
  return g;
}

// W = G(x, e) with <G(x, e), V> = <conv(x, V), e>: dx = F_dW^T e and
// de = conv(x, dW).
SmallVector<Value> ConvFilterGradOp::buildVjp(OpBuilder &b, ValueRange dys,
                                              ArrayRef<bool> wanted,
                                              Primals &p) {
  SmallVector<Value> g(2);
  if (!dys[0])
    return g;
  if (wanted[0])
    g[0] = ConvTransposeOp::create(b, getLoc(), getLhs().getType(),
                                   p.get(getRhs()), dys[0], getStride(),
                                   getDilation(), getPadding());
  if (wanted[1])
    g[1] = ConvOp::create(b, getLoc(), getRhs().getType(), p.get(getLhs()),
                          dys[0], getStride(), getDilation(),
                          getPadding());
  return g;
}

//===----------------------------------------------------------------------===//
// Channel views: the gradient of a concatenation is a view of its
// gradient; the gradient of a view is embedded into zeros.
//===----------------------------------------------------------------------===//

SmallVector<Value> ConcatOp::buildVjp(OpBuilder &b, ValueRange dys,
                                      ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(getInputs().size());
  if (!dys[0])
    return g;
  int64_t offset = 0;
  for (auto [i, in] : llvm::enumerate(getInputs())) {
    if (wanted[i])
      g[i] = SliceOp::create(b, getLoc(), in.getType(), dys[0],
                             b.getI64IntegerAttr(offset));
    offset += cast<RankedTensorType>(in.getType()).getDimSize(1);
  }
  return g;
}

SmallVector<Value> SliceOp::buildVjp(OpBuilder &b, ValueRange dys,
                                     ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = EmbedOp::create(b, getLoc(), getInput().getType(), dys[0],
                           getOffsetAttr());
  return g;
}

SmallVector<Value> EmbedOp::buildVjp(OpBuilder &b, ValueRange dys,
                                     ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = SliceOp::create(b, getLoc(), getInput().getType(), dys[0],
                           getOffsetAttr());
  return g;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

SmallVector<Value> AxpbyOp::buildVjp(OpBuilder &b, ValueRange dys,
                                     ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(2);
  if (!dys[0])
    return g;
  double alpha = getAlpha().convertToDouble(), beta = getBeta().convertToDouble();
  if (wanted[0] && alpha != 0.0)
    g[0] = scaled(b, getLoc(), dys[0], alpha);
  if (wanted[1] && beta != 0.0)
    g[1] = scaled(b, getLoc(), dys[0], beta);
  return g;
}

SmallVector<Value> ScaleOp::buildVjp(OpBuilder &b, ValueRange dys,
                                     ArrayRef<bool> wanted, Primals &p) {
  SmallVector<Value> g(2);
  if (!dys[0])
    return g;
  if (wanted[0])
    g[0] = ScaleOp::create(b, getLoc(), getInput().getType(), dys[0],
                           p.get(getFactor()));
  if (wanted[1])
    g[1] = reduceLike(b, getLoc(), getFactor(), dys[0], p.get(getInput()));
  return g;
}

SmallVector<Value> BiasAddOp::buildVjp(OpBuilder &b, ValueRange dys,
                                       ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(2);
  if (!dys[0])
    return g;
  if (wanted[0])
    g[0] = dys[0];
  if (wanted[1])
    g[1] = reduceLike(b, getLoc(), getBias(), dys[0], Value());
  return g;
}

SmallVector<Value> MulOp::buildVjp(OpBuilder &b, ValueRange dys,
                                   ArrayRef<bool> wanted, Primals &p) {
  SmallVector<Value> g(2);
  if (!dys[0])
    return g;
  if (wanted[0])
    g[0] = MulOp::create(b, getLoc(), dys[0], p.get(getY()));
  if (wanted[1])
    g[1] = MulOp::create(b, getLoc(), dys[0], p.get(getX()));
  return g;
}

// Piecewise constant: zero gradient almost everywhere.
SmallVector<Value> SignOp::buildVjp(OpBuilder &, ValueRange, ArrayRef<bool>,
                                    Primals &) {
  return SmallVector<Value>(1);
}
SmallVector<Value> ThresholdMaskOp::buildVjp(OpBuilder &, ValueRange,
                                             ArrayRef<bool>, Primals &) {
  return SmallVector<Value>(1);
}

// y = P_b(z). The mask comes from the output, which is exact for every
// kind (threshold_mask). dy/db where the mask is 1: relu -1, soft -sign(y),
// hard 0 (z 1[|z| > b] does not move with b away from |z| = b, a set of
// measure zero where it jumps), so a hard threshold's b gets no gradient.
SmallVector<Value> ThresholdOp::buildVjp(OpBuilder &b, ValueRange dys,
                                         ArrayRef<bool> wanted, Primals &p) {
  SmallVector<Value> g(getNumOperands());
  if (!dys[0])
    return g;
  Location loc = getLoc();
  Value y = p.get(getOutput());
  Value mask = ThresholdMaskOp::create(b, loc, y.getType(), y, getKindAttr());
  Value dz = MulOp::create(b, loc, dys[0], mask);
  if (wanted[0])
    g[0] = dz;
  if (getThreshold() && wanted[1]) {
    switch (getKind()) {
    case ThresholdKind::Relu:
      g[1] = reduceLike(b, loc, getThreshold(), dz, Value(), -1.0);
      break;
    case ThresholdKind::Soft:
      g[1] = reduceLike(b, loc, getThreshold(), dz,
                        SignOp::create(b, loc, y), -1.0);
      break;
    case ThresholdKind::Hard:
      g[1] = constantVector(b, loc, getThreshold().getType(), 0.0);
      break;
    }
  }
  return g;
}

//===----------------------------------------------------------------------===//
// Batch norm. Running statistics are state: they get no gradient.
//===----------------------------------------------------------------------===//

// Eval mode is an affine map per channel, so its VJP reuses batch_norm_eval:
// dx = dy * weight / sqrt(var + eps) is batch_norm_eval(dy) with zero mean
// and bias, and dweight sums dy times the normalised input.
SmallVector<Value> BatchNormEvalOp::buildVjp(OpBuilder &b, ValueRange dys,
                                             ArrayRef<bool> wanted,
                                             Primals &p) {
  SmallVector<Value> g(5);
  if (!dys[0])
    return g;
  Location loc = getLoc();
  Type vec = getWeight().getType();
  Value zeros = constantVector(b, loc, vec, 0.0);
  Value var = p.get(getRunningVar());
  if (wanted[0])
    g[0] = BatchNormEvalOp::create(b, loc, getInput().getType(), dys[0],
                                   p.get(getWeight()), zeros, zeros, var,
                                   getEpsAttr());
  if (wanted[1]) {
    Value xhat = BatchNormEvalOp::create(
        b, loc, getInput().getType(), p.get(getInput()),
        constantVector(b, loc, vec, 1.0), zeros, p.get(getRunningMean()), var,
        getEpsAttr());
    g[1] = reduceLike(b, loc, getWeight(), dys[0], xhat);
  }
  if (wanted[2])
    g[2] = reduceLike(b, loc, getBias(), dys[0], Value());
  return g;
}

SmallVector<Value> BatchNormTrainOp::buildVjp(OpBuilder &b, ValueRange dys,
                                              ArrayRef<bool> wanted,
                                              Primals &p) {
  SmallVector<Value> g(5);
  if (!dys[0] || !(wanted[0] || wanted[1] || wanted[2]))
    return g;
  auto grad = BatchNormGradOp::create(
      b, getLoc(),
      TypeRange{getInput().getType(), getWeight().getType(),
                getBias().getType()},
      p.get(getInput()), dys[0], p.get(getWeight()), p.get(getBatchMean()),
      p.get(getBatchInvStd()), getSync());
  for (int i = 0; i < 3; ++i)
    if (wanted[i])
      g[i] = grad.getResult(i);
  return g;
}

//===----------------------------------------------------------------------===//
// Pooling, linear, shortcut
//===----------------------------------------------------------------------===//

SmallVector<Value> MaxPoolOp::buildVjp(OpBuilder &b, ValueRange dys,
                                       ArrayRef<bool> wanted, Primals &p) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = MaxPoolGradOp::create(b, getLoc(), getInput().getType(),
                                 p.get(getInput()), p.get(getOutput()), dys[0],
                                 getKernelAttr(), getStrideAttr(),
                                 getPaddingAttr());
  return g;
}

SmallVector<Value> AvgPoolOp::buildVjp(OpBuilder &b, ValueRange dys,
                                       ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = AvgPoolGradOp::create(b, getLoc(), getInput().getType(), dys[0],
                                 getKernelAttr(), getStrideAttr(),
                                 getPaddingAttr());
  return g;
}

SmallVector<Value> GlobalAvgPoolOp::buildVjp(OpBuilder &b, ValueRange dys,
                                             ArrayRef<bool> wanted,
                                             Primals &) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = GlobalAvgPoolGradOp::create(b, getLoc(), getInput().getType(),
                                       dys[0]);
  return g;
}

SmallVector<Value> LinearOp::buildVjp(OpBuilder &b, ValueRange dys,
                                      ArrayRef<bool> wanted, Primals &p) {
  SmallVector<Value> g(getNumOperands());
  if (!dys[0])
    return g;
  if (wanted[0])
    g[0] = LinearGradInputOp::create(b, getLoc(), getInput().getType(), dys[0],
                                     p.get(getWeight()));
  if (wanted[1])
    g[1] = LinearGradWeightOp::create(b, getLoc(), getWeight().getType(),
                                      p.get(getInput()), dys[0]);
  if (getBias() && wanted[2])
    g[2] = reduceLike(b, getLoc(), getBias(), dys[0], Value());
  return g;
}

SmallVector<Value> ShortcutOp::buildVjp(OpBuilder &b, ValueRange dys,
                                        ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = ShortcutGradOp::create(b, getLoc(), getInput().getType(), dys[0],
                                  getStrideAttr());
  return g;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

SmallVector<Value> SoftmaxCrossEntropyOp::buildVjp(OpBuilder &b, ValueRange dys,
                                                   ArrayRef<bool> wanted,
                                                   Primals &p) {
  SmallVector<Value> g(2);
  if (dys[0] && wanted[0])
    g[0] = SoftmaxCrossEntropyGradOp::create(b, getLoc(), getLogits().getType(),
                                             p.get(getLogits()),
                                             p.get(getLabels()), dys[0]);
  return g;
}

// Self-adjoint under data-parallel training's final average of the
// gradients (CstOps.td).
SmallVector<Value> ReplicaMeanOp::buildVjp(OpBuilder &b, ValueRange dys,
                                           ArrayRef<bool> wanted, Primals &) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = ReplicaMeanOp::create(b, getLoc(), dys[0]);
  return g;
}

SmallVector<Value> L1NormOp::buildVjp(OpBuilder &b, ValueRange dys,
                                      ArrayRef<bool> wanted, Primals &p) {
  SmallVector<Value> g(1);
  if (dys[0] && wanted[0])
    g[0] = L1NormGradOp::create(b, getLoc(), getInput().getType(),
                                p.get(getInput()), dys[0], getWeightAttr());
  return g;
}
