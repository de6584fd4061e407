//===- CscOps.cpp - Verifiers and shape rules of the csc ops --------------===//
//
// Verifiers accept unranked activations (MLIRGen's output); the shape rules
// (ShapeInference, DictionaryOp) check what needs the spatial size.
//
//===----------------------------------------------------------------------===//
#include "dialects/csc/IR/CscDialect.h"

#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <string>

using namespace mlir;
using namespace mlir::csc;

#include "dialects/csc/IR/CscInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/csc/IR/CscOps.cpp.inc"

namespace {

/// "1x16x28x28" with "?" for a dynamic size (the batch).
std::string shapeStr(ShapedType t) {
  if (!t.hasRank())
    return "*";
  std::string s;
  for (auto [i, d] : llvm::enumerate(t.getShape())) {
    if (i)
      s += "x";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return s;
}

RankedTensorType rankedOrNull(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

/// An NCHW activation type with a dynamic batch.
RankedTensorType activationType(Type elem, int64_t c, int64_t h, int64_t w) {
  return RankedTensorType::get({ShapedType::kDynamic, c, h, w}, elem);
}

/// The input as a ranked NCHW tensor, or an error naming the op.
FailureOr<RankedTensorType> nchwInput(Operation *op, Value v,
                                      StringRef what = "input") {
  auto t = rankedOrNull(v);
  if (!t)
    return op->emitOpError() << "needs a ranked " << what
                             << " (run after the producer's shape is known)";
  if (t.getRank() != 4)
    return op->emitOpError() << "expects an NCHW " << what
                             << " (rank 4), got tensor<" << shapeStr(t) << ">";
  return t;
}

/// floor((in + 2 p - d (k - 1) - 1) / s) + 1, or failure if the window does
/// not fit.
FailureOr<int64_t> windowSize(int64_t in, int64_t k, int64_t s, int64_t d,
                              int64_t p) {
  int64_t span = in + 2 * p - d * (k - 1) - 1;
  if (span < 0)
    return failure();
  return span / s + 1;
}

LogicalResult checkVector(Operation *op, Value v, int64_t n, StringRef what) {
  auto t = cast<ShapedType>(v.getType());
  if (t.getRank() != 1 || t.getDimSize(0) != n)
    return op->emitOpError() << "expects " << what << " of shape " << n
                             << ", got tensor<" << shapeStr(t) << ">";
  return success();
}

/// Checks the batch-norm operands of one pursuit level: affine weight and
/// bias (once or per iteration), then mean and variance per iteration.
LogicalResult checkPursuitBn(Operation *op, ValueRange params,
                             BnPlacement bn, BnAffine affine, int64_t unfold,
                             int64_t k) {
  size_t expected = static_cast<size_t>(
      pursuitBnTensorCount(bn, affine, unfold + 1));
  if (params.size() != expected)
    return op->emitOpError() << "with bn = \"" << stringifyBnPlacement(bn)
                             << "\", bn_affine = \""
                             << stringifyBnAffine(affine)
                             << "\" and unfold = " << unfold
                             << " expects " << expected
                             << " batch-norm tensors, got " << params.size();
  for (Value p : params)
    if (failed(checkVector(op, p, k, "batch-norm tensors")))
      return failure();
  return success();
}

/// A convolution filter is [out, in, k, k] (square kernels).
LogicalResult checkFilter(Operation *op, ShapedType f) {
  if (f.getRank() != 4 || f.getDimSize(2) != f.getDimSize(3))
    return op->emitOpError() << "expects a filter [out, in, k, k], got tensor<"
                             << shapeStr(f) << ">";
  return success();
}

FailureOr<std::pair<int64_t, int64_t>> dictSize(Operation *user, Value dict,
                                                int64_t h, int64_t w) {
  auto def = dict.getDefiningOp<DictionaryOp>();
  if (!def)
    return user->emitOpError()
           << "needs its dictionary built by csc dictionary ops to know the "
              "code's size";
  return def.analysisSize(h, w);
}

} // namespace

int64_t mlir::csc::pursuitBnTensorCount(BnPlacement bn, BnAffine affine,
                                        int64_t iterations) {
  int64_t affineCount = affine == BnAffine::PerIter ? 2 * iterations : 2;
  switch (bn) {
  case BnPlacement::None:
    return 0;
  case BnPlacement::Prox:
    return affineCount + 2 * iterations;
  case BnPlacement::Analysis:
    return affineCount + 2;
  }
  llvm_unreachable("unknown batch-norm placement");
}

//===----------------------------------------------------------------------===//
// csc.param
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError("needs a non-empty name");
  static const char *kInits[] = {"kaiming", "authors", "zeros", "ones"};
  if (!llvm::is_contained(kInits, getInit()))
    return emitOpError() << "has unknown init \"" << getInit()
                         << "\"; expected kaiming, authors, zeros or ones";
  return success();
}

//===----------------------------------------------------------------------===//
// Dictionaries
//===----------------------------------------------------------------------===//

LogicalResult IdentityOp::verify() {
  DictType t = getDict().getType();
  if (t.getSignal() != t.getCode())
    return emitOpError() << "maps " << t.getSignal() << " channels to "
                         << t.getCode()
                         << "; an identity block keeps the channel count";
  return success();
}

FailureOr<std::pair<int64_t, int64_t>> IdentityOp::analysisSize(int64_t h,
                                                                int64_t w) {
  return std::make_pair(h, w);
}

LogicalResult ConvAtomOp::verify() {
  auto f = cast<ShapedType>(getFilter().getType());
  if (failed(checkFilter(*this, f)))
    return failure();
  DictType t = getDict().getType();
  if (t.getSignal() != f.getDimSize(1) || t.getCode() != f.getDimSize(0))
    return emitOpError() << "has a filter tensor<" << shapeStr(f)
                         << "> that maps " << f.getDimSize(1) << " to "
                         << f.getDimSize(0) << " channels, but its type says "
                         << t.getSignal() << " -> " << t.getCode();
  return success();
}

FailureOr<std::pair<int64_t, int64_t>> ConvAtomOp::analysisSize(int64_t h,
                                                                int64_t w) {
  int64_t k = cast<ShapedType>(getFilter().getType()).getDimSize(2);
  auto oh = windowSize(h, k, getStride(), getDilation(), getPadding());
  auto ow = windowSize(w, k, getStride(), getDilation(), getPadding());
  if (failed(oh) || failed(ow))
    return emitOpError() << "does not fit a " << h << "x" << w
                         << " signal: kernel " << k << " with dilation "
                         << getDilation() << " spans "
                         << getDilation() * (k - 1) + 1 << " pixels, padding "
                         << getPadding();
  return std::make_pair(*oh, *ow);
}

LogicalResult ComposeOp::verify() {
  DictType a = getFirst().getType(), b = getSecond().getType(),
           r = getDict().getType();
  if (a.getCode() != b.getSignal())
    return emitOpError() << "composes " << a.getSignal() << " -> "
                         << a.getCode() << " with " << b.getSignal() << " -> "
                         << b.getCode() << ": the channels do not chain";
  if (r.getSignal() != a.getSignal() || r.getCode() != b.getCode())
    return emitOpError() << "result must be " << a.getSignal() << " -> "
                         << b.getCode();
  return success();
}

FailureOr<std::pair<int64_t, int64_t>> ComposeOp::analysisSize(int64_t h,
                                                               int64_t w) {
  auto mid = dictSize(*this, getFirst(), h, w);
  if (failed(mid))
    return failure();
  return dictSize(*this, getSecond(), mid->first, mid->second);
}

LogicalResult VStackOp::verify() {
  if (getBlocks().empty())
    return emitOpError("needs at least one block");
  DictType r = getDict().getType();
  int64_t code = 0;
  for (auto [i, b] : llvm::enumerate(getBlocks())) {
    auto t = cast<DictType>(b.getType());
    if (t.getSignal() != r.getSignal())
      return emitOpError() << "block " << i << " reads " << t.getSignal()
                           << " signal channels, the dictionary "
                           << r.getSignal();
    code += t.getCode();
  }
  if (code != r.getCode())
    return emitOpError() << "blocks produce " << code
                         << " code channels, the result type says "
                         << r.getCode();
  return success();
}

FailureOr<std::pair<int64_t, int64_t>> VStackOp::analysisSize(int64_t h,
                                                              int64_t w) {
  std::optional<std::pair<int64_t, int64_t>> size;
  for (auto [i, b] : llvm::enumerate(getBlocks())) {
    auto s = dictSize(*this, b, h, w);
    if (failed(s))
      return failure();
    if (size && *size != *s)
      return emitOpError() << "block " << i << " produces a " << s->first
                           << "x" << s->second << " code, block 0 a "
                           << size->first << "x" << size->second
                           << "; the blocks of a dictionary must agree";
    size = *s;
  }
  return *size;
}

LogicalResult AnalysisOp::verify() {
  auto x = rankedOrNull(getSignal()), g = rankedOrNull(getCode());
  DictType d = getDict().getType();
  if (!x || !g || x.getRank() != 4 || g.getRank() != 4)
    return emitOpError("needs ranked NCHW signal and code");
  if (x.getDimSize(1) != d.getSignal() || g.getDimSize(1) != d.getCode())
    return emitOpError() << "maps " << x.getDimSize(1) << " to "
                         << g.getDimSize(1) << " channels, the dictionary "
                         << d.getSignal() << " -> " << d.getCode();
  return success();
}

LogicalResult SynthesisOp::verify() {
  auto g = rankedOrNull(getCode()), x = rankedOrNull(getSignal());
  DictType d = getDict().getType();
  if (!x || !g || x.getRank() != 4 || g.getRank() != 4)
    return emitOpError("needs ranked NCHW code and signal");
  if (x.getDimSize(1) != d.getSignal() || g.getDimSize(1) != d.getCode())
    return emitOpError() << "maps " << g.getDimSize(1) << " code channels to "
                         << x.getDimSize(1) << ", the dictionary "
                         << d.getSignal() << " -> " << d.getCode();
  return success();
}

//===----------------------------------------------------------------------===//
// Pursuit
//===----------------------------------------------------------------------===//

LogicalResult PursuitOp::verify() {
  DictType d = getDict().getType();
  int64_t k = d.getCode();
  if (auto in = rankedOrNull(getInput()))
    if (in.getRank() == 4 && in.getDimSize(1) != d.getSignal())
      return emitOpError() << "input has " << in.getDimSize(1)
                           << " channels, the dictionary reads "
                           << d.getSignal();
  if (Value s = getStep()) {
    auto t = cast<ShapedType>(s.getType());
    if (t.getRank() != 1 || (t.getDimSize(0) != 1 && t.getDimSize(0) != k))
      return emitOpError() << "expects step of shape 1 or " << k
                           << ", got tensor<" << shapeStr(t) << ">";
  }
  if (Value b = getThreshold()) {
    auto t = cast<ShapedType>(b.getType());
    if (t.getRank() != 1 || t.getDimSize(0) < 1 || t.getDimSize(0) > k)
      return emitOpError() << "expects a threshold of at most " << k
                           << " channels, got tensor<" << shapeStr(t) << ">";
  }
  bool learnedGram = getGram() == Gram::Learned && getInit();
  if (learnedGram != bool(getGramCoeff()))
    return emitOpError() << (learnedGram
                                 ? "with gram = \"learned\" and a warm start "
                                   "needs a gram coefficient"
                                 : "has a gram coefficient but gram is not "
                                   "\"learned\" with a warm start");
  if (Value g = getGramCoeff())
    if (failed(checkVector(*this, g, 1, "gram coefficient")))
      return failure();
  return checkPursuitBn(*this, getBnParams(), getBn(), getBnAffine(),
                        getUnfold(), k);
}

LogicalResult PursuitOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  auto size = dictSize(*this, getDict(), in->getDimSize(2), in->getDimSize(3));
  if (failed(size))
    return failure();
  auto out = activationType(in->getElementType(), getDict().getType().getCode(),
                            size->first, size->second);
  if (Value g0 = getInit()) {
    auto t = rankedOrNull(g0);
    if (!t || t.getRank() != 4 ||
        t.getShape().drop_front() != out.getShape().drop_front())
      return emitOpError() << "has a warm start of shape tensor<"
                           << shapeStr(cast<ShapedType>(g0.getType()))
                           << "> but its code is tensor<" << shapeStr(out)
                           << ">";
  }
  getCode().setType(out);
  return success();
}

LogicalResult StackedPursuitOp::verify() {
  auto dicts = getDicts();
  if (dicts.empty())
    return emitOpError("needs at least one dictionary");
  size_t n = dicts.size();
  if (auto in = rankedOrNull(getInput()))
    if (in.getRank() == 4 &&
        in.getDimSize(1) != cast<DictType>(dicts[0].getType()).getSignal())
      return emitOpError() << "input has " << in.getDimSize(1)
                           << " channels, the first dictionary reads "
                           << cast<DictType>(dicts[0].getType()).getSignal();
  for (size_t i = 1; i < n; ++i) {
    auto a = cast<DictType>(dicts[i - 1].getType());
    auto b = cast<DictType>(dicts[i].getType());
    if (a.getCode() != b.getSignal())
      return emitOpError() << "dictionary " << i << " reads " << b.getSignal()
                           << " channels but dictionary " << i - 1
                           << " codes " << a.getCode();
  }
  if (!getSteps().empty() && getSteps().size() != n)
    return emitOpError() << "expects 0 or " << n << " steps, got "
                         << getSteps().size();
  if (!getThresholds().empty() && getThresholds().size() != n)
    return emitOpError() << "expects 0 or " << n << " thresholds, got "
                         << getThresholds().size();
  for (Value s : getSteps())
    if (failed(checkVector(*this, s, 1, "a scalar step")))
      return failure();
  for (auto [t, d] : llvm::zip(getThresholds(), dicts))
    if (failed(checkVector(*this, t, cast<DictType>(d.getType()).getCode(),
                           "a threshold")))
      return failure();
  auto bn = getBnParams();
  if (bn.size() % n != 0)
    return emitOpError() << "has " << bn.size()
                         << " batch-norm tensors, not a multiple of the "
                         << n << " levels";
  size_t per = bn.size() / n;
  for (size_t i = 0; i < n; ++i)
    if (failed(checkPursuitBn(
            *this, bn.slice(i * per, per), getBn(), getBnAffine(),
            getUnfold(), cast<DictType>(dicts[i].getType()).getCode())))
      return failure();
  return success();
}

LogicalResult StackedPursuitOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  int64_t h = in->getDimSize(2), w = in->getDimSize(3);
  for (auto [i, d] : llvm::enumerate(getDicts())) {
    auto size = dictSize(*this, d, h, w);
    if (failed(size))
      return failure();
    if (size->first != h || size->second != w)
      return emitOpError() << "dictionary " << i << " maps " << h << "x" << w
                           << " to " << size->first << "x" << size->second
                           << "; every level of a stacked pursuit keeps the "
                              "spatial size";
  }
  auto top = cast<DictType>(getDicts().back().getType());
  getCode().setType(activationType(in->getElementType(), top.getCode(), h, w));
  return success();
}

//===----------------------------------------------------------------------===//
// Other layers
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  auto f = cast<ShapedType>(getFilter().getType());
  if (failed(checkFilter(*this, f)))
    return failure();
  if (auto in = rankedOrNull(getInput()))
    if (in.getRank() == 4 && in.getDimSize(1) != f.getDimSize(1))
      return emitOpError() << "input has " << in.getDimSize(1)
                           << " channels, the filter tensor<" << shapeStr(f)
                           << "> reads " << f.getDimSize(1);
  if (Value b = getBias())
    return checkVector(*this, b, f.getDimSize(0), "a bias");
  return success();
}

LogicalResult ConvOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  auto f = cast<ShapedType>(getFilter().getType());
  int64_t k = f.getDimSize(2);
  auto oh = windowSize(in->getDimSize(2), k, getStride(), getDilation(),
                       getPadding());
  auto ow = windowSize(in->getDimSize(3), k, getStride(), getDilation(),
                       getPadding());
  if (failed(oh) || failed(ow))
    return emitOpError() << "kernel " << k << " with dilation "
                         << getDilation() << " and padding " << getPadding()
                         << " does not fit the input tensor<"
                         << shapeStr(*in) << ">";
  getOutput().setType(
      activationType(in->getElementType(), f.getDimSize(0), *oh, *ow));
  return success();
}

LogicalResult BatchNormOp::verify() {
  auto w = cast<ShapedType>(getWeight().getType());
  if (w.getRank() != 1)
    return emitOpError() << "expects a per-channel weight, got tensor<"
                         << shapeStr(w) << ">";
  int64_t c = w.getDimSize(0);
  for (Value v : {getBias(), getRunningMean(), getRunningVar()})
    if (failed(checkVector(*this, v, c, "per-channel tensors")))
      return failure();
  if (auto in = rankedOrNull(getInput()))
    if (in.getRank() == 4 && in.getDimSize(1) != c)
      return emitOpError() << "input has " << in.getDimSize(1)
                           << " channels, the batch norm " << c;
  if (getEps().convertToDouble() <= 0)
    return emitOpError("needs eps > 0");
  return success();
}

LogicalResult BatchNormOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  getOutput().setType(*in);
  return success();
}

LogicalResult ReluOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  getOutput().setType(*in);
  return success();
}

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  if (2 * op.getPadding() > op.getKernel())
    return op.emitOpError() << "padding " << op.getPadding()
                            << " is more than half the kernel "
                            << op.getKernel();
  return success();
}

template <typename PoolOp>
static LogicalResult inferPool(PoolOp op) {
  auto in = nchwInput(op, op.getInput());
  if (failed(in))
    return failure();
  auto oh = windowSize(in->getDimSize(2), op.getKernel(), op.getStride(), 1,
                       op.getPadding());
  auto ow = windowSize(in->getDimSize(3), op.getKernel(), op.getStride(), 1,
                       op.getPadding());
  if (failed(oh) || failed(ow))
    return op.emitOpError() << "window " << op.getKernel()
                            << " does not fit the input tensor<"
                            << shapeStr(*in) << ">";
  op.getOutput().setType(
      activationType(in->getElementType(), in->getDimSize(1), *oh, *ow));
  return success();
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AvgPoolOp::verify() { return verifyPool(*this); }
LogicalResult MaxPoolOp::inferShapes() { return inferPool(*this); }
LogicalResult AvgPoolOp::inferShapes() { return inferPool(*this); }

LogicalResult GlobalAvgPoolOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  getOutput().setType(
      activationType(in->getElementType(), in->getDimSize(1), 1, 1));
  return success();
}

LogicalResult LinearOp::verify() {
  auto w = cast<ShapedType>(getWeight().getType());
  if (w.getRank() != 2)
    return emitOpError() << "expects a weight [out, in], got tensor<"
                         << shapeStr(w) << ">";
  if (Value b = getBias())
    return checkVector(*this, b, w.getDimSize(0), "a bias");
  return success();
}

LogicalResult LinearOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  auto w = cast<ShapedType>(getWeight().getType());
  int64_t features = in->getDimSize(1) * in->getDimSize(2) * in->getDimSize(3);
  if (features != w.getDimSize(1))
    return emitOpError() << "input tensor<" << shapeStr(*in) << "> has "
                         << features << " features, the weight tensor<"
                         << shapeStr(w) << "> reads " << w.getDimSize(1);
  getOutput().setType(
      activationType(in->getElementType(), w.getDimSize(0), 1, 1));
  return success();
}

LogicalResult ShortcutOp::verify() {
  if (auto in = rankedOrNull(getInput()))
    if (in.getRank() == 4 && in.getDimSize(1) > getChannels())
      return emitOpError() << "cannot shrink " << in.getDimSize(1)
                           << " channels to " << getChannels()
                           << "; a shortcut only pads channels";
  return success();
}

LogicalResult ShortcutOp::inferShapes() {
  auto in = nchwInput(*this, getInput());
  if (failed(in))
    return failure();
  int64_t s = getStride();
  getOutput().setType(activationType(in->getElementType(), getChannels(),
                                     (in->getDimSize(2) + s - 1) / s,
                                     (in->getDimSize(3) + s - 1) / s));
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::inferShapes() {
  auto in = nchwInput(*this, getLogits(), "logits");
  if (failed(in))
    return failure();
  if (in->getDimSize(2) != 1 || in->getDimSize(3) != 1)
    return emitOpError() << "expects logits N x K x 1 x 1, got tensor<"
                         << shapeStr(*in)
                         << ">; end the model with global_avg_pool or linear";
  getLoss().setType(RankedTensorType::get({}, in->getElementType()));
  return success();
}

LogicalResult L1PenaltyOp::inferShapes() {
  auto in = nchwInput(*this, getCode(), "code");
  if (failed(in))
    return failure();
  getLoss().setType(RankedTensorType::get({}, in->getElementType()));
  return success();
}

LogicalResult TotalLossOp::verify() {
  if (getTerms().empty())
    return emitOpError("needs at least one loss term");
  return success();
}

LogicalResult TotalLossOp::inferShapes() {
  getLoss().setType(cast<RankedTensorType>(getTerms().front().getType()));
  return success();
}
