//===- UnfoldPursuits.cpp - csc.pursuit -> ISTA/FISTA iterations ----------===//
//
// docs/design.md §1, written once for any dictionary: the pass only applies
// D^T and D (csc.analysis / csc.synthesis), never looks inside the
// dictionary; csc-expand-dictionaries derives those from the blocks.
//
// The op that defines each pursuit's final code gets `csc.code = "NAME"`,
// the layer's name (from its parameters' names), which csc-lower-to-cst
// carries over as `cst.code` and cst-code-sparsity reports on.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <optional>

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCUNFOLDPURSUITS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

// PyTorch's BatchNorm2d defaults, which the language's pursuits use.
constexpr double kBnEps = 1e-5;
constexpr double kBnMomentum = 0.1;

RankedTensorType activation(Type elem, int64_t c, int64_t h, int64_t w) {
  return RankedTensorType::get({ShapedType::kDynamic, c, h, w}, elem);
}

/// Emits the pieces every pursuit is made of, at one location.
struct Emitter {
  OpBuilder &b;
  Location loc;

  Value axpby(Value x, Value y, double alpha, double beta) {
    return cst::AxpbyOp::create(b, loc, x.getType(), x, y,
                                b.getF64FloatAttr(alpha),
                                b.getF64FloatAttr(beta));
  }
  /// c v, or v when there is no learned step (c = 1).
  Value scale(Value v, Value c) {
    return c ? Value(cst::ScaleOp::create(b, loc, v.getType(), v, c)) : v;
  }
  RankedTensorType codeType(Value dict, Type signalType) {
    auto x = cast<RankedTensorType>(signalType);
    auto [h, w] = *dict.getDefiningOp<csc::DictionaryOp>().analysisSize(
        x.getDimSize(2), x.getDimSize(3));
    return activation(x.getElementType(),
                      cast<csc::DictType>(dict.getType()).getCode(), h, w);
  }
  Value analysis(Value dict, Value x) {
    return csc::AnalysisOp::create(b, loc, codeType(dict, x.getType()), dict,
                                   x);
  }
  Value synthesis(Value dict, Value g, Type signalType) {
    return csc::SynthesisOp::create(b, loc, signalType, dict, g);
  }
  /// D^T D g for a code g of a signal of type `signalType`.
  Value gram(Value dict, Value g, Type signalType) {
    return analysis(dict, synthesis(dict, g, signalType));
  }
};

/// The learned tensors of one pursuit level and its prox P_t.
struct Level {
  Value dict;
  Value step;      // tensor<1> or tensor<K>; null: c = 1
  Value threshold; // tensor<K>; null: b = 0
  cst::ThresholdKind proxKind;
  csc::BnPlacement bn;
  csc::BnAffine affine;
  ArrayRef<Value> bnParams;
  int64_t iterations = 1;

  /// The batch norm of iteration t (bn = prox) or of D^T X (bn = analysis,
  /// t = 0): csc.pursuit's layout is the affine parameters (once or per
  /// iteration), then the running statistics (per iteration, or once).
  Value batchNorm(Emitter &e, Value z, int64_t t) {
    bool perIter = affine == csc::BnAffine::PerIter;
    int64_t affineCount = perIter ? 2 * iterations : 2;
    int64_t a = perIter ? 2 * t : 0;
    int64_t s = affineCount + (bn == csc::BnPlacement::Prox ? 2 * t : 0);
    return csc::BatchNormOp::create(e.b, e.loc, z.getType(), z, bnParams[a],
                                    bnParams[a + 1], bnParams[s],
                                    bnParams[s + 1],
                                    e.b.getF64FloatAttr(kBnEps),
                                    e.b.getF64FloatAttr(kBnMomentum));
  }

  /// P_b(BN_t(z)) (batch norm only with bn = prox).
  Value prox(Emitter &e, Value z, int64_t t) {
    if (bn == csc::BnPlacement::Prox)
      z = batchNorm(e, z, t);
    return cst::ThresholdOp::create(e.b, e.loc, z.getType(), z, threshold,
                                    proxKind);
  }

  int64_t bnParamCount() const {
    return csc::pursuitBnTensorCount(bn, affine, iterations);
  }
};

/// The cst threshold that computes a pursuit's proximal map.
cst::ThresholdKind thresholdKind(csc::Prox prox) {
  switch (prox) {
  case csc::Prox::Relu:
    return cst::ThresholdKind::Relu;
  case csc::Prox::Soft:
    return cst::ThresholdKind::Soft;
  case csc::Prox::Hard:
    return cst::ThresholdKind::Hard;
  }
  llvm_unreachable("unknown proximal map");
}

/// One threshold per code channel. `threshold = conv_channels` gives
/// values only for the channels of convolution blocks: identity blocks get
/// b = 0, so the vector is assembled from slices.
Value fullThreshold(OpBuilder &b, Location loc, Value dict, Value threshold) {
  if (!threshold)
    return threshold;
  auto type = cast<RankedTensorType>(threshold.getType());
  int64_t k = cast<csc::DictType>(dict.getType()).getCode();
  if (type.getDimSize(0) == k)
    return threshold;
  auto fullType = RankedTensorType::get({k}, type.getElementType());
  Value full = arith::ConstantOp::create(
      b, loc, fullType,
      DenseElementsAttr::get(fullType, b.getFloatAttr(type.getElementType(), 0.0)));
  SmallVector<Value> blocks{dict};
  if (auto stack = dict.getDefiningOp<csc::VStackOp>())
    blocks.assign(stack.getBlocks().begin(), stack.getBlocks().end());
  int64_t codeOffset = 0, convOffset = 0;
  for (Value block : blocks) {
    int64_t width = cast<csc::DictType>(block.getType()).getCode();
    if (!block.getDefiningOp<csc::IdentityOp>()) {
      auto sliceType = RankedTensorType::get({width}, type.getElementType());
      Value part = tensor::ExtractSliceOp::create(
          b, loc, sliceType, threshold, ValueRange{}, ValueRange{},
          ValueRange{}, b.getDenseI64ArrayAttr({convOffset}),
          b.getDenseI64ArrayAttr({width}), b.getDenseI64ArrayAttr({1}));
      full = tensor::InsertSliceOp::create(
          b, loc, part, full, ValueRange{}, ValueRange{}, ValueRange{},
          b.getDenseI64ArrayAttr({codeOffset}),
          b.getDenseI64ArrayAttr({width}), b.getDenseI64ArrayAttr({1}));
      convOffset += width;
    }
    codeOffset += width;
  }
  return full;
}

/// FISTA's t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2 and the momentum
/// (t_k - 1) / t_{k+1}, for k = 1, 2, ... (t_1 = 1).
struct Momentum {
  double t = 1.0;
  double next() {
    double tNext = (1.0 + std::sqrt(1.0 + 4.0 * t * t)) / 2.0;
    double mu = (t - 1.0) / tNext;
    t = tNext;
    return mu;
  }
};

Value unfoldPursuit(csc::PursuitOp op) {
  OpBuilder b(op);
  Emitter e{b, op.getLoc()};
  Value x = op.getInput(), dict = op.getDict(), g0 = op.getInit();
  Level level{dict,
              op.getStep(),
              fullThreshold(b, op.getLoc(), dict, op.getThreshold()),
              thresholdKind(op.getProx()),
              op.getBn(),
              op.getBnAffine(),
              {},
              static_cast<int64_t>(op.getUnfold()) + 1};
  SmallVector<Value> bnParams(op.getBnParams());
  level.bnParams = bnParams;

  // c D^T X, the same in every iteration (with bn = analysis: c BN(D^T X)).
  Value dtx = e.analysis(dict, x);
  if (level.bn == csc::BnPlacement::Analysis)
    dtx = level.batchNorm(e, dtx, 0);
  Value cDtX = e.scale(dtx, level.step);

  // First step: P_b(k G0 + c D^T X + g D^T D G0); with G0 = 0, P_b(c D^T X).
  Value z = cDtX;
  if (g0) {
    if (op.getKeepInit())
      z = e.axpby(z, g0, 1.0, 1.0);
    switch (op.getGram()) {
    case csc::Gram::On:
      z = e.axpby(z, e.scale(e.gram(dict, g0, x.getType()), level.step), 1.0,
                  -1.0);
      break;
    case csc::Gram::Learned:
      z = e.axpby(z, e.scale(e.gram(dict, g0, x.getType()), op.getGramCoeff()),
                  1.0, 1.0);
      break;
    case csc::Gram::Off:
      break;
    }
  }
  Value g = level.prox(e, z, 0);

  // Unfoldings: G <- P_b(Z - c D^T D Z + c D^T X), Z = G (ISTA) or the
  // FISTA extrapolation from the previous code (G0, or 0).
  Value prev = g0;
  Momentum momentum;
  for (int64_t k = 1; k <= static_cast<int64_t>(op.getUnfold()); ++k) {
    Value zk = g;
    if (op.getSolver() == csc::Solver::Fista) {
      double mu = momentum.next();
      if (mu != 0.0)
        zk = prev ? e.axpby(g, prev, 1.0 + mu, -mu) : e.axpby(g, g, 1.0 + mu, 0.0);
    }
    prev = g;
    Value step = e.axpby(zk, e.scale(e.gram(dict, zk, x.getType()), level.step),
                         1.0, -1.0);
    g = level.prox(e, e.axpby(step, cDtX, 1.0, 1.0), k);
  }
  return g;
}

Value unfoldStack(csc::StackedPursuitOp op) {
  OpBuilder b(op);
  Emitter e{b, op.getLoc()};
  auto dicts = op.getDicts();
  size_t d = dicts.size();
  int64_t iterations = op.getUnfold() + 1;
  SmallVector<Value> bnParams(op.getBnParams());
  SmallVector<Level> levels;
  size_t bnOffset = 0;
  for (size_t i = 0; i < d; ++i) {
    Level l{dicts[i],
            op.getSteps().empty() ? Value() : op.getSteps()[i],
            op.getThresholds().empty()
                ? Value()
                : fullThreshold(b, op.getLoc(), dicts[i], op.getThresholds()[i]),
            thresholdKind(op.getProx()),
            op.getBn(),
            op.getBnAffine(),
            {},
            iterations};
    int64_t count = l.bnParamCount();
    l.bnParams = ArrayRef<Value>(bnParams).slice(bnOffset, count);
    bnOffset += count;
    levels.push_back(l);
  }

  // Encode: G_i = P_i(c_i D_i^T G_{i-1}), G_0 = X.
  SmallVector<Value> codes{op.getInput()};
  for (size_t i = 1; i <= d; ++i) {
    Level &l = levels[i - 1];
    codes.push_back(
        l.prox(e, e.scale(e.analysis(l.dict, codes[i - 1]), l.step), 0));
  }
  SmallVector<Type> types;
  for (Value c : codes)
    types.push_back(c.getType());

  Value prevTop = codes[d];
  Momentum momentum;
  for (int64_t k = 1; k < iterations; ++k) {
    if (op.getSolver() == csc::Solver::Fista) { // momentum on the top code only
      double mu = momentum.next();
      Value top = codes[d];
      if (mu != 0.0)
        codes[d] = e.axpby(top, prevTop, 1.0 + mu, -mu);
      prevTop = top;
    }
    for (size_t i = d; i >= 2; --i) // backward sweep: G_{i-1} = D_i G_i
      codes[i - 1] = e.synthesis(levels[i - 1].dict, codes[i], types[i - 1]);
    for (size_t i = 1; i <= d; ++i) { // forward sweep
      Level &l = levels[i - 1];
      Value grad = e.axpby(e.gram(l.dict, codes[i], types[i - 1]),
                           e.analysis(l.dict, codes[i - 1]), 1.0, -1.0);
      codes[i] = l.prox(e, e.axpby(codes[i], e.scale(grad, l.step), 1.0, -1.0),
                        k);
    }
  }
  return codes[d];
}

/// The layer of a pursuit parameter, from the names MLIRGen gives:
/// NAME.step, NAME.threshold, NAME.gram, NAME.bn[.T].{weight, bias,
/// running_mean, running_var}, NAME.dict.B[.A].weight; a stacked
/// pursuit's level I has NAME.I.<the same>. None for any other name.
/// (The suffixes are matched, not a common prefix taken, so that a
/// pursuit whose only parameter is one filter is still named NAME.)
std::optional<std::string> layerOf(StringRef name, bool stacked) {
  SmallVector<StringRef> c;
  name.split(c, '.');
  auto number = [](StringRef s) {
    return !s.empty() && llvm::all_of(s, llvm::isDigit);
  };
  size_t n = c.size(), cut = n;
  StringRef last = c.back();
  if (last == "step" || last == "threshold" || last == "gram") {
    cut = n - 1;
  } else if (last == "weight" || last == "bias" || last == "running_mean" ||
             last == "running_var") {
    if (n >= 2 && c[n - 2] == "bn")
      cut = n - 2;
    else if (n >= 3 && c[n - 3] == "bn" && number(c[n - 2]))
      cut = n - 3;
    else if (last == "weight" && n >= 3 && c[n - 3] == "dict" &&
             number(c[n - 2]))
      cut = n - 3;
    else if (last == "weight" && n >= 4 && c[n - 4] == "dict" &&
             number(c[n - 3]) && number(c[n - 2]))
      cut = n - 4;
  }
  if (cut == n || cut == 0)
    return std::nullopt;
  if (stacked) { // NAME.I: drop the level
    if (cut < 2 || !number(c[cut - 1]))
      return std::nullopt;
    --cut;
  }
  return llvm::join(ArrayRef<StringRef>(c).take_front(cut), ".");
}

/// The names of the parameters a pursuit reads: its own operands and the
/// filters of its dictionaries (not its input or warm start, which are
/// other layers' values).
void paramNames(Value v, SmallVectorImpl<StringRef> &names) {
  if (auto p = v.getDefiningOp<csc::ParamOp>()) {
    names.push_back(p.getName());
    return;
  }
  if (auto d = v.getDefiningOp<csc::DictionaryOp>())
    for (Value operand : d->getOperands())
      paramNames(operand, names);
}

/// The layer's name shared by the parameters of pursuit `op` (the common
/// dotted prefix if they disagree), or "" when it has none.
std::string codeName(Operation *op) {
  bool stacked = isa<csc::StackedPursuitOp>(op);
  SmallVector<StringRef> names;
  for (OpOperand &operand : op->getOpOperands()) {
    Value v = operand.get();
    if (auto p = dyn_cast<csc::PursuitOp>(op))
      if (v == p.getInput() || v == p.getInit())
        continue;
    if (auto p = dyn_cast<csc::StackedPursuitOp>(op))
      if (v == p.getInput())
        continue;
    paramNames(v, names);
  }
  std::optional<SmallVector<StringRef>> common;
  SmallVector<std::string> layers; // owns the strings `common` points into
  for (StringRef name : names)
    if (std::optional<std::string> layer = layerOf(name, stacked))
      layers.push_back(*layer);
  for (const std::string &layer : layers) {
    SmallVector<StringRef> c;
    StringRef(layer).split(c, '.');
    if (!common) {
      common = c;
      continue;
    }
    size_t k = 0;
    while (k < common->size() && k < c.size() && (*common)[k] == c[k])
      ++k;
    common->resize(k);
  }
  if (!common || common->empty())
    return "";
  return llvm::join(*common, ".");
}

struct UnfoldPursuitsPass
    : mlir::cscc::impl::CscUnfoldPursuitsBase<UnfoldPursuitsPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    bool unranked = false;
    fn.walk([&](Operation *op) {
      if (!isa<csc::PursuitOp, csc::StackedPursuitOp>(op))
        return;
      for (Type t : op->getOperandTypes())
        if (isa<UnrankedTensorType>(t))
          unranked = true;
      if (isa<UnrankedTensorType>(op->getResult(0).getType()))
        unranked = true;
    });
    if (unranked) {
      fn.emitError("csc-unfold-pursuits needs shapes: run csc-infer-shapes "
                   "first");
      return signalPassFailure();
    }
    SmallVector<Operation *> pursuits;
    bool opaqueDict = false;
    fn.walk([&](Operation *op) {
      if (!isa<csc::PursuitOp, csc::StackedPursuitOp>(op))
        return;
      pursuits.push_back(op);
      for (Value v : op->getOperands())
        if (isa<csc::DictType>(v.getType()) &&
            !v.getDefiningOp<csc::DictionaryOp>()) {
          op->emitOpError("needs its dictionary built by csc dictionary ops "
                          "(identity, conv_atom, compose, vstack) to unfold it");
          opaqueDict = true;
        }
    });
    if (opaqueDict)
      return signalPassFailure();
    // Each code's name: its layer's, else (or if taken) "pursuit.K", K
    // the pursuit's index in program order.
    llvm::StringSet<> taken;
    SmallVector<std::string> codeNames;
    for (Operation *op : pursuits) {
      std::string name = codeName(op);
      if (name.empty() || taken.contains(name))
        name = "pursuit." + std::to_string(codeNames.size());
      taken.insert(name);
      codeNames.push_back(name);
    }
    for (auto [op, name] : llvm::zip(pursuits, codeNames)) {
      Value code = isa<csc::PursuitOp>(op)
                       ? unfoldPursuit(cast<csc::PursuitOp>(op))
                       : unfoldStack(cast<csc::StackedPursuitOp>(op));
      if (Operation *def = code.getDefiningOp())
        def->setAttr("csc.code", StringAttr::get(op->getContext(), name));
      op->getResult(0).replaceAllUsesWith(code);
      op->erase();
    }
  }
};

} // namespace
