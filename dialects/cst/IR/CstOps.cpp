//===- CstOps.cpp - Shape verifiers of the tensor-level ops ---------------===//
//
// Activations are [N, C, H, W] with N dynamic or static; everything else is
// static. Each verifier names the sizes that disagree.
//
//===----------------------------------------------------------------------===//
#include "dialects/cst/IR/CstDialect.h"

#include "mlir/IR/OpImplementation.h"

#include <string>

using namespace mlir;
using namespace mlir::cst;

#define GET_OP_CLASSES
#include "dialects/cst/IR/CstOps.cpp.inc"

int64_t mlir::cst::windowOutputSize(int64_t in, int64_t kernel,
                                    int64_t stride, int64_t dilation,
                                    int64_t padding) {
  int64_t span = dilation * (kernel - 1) + 1;
  if (in + 2 * padding < span)
    return -1;
  return (in + 2 * padding - span) / stride + 1;
}

namespace {

std::string shapeStr(Type type) {
  auto t = cast<ShapedType>(type);
  std::string s;
  for (auto [i, d] : llvm::enumerate(t.getShape())) {
    if (i)
      s += "x";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return "[" + s + "]";
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// Batch sizes agree unless one of them is dynamic.
bool sameBatch(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Only the batch (dimension 0 of an NCHW activation, or of the labels) may
/// be dynamic: every other size is known at compile time.
LogicalResult staticExceptBatch(Operation *op) {
  auto check = [&](Value v, StringRef what) -> LogicalResult {
    auto t = dyn_cast<ShapedType>(v.getType());
    if (!t || !t.hasRank())
      return success();
    bool batched = t.getRank() == 4 || isa<IntegerType>(t.getElementType());
    for (auto [i, d] : llvm::enumerate(t.getShape()))
      if (ShapedType::isDynamic(d) && !(batched && i == 0))
        return op->emitOpError()
               << what << " " << shapeStr(t) << " has a dynamic size in "
               << "dimension " << i
               << "; only the batch (dimension 0 of an activation) may be "
                  "dynamic";
    return success();
  };
  for (Value v : op->getOperands())
    if (failed(check(v, "operand")))
      return failure();
  for (Value v : op->getResults())
    if (failed(check(v, "result")))
      return failure();
  return success();
}

/// All operands and results share one float element type, and all sizes
/// but the batch are static.
LogicalResult sameElementType(Operation *op) {
  if (failed(staticExceptBatch(op)))
    return failure();
  Type elem;
  auto check = [&](Value v) -> LogicalResult {
    auto t = dyn_cast<ShapedType>(v.getType());
    if (!t || !isa<FloatType>(t.getElementType()))
      return success();
    if (!elem)
      elem = t.getElementType();
    else if (elem != t.getElementType())
      return op->emitOpError() << "mixes element types " << elem << " and "
                               << t.getElementType();
    return success();
  };
  for (Value v : op->getOperands())
    if (failed(check(v)))
      return failure();
  for (Value v : op->getResults())
    if (failed(check(v)))
      return failure();
  return success();
}

/// A vector operand of `c` entries (or 1 when `allowScalar`).
LogicalResult checkVector(Operation *op, Value v, int64_t c, StringRef what,
                          bool allowScalar = false) {
  int64_t n = shapeOf(v)[0];
  if (n == c || (allowScalar && n == 1))
    return success();
  return op->emitOpError() << what << " has " << n << " entries, expected "
                           << c << (allowScalar ? " (one per channel) or 1" : "")
                           << " for " << c << " channels";
}

/// The result of a convolution of `in` with a k x k window has spatial size
/// `out`.
LogicalResult checkWindow(Operation *op, ArrayRef<int64_t> in,
                          ArrayRef<int64_t> out, int64_t k, int64_t stride,
                          int64_t dilation, int64_t padding,
                          StringRef inWhat, StringRef outWhat) {
  for (int axis : {2, 3}) {
    int64_t o = windowOutputSize(in[axis], k, stride, dilation, padding);
    if (o < 1)
      return op->emitOpError()
             << "a " << k << "x" << k << " window with dilation " << dilation
             << " and padding " << padding << " does not fit the " << inWhat
             << " of size " << in[2] << "x" << in[3];
    if (o != out[axis])
      return op->emitOpError()
             << outWhat << " " << shapeStr(op->getResult(0).getType())
             << " does not match: the " << inWhat << " " << in[2] << "x"
             << in[3] << " gives " << windowOutputSize(in[2], k, stride, dilation, padding)
             << "x" << windowOutputSize(in[3], k, stride, dilation, padding);
  }
  return success();
}

LogicalResult checkFilter(Operation *op, ArrayRef<int64_t> w) {
  if (w[2] != w[3])
    return op->emitOpError() << "expects a square filter, got "
                             << w[2] << "x" << w[3];
  return success();
}

/// A convolution's destination, when it has one, has the result's type.
LogicalResult checkInit(Operation *op, Value init) {
  if (!init || init.getType() == op->getResult(0).getType())
    return success();
  return op->emitOpError() << "destination " << shapeStr(init.getType())
                           << " must have the result's type "
                           << shapeStr(op->getResult(0).getType());
}

} // namespace

LogicalResult ConvOp::verify() {
  if (failed(sameElementType(*this)) || failed(checkInit(*this, getInit())))
    return failure();
  auto x = shapeOf(getLhs()), w = shapeOf(getRhs()), y = shapeOf(getOutput());
  if (failed(checkFilter(*this, w)))
    return failure();
  if (x[1] != w[1])
    return emitOpError() << "input has " << x[1] << " channels but the filter "
                         << shapeStr(getRhs().getType()) << " expects " << w[1];
  if (y[1] != w[0] || !sameBatch(x[0], y[0]))
    return emitOpError() << "result " << shapeStr(getOutput().getType())
                         << " must have the input's batch and " << w[0]
                         << " channels";
  return checkWindow(*this, x, y, w[2], getStride(), getDilation(),
                     getPadding(), "input", "result");
}

LogicalResult ConvTransposeOp::verify() {
  if (failed(sameElementType(*this)) || failed(checkInit(*this, getInit())))
    return failure();
  auto g = shapeOf(getLhs()), w = shapeOf(getRhs()), x = shapeOf(getOutput());
  if (failed(checkFilter(*this, w)))
    return failure();
  if (g[1] != w[0])
    return emitOpError() << "code has " << g[1] << " channels but the filter "
                         << shapeStr(getRhs().getType()) << " produces " << w[0];
  if (x[1] != w[1] || !sameBatch(x[0], g[0]))
    return emitOpError() << "result " << shapeStr(getOutput().getType())
                         << " must have the code's batch and " << w[1]
                         << " channels";
  // The result size is one the forward convolution maps onto the code.
  for (int axis : {2, 3})
    if (windowOutputSize(x[axis], w[2], getStride(), getDilation(),
                         getPadding()) != g[axis])
      return emitOpError() << "result " << shapeStr(getOutput().getType())
                           << " is not a size the convolution maps to the code "
                           << shapeStr(getLhs().getType());
  return success();
}

LogicalResult ConvFilterGradOp::verify() {
  if (failed(sameElementType(*this)) || failed(checkInit(*this, getInit())))
    return failure();
  auto x = shapeOf(getLhs()), dy = shapeOf(getRhs()), w = shapeOf(getOutput());
  if (failed(checkFilter(*this, w)))
    return failure();
  if (x[1] != w[1] || dy[1] != w[0] || !sameBatch(x[0], dy[0]))
    return emitOpError() << "filter " << shapeStr(getOutput().getType())
                         << " does not connect input "
                         << shapeStr(getLhs().getType()) << " and gradient "
                         << shapeStr(getRhs().getType());
  for (int axis : {2, 3})
    if (windowOutputSize(x[axis], w[2], getStride(), getDilation(),
                         getPadding()) != dy[axis])
      return emitOpError() << "gradient " << shapeStr(getRhs().getType())
                           << " is not the convolution's output size for input "
                           << shapeStr(getLhs().getType());
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  if (failed(sameElementType(*this)))
    return failure();
  auto y = shapeOf(getOutput());
  int64_t channels = 0;
  for (Value in : getInputs()) {
    auto s = shapeOf(in);
    if (!sameBatch(s[0], y[0]) || s[2] != y[2] || s[3] != y[3])
      return emitOpError() << "input " << shapeStr(in.getType())
                           << " does not match the result's batch and size "
                           << shapeStr(getOutput().getType());
    channels += s[1];
  }
  if (channels != y[1])
    return emitOpError() << "inputs have " << channels
                         << " channels in all, the result " << y[1];
  return success();
}

/// `part` is channels [offset, offset + C) of `whole` (slice and its
/// adjoint embed): same batch and size, and the window inside `whole`.
static LogicalResult verifyChannelWindow(Operation *op, Value whole,
                                         Value part, int64_t offset,
                                         StringRef wholeWhat) {
  if (failed(sameElementType(op)))
    return failure();
  Value in = op->getOperand(0), out = op->getResult(0);
  auto x = shapeOf(in), y = shapeOf(out);
  if (!sameBatch(x[0], y[0]) || x[2] != y[2] || x[3] != y[3])
    return op->emitOpError() << "result " << shapeStr(out.getType())
                             << " must keep the batch and size of "
                             << shapeStr(in.getType());
  int64_t c = shapeOf(part)[1];
  if (offset + c > shapeOf(whole)[1])
    return op->emitOpError() << "channels [" << offset << ", " << offset + c
                             << ") are outside the " << wholeWhat << "'s "
                             << shapeOf(whole)[1];
  return success();
}

LogicalResult SliceOp::verify() {
  return verifyChannelWindow(*this, getInput(), getOutput(), getOffset(),
                             "input");
}

LogicalResult AxpbyOp::verify() {
  if (failed(staticExceptBatch(*this)))
    return failure();
  if (!isa<FloatType>(getOutput().getType().getElementType()))
    return emitOpError() << "expects float tensors";
  return success();
}

LogicalResult ScaleOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  if (getInput().getType() != getOutput().getType())
    return emitOpError() << "result type must equal the input type";
  return checkVector(*this, getFactor(), shapeOf(getInput())[1], "factor",
                     /*allowScalar=*/true);
}

LogicalResult BiasAddOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  if (getInput().getType() != getOutput().getType())
    return emitOpError() << "result type must equal the input type";
  return checkVector(*this, getBias(), shapeOf(getInput())[1], "bias");
}

LogicalResult ThresholdOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  if (getInput().getType() != getOutput().getType())
    return emitOpError() << "result type must equal the input type";
  if (getThreshold())
    return checkVector(*this, getThreshold(), shapeOf(getInput())[1],
                       "threshold");
  return success();
}

LogicalResult ThresholdMaskOp::verify() {
  if (failed(staticExceptBatch(*this)))
    return failure();
  if (getOutputOfThreshold().getType() != getMask().getType())
    return emitOpError() << "mask type must equal the input type";
  return success();
}

static LogicalResult verifyBatchNorm(Operation *op) {
  if (failed(sameElementType(op)))
    return failure();
  Value x = op->getOperand(0);
  if (x.getType() != op->getResult(0).getType())
    return op->emitOpError() << "result type must equal the input type";
  int64_t c = shapeOf(x)[1];
  const char *names[] = {"weight", "bias", "running_mean", "running_var"};
  for (int i = 0; i < 4; ++i)
    if (failed(checkVector(op, op->getOperand(i + 1), c, names[i])))
      return failure();
  for (Value r : op->getResults().drop_front())
    if (failed(checkVector(op, r, c, "statistics result")))
      return failure();
  return success();
}

LogicalResult BatchNormEvalOp::verify() { return verifyBatchNorm(*this); }
LogicalResult BatchNormTrainOp::verify() { return verifyBatchNorm(*this); }

static LogicalResult verifyPool(Operation *op, int64_t k, int64_t stride,
                                int64_t padding) {
  if (failed(sameElementType(op)))
    return failure();
  auto x = shapeOf(op->getOperand(0)), y = shapeOf(op->getResult(0));
  if (x[1] != y[1] || !sameBatch(x[0], y[0]))
    return op->emitOpError() << "result " << shapeStr(op->getResult(0).getType())
                             << " must keep the batch and channels of "
                             << shapeStr(op->getOperand(0).getType());
  if (2 * padding > k)
    return op->emitOpError() << "padding " << padding
                             << " is more than half the window " << k;
  return checkWindow(op, x, y, k, stride, 1, padding, "input", "result");
}

LogicalResult MaxPoolOp::verify() {
  return verifyPool(*this, getKernel(), getStride(), getPadding());
}
LogicalResult AvgPoolOp::verify() {
  return verifyPool(*this, getKernel(), getStride(), getPadding());
}

LogicalResult GlobalAvgPoolOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x[1] != y[1] || !sameBatch(x[0], y[0]) || y[2] != 1 || y[3] != 1)
    return emitOpError() << "result must be [N, " << x[1] << ", 1, 1], got "
                         << shapeStr(getOutput().getType());
  return success();
}

LogicalResult LinearOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto x = shapeOf(getInput()), w = shapeOf(getWeight()),
       y = shapeOf(getOutput());
  int64_t features = x[1] * x[2] * x[3];
  if (w[1] != features)
    return emitOpError() << "weight " << shapeStr(getWeight().getType())
                         << " expects " << w[1] << " features, the input "
                         << shapeStr(getInput().getType()) << " has "
                         << features;
  if (y[1] != w[0] || y[2] != 1 || y[3] != 1 || !sameBatch(x[0], y[0]))
    return emitOpError() << "result must be [N, " << w[0] << ", 1, 1], got "
                         << shapeStr(getOutput().getType());
  if (getBias())
    return checkVector(*this, getBias(), w[0], "bias");
  return success();
}

LogicalResult ShortcutOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto x = shapeOf(getInput()), y = shapeOf(getOutput());
  int64_t s = getStride();
  if (y[1] < x[1] || !sameBatch(x[0], y[0]) || y[2] != (x[2] - 1) / s + 1 ||
      y[3] != (x[3] - 1) / s + 1)
    return emitOpError() << "result " << shapeStr(getOutput().getType())
                         << " must be the input " << shapeStr(getInput().getType())
                         << " subsampled by " << s
                         << " with at least its channels";
  return success();
}

LogicalResult SoftmaxCrossEntropyOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto z = shapeOf(getLogits()), l = shapeOf(getLabels());
  if (z[2] != 1 || z[3] != 1)
    return emitOpError() << "expects logits [N, K, 1, 1], got "
                         << shapeStr(getLogits().getType());
  if (!sameBatch(z[0], l[0]))
    return emitOpError() << "has " << z[0] << " logits rows but " << l[0]
                         << " labels";
  return success();
}

LogicalResult L1NormOp::verify() { return sameElementType(*this); }

//===----------------------------------------------------------------------===//
// Measurements
//===----------------------------------------------------------------------===//

/// A collective's operand: floats, of a size the program knows (the
/// runtime reduces a buffer of that many elements on every replica).
static LogicalResult verifyReplicaOperand(Operation *op, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  if (!isa<FloatType>(type.getElementType()))
    return op->emitOpError() << "expects a float tensor, got " << type;
  if (!type.hasStaticShape())
    return op->emitOpError() << "expects a static shape, got " << type;
  return success();
}

LogicalResult ReplicaMeanOp::verify() {
  return verifyReplicaOperand(*this, getInput());
}

LogicalResult ReplicaSumOp::verify() {
  return verifyReplicaOperand(*this, getInput());
}

LogicalResult ReplicaMeanStartOp::verify() {
  if (failed(verifyReplicaOperand(*this, getInput())))
    return failure();
  // The pending mean is not a value: only its wait may take it.
  Value pending = getOutput();
  if (!pending.hasOneUse() ||
      !isa<ReplicaMeanWaitOp>(*pending.getUsers().begin()))
    return emitOpError()
           << "result must have exactly one use, a cst.replica_mean_wait";
  return success();
}

LogicalResult ReplicaMeanWaitOp::verify() {
  if (!getInput().getDefiningOp<ReplicaMeanStartOp>())
    return emitOpError() << "operand must be a cst.replica_mean_start's "
                            "result";
  return success();
}

LogicalResult ZeroFractionOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (!isa<FloatType>(in.getElementType()))
    return emitOpError() << "expects a float tensor, got " << in;
  if (out.getRank() != 0)
    return emitOpError() << "result must be a rank-0 tensor, got " << out;
  if (out.getElementType() != in.getElementType())
    return emitOpError() << "result element type " << out.getElementType()
                         << " differs from the input's "
                         << in.getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// Backward-pass ops
//===----------------------------------------------------------------------===//

/// `grad` has exactly the type of the forward value `like` it is the
/// gradient of.
static LogicalResult sameTypeAs(Operation *op, Value grad, Value like,
                                StringRef gradWhat, StringRef likeWhat) {
  if (grad.getType() == like.getType())
    return success();
  return op->emitOpError() << gradWhat << " " << shapeStr(grad.getType())
                           << " must have the type of the " << likeWhat << " "
                           << shapeStr(like.getType());
}

LogicalResult MulOp::verify() { return sameElementType(*this); }
LogicalResult SignOp::verify() { return sameElementType(*this); }

LogicalResult EmbedOp::verify() {
  return verifyChannelWindow(*this, getOutput(), getInput(), getOffset(),
                             "result");
}

LogicalResult ReduceChannelsOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  if (getOther() && failed(sameTypeAs(*this, getOther(), getInput(), "other",
                                      "input")))
    return failure();
  return checkVector(*this, getOutput(), shapeOf(getInput())[1], "result",
                     /*allowScalar=*/true);
}

LogicalResult BatchNormGradOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  if (failed(sameTypeAs(*this, getOutputGrad(), getInput(), "output_grad",
                        "input")) ||
      failed(sameTypeAs(*this, getInputGrad(), getInput(), "input_grad",
                        "input")))
    return failure();
  int64_t c = shapeOf(getInput())[1];
  for (auto [v, what] : {std::pair{getWeight(), "weight"},
                         std::pair{getBatchMean(), "batch_mean"},
                         std::pair{getBatchInvStd(), "batch_inv_std"},
                         std::pair{getWeightGrad(), "weight_grad"},
                         std::pair{getBiasGrad(), "bias_grad"}})
    if (failed(checkVector(*this, v, c, what)))
      return failure();
  return success();
}

LogicalResult MaxPoolGradOp::verify() {
  if (failed(sameTypeAs(*this, getInputGrad(), getInput(), "input_grad",
                        "input")) ||
      failed(sameTypeAs(*this, getOutputGrad(), getOutput(), "output_grad",
                        "output")))
    return failure();
  // The forward pool's own check, on (input -> output).
  if (failed(sameElementType(*this)))
    return failure();
  auto x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x[1] != y[1])
    return emitOpError() << "output " << shapeStr(getOutput().getType())
                         << " must keep the channels of "
                         << shapeStr(getInput().getType());
  return checkWindow(*this, x, y, getKernel(), getStride(), 1, getPadding(),
                     "input", "output");
}

LogicalResult AvgPoolGradOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto dy = shapeOf(getOutputGrad()), dx = shapeOf(getInputGrad());
  if (dx[1] != dy[1] || !sameBatch(dx[0], dy[0]))
    return emitOpError() << "input_grad " << shapeStr(getInputGrad().getType())
                         << " must keep the batch and channels of "
                         << shapeStr(getOutputGrad().getType());
  for (int axis : {2, 3})
    if (windowOutputSize(dx[axis], getKernel(), getStride(), 1,
                         getPadding()) != dy[axis])
      return emitOpError() << "input_grad " << shapeStr(getInputGrad().getType())
                           << " is not a size the pool maps to "
                           << shapeStr(getOutputGrad().getType());
  return success();
}

LogicalResult GlobalAvgPoolGradOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto dy = shapeOf(getOutputGrad()), dx = shapeOf(getInputGrad());
  if (dx[1] != dy[1] || !sameBatch(dx[0], dy[0]) || dy[2] != 1 || dy[3] != 1)
    return emitOpError() << "output_grad must be [N, " << dx[1]
                         << ", 1, 1], got " << shapeStr(getOutputGrad().getType());
  return success();
}

LogicalResult LinearGradInputOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto dy = shapeOf(getOutputGrad()), w = shapeOf(getWeight()),
       dx = shapeOf(getInputGrad());
  if (dy[1] != w[0] || dy[2] != 1 || dy[3] != 1 || !sameBatch(dx[0], dy[0]) ||
      dx[1] * dx[2] * dx[3] != w[1])
    return emitOpError() << "weight " << shapeStr(getWeight().getType())
                         << " does not connect output_grad "
                         << shapeStr(getOutputGrad().getType())
                         << " and input_grad "
                         << shapeStr(getInputGrad().getType());
  return success();
}

LogicalResult LinearGradWeightOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto x = shapeOf(getInput()), dy = shapeOf(getOutputGrad()),
       w = shapeOf(getWeightGrad());
  if (dy[1] != w[0] || dy[2] != 1 || dy[3] != 1 || !sameBatch(x[0], dy[0]) ||
      x[1] * x[2] * x[3] != w[1])
    return emitOpError() << "weight_grad " << shapeStr(getWeightGrad().getType())
                         << " does not connect input "
                         << shapeStr(getInput().getType()) << " and output_grad "
                         << shapeStr(getOutputGrad().getType());
  return success();
}

LogicalResult ShortcutGradOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  auto dy = shapeOf(getOutputGrad()), dx = shapeOf(getInputGrad());
  int64_t s = getStride();
  if (dy[1] < dx[1] || !sameBatch(dx[0], dy[0]) ||
      dy[2] != (dx[2] - 1) / s + 1 || dy[3] != (dx[3] - 1) / s + 1)
    return emitOpError() << "output_grad " << shapeStr(getOutputGrad().getType())
                         << " is not the shortcut (stride " << s << ") of "
                         << shapeStr(getInputGrad().getType());
  return success();
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  if (failed(sameTypeAs(*this, getLogitsGrad(), getLogits(), "logits_grad",
                        "logits")))
    return failure();
  auto z = shapeOf(getLogits()), l = shapeOf(getLabels());
  if (z[2] != 1 || z[3] != 1)
    return emitOpError() << "expects logits [N, K, 1, 1], got "
                         << shapeStr(getLogits().getType());
  if (!sameBatch(z[0], l[0]))
    return emitOpError() << "has " << z[0] << " logits rows but " << l[0]
                         << " labels";
  return success();
}

LogicalResult L1NormGradOp::verify() {
  if (failed(sameElementType(*this)))
    return failure();
  return sameTypeAs(*this, getInputGrad(), getInput(), "input_grad", "input");
}

//===----------------------------------------------------------------------===//
// Optimiser updates
//===----------------------------------------------------------------------===//

/// The parameter is a static float tensor; every other tensor named in
/// `same` has its type; `hyper` is tensor<8xT> of the same element type.
static LogicalResult
verifyUpdate(Operation *op, Value param, Value hyper,
             FloatAttr lrScale,
             ArrayRef<std::pair<Value, StringRef>> same) {
  if (lrScale && !(lrScale.getValueAsDouble() > 0 &&
                   std::isfinite(lrScale.getValueAsDouble())))
    return op->emitOpError() << "expects a positive finite lr_scale, got "
                             << lrScale.getValueAsDouble();
  auto p = cast<RankedTensorType>(param.getType());
  if (!isa<FloatType>(p.getElementType()))
    return op->emitOpError() << "expects a float parameter, got " << p;
  if (!p.hasStaticShape())
    return op->emitOpError() << "expects a parameter of static shape, got "
                             << shapeStr(p);
  for (auto [v, what] : same)
    if (v && v.getType() != p)
      return op->emitOpError() << what << " has type " << v.getType()
                               << ", expected the parameter's " << p;
  auto h = cast<RankedTensorType>(hyper.getType());
  if (h.getShape() != ArrayRef<int64_t>{8} ||
      h.getElementType() != p.getElementType())
    return op->emitOpError()
           << "expects hyper of type "
           << RankedTensorType::get({8}, p.getElementType()) << ", got " << h;
  return success();
}

LogicalResult SgdUpdateOp::verify() {
  if (getNesterov() && !getMomentumBuffer())
    return emitOpError() << "nesterov needs a momentum buffer";
  if (static_cast<bool>(getMomentumBuffer()) !=
      static_cast<bool>(getNewMomentumBuffer()))
    return emitOpError() << (getMomentumBuffer()
                                 ? "has a momentum buffer but no new buffer "
                                   "result"
                                 : "returns a new momentum buffer but has "
                                   "no momentum buffer operand");
  return verifyUpdate(*this, getParam(), getHyper(), getLrScaleAttr(),
                      {{getGrad(), "grad"},
                       {getMomentumBuffer(), "momentum_buffer"},
                       {getNewParam(), "new_param"},
                       {getNewMomentumBuffer(), "new_momentum_buffer"}});
}

LogicalResult AdamUpdateOp::verify() {
  return verifyUpdate(*this, getParam(), getHyper(), getLrScaleAttr(),
                      {{getGrad(), "grad"},
                       {getExpAvg(), "exp_avg"},
                       {getExpAvgSq(), "exp_avg_sq"},
                       {getNewParam(), "new_param"},
                       {getNewExpAvg(), "new_exp_avg"},
                       {getNewExpAvgSq(), "new_exp_avg_sq"}});
}
