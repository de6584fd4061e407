//===- SemaLayer.cpp - Layers: shapes, options, parameter counts ----------===//
//
// Each layer statement appends one Layer to the model, with its output
// shape and parameter count checked and computed here.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

#include <algorithm>

namespace cscc {
namespace sema {

void Elaborator::runLayer(const Stmt &s) {
  const Expr &e = *s.expr;
  if (e.kind != Expr::Kind::Name && e.kind != Expr::Kind::Call)
    throw CompileError(e.loc, "expected a layer, found '" + exprToString(e) +
                                  "'",
                       "a statement is a layer such as conv(16, 3); or a "
                       "block call");
  const std::string &callee = e.text;
  if (blocks.count(callee)) {
    requireInput(s);
    runBlockCall(s, e, *blocks.at(callee));
    return;
  }
  static const std::map<std::string, LayerKind> kinds = {
      {"conv", LayerKind::Conv},
      {"bn", LayerKind::BatchNorm},
      {"relu", LayerKind::Relu},
      {"maxpool", LayerKind::MaxPool},
      {"avgpool", LayerKind::AvgPool},
      {"global_avgpool", LayerKind::GlobalAvgPool},
      {"linear", LayerKind::Linear},
      {"shortcut", LayerKind::Shortcut},
      {"pursuit", LayerKind::Pursuit},
      {"stack", LayerKind::Stack}};
  auto it = kinds.find(callee);
  if (it == kinds.end()) {
    std::vector<std::string> all = kLayerNames;
    for (const auto &[n, _] : blocks)
      all.push_back(n);
    std::string extra;
    if (dicts.count(callee))
      extra = "'" + callee + "' is a dictionary; use it in a layer: pursuit(" +
              callee + (e.kind == Expr::Kind::Call ? "(...)" : "") + ")";
    throw CompileError(e.loc, "unknown layer '" + callee + "'" +
                                  didYouMean(callee, all),
                       extra);
  }
  requireInput(s);
  if (model.loss)
    throw CompileError(e.loc, "layer after 'loss'",
                       "the loss applies to the last layer; declare it at "
                       "the end of the model");
  if (!s.name.empty())
    checkLayerNameUnused(s);
  if (s.hasBody && it->second != LayerKind::Stack)
    throw CompileError(e.loc, "only 'stack' takes a body");
  LayerKind k = it->second;
  bool noArgs = k == LayerKind::Relu || k == LayerKind::GlobalAvgPool;
  if (noArgs && e.kind == Expr::Kind::Call && !e.args.empty())
    throw CompileError(e.args.front().value->loc,
                       "'" + callee + "' takes no arguments");
  size_t index = model.layers.size();
  newLayer(k, s, e);
  // newLayer may reallocate; always go through the index.
  auto L = [&]() -> Layer & { return model.layers[index]; };
  switch (k) {
  case LayerKind::Conv:
    if (e.kind != Expr::Kind::Call)
      throw CompileError(e.loc, "'conv' needs output channels and a kernel "
                                "size",
                         "write conv(16, 3, padding = 1)");
    layerConv(L(), e);
    break;
  case LayerKind::BatchNorm: {
    if (e.kind == Expr::Kind::Call) {
      auto a = bindArgs(e, "bn", {"eps", "momentum"}, 0);
      if (a.count("eps")) {
        L().eps = evalReal(*a["eps"]);
        if (!(L().eps > 0))
          throw CompileError(a["eps"]->loc, "bn eps must be positive");
      }
      if (a.count("momentum")) {
        L().momentum = evalReal(*a["momentum"]);
        if (!(L().momentum >= 0 && L().momentum <= 1))
          throw CompileError(a["momentum"]->loc,
                             "bn momentum must be between 0 and 1");
      }
    }
    L().out = L().in;
    L().parameterCount = 2 * L().in.c;
    break;
  }
  case LayerKind::Relu:
    L().out = L().in;
    break;
  case LayerKind::MaxPool:
  case LayerKind::AvgPool:
    layerPool(L(), e);
    break;
  case LayerKind::GlobalAvgPool:
    L().out = Shape{L().in.c, 1, 1};
    break;
  case LayerKind::Linear: {
    if (e.kind != Expr::Kind::Call)
      throw CompileError(e.loc, "'linear' needs the number of outputs",
                         "write linear(10)");
    auto a = bindArgs(e, "linear", {"out", "bias"}, 1);
    Layer &l = L();
    l.channels = evalIntAtLeast(*a["out"], "the number of outputs", 1);
    l.bias = a.count("bias") ? evalBool(*a["bias"], "bias") : true;
    int64_t in = l.in.c * l.in.h * l.in.w;
    if ((long double)l.channels * in > kMaxLayerWeights)
      throw CompileError(e.loc, "linear layer " + std::to_string(in) + " -> " +
                                    std::to_string(l.channels) +
                                    " has too many weights",
                         "reduce the features first, e.g. with global_avgpool");
    l.out = Shape{l.channels, 1, 1};
    l.parameterCount = l.channels * in + (l.bias ? l.channels : 0);
    break;
  }
  case LayerKind::Shortcut: {
    if (e.kind != Expr::Kind::Call)
      throw CompileError(e.loc, "'shortcut' needs a tensor, channels and a "
                                "stride");
    InitRef r = evalTensorRef(e, "the shortcut");
    Layer &l = L();
    l.input = r.tensor;
    l.in = model.tensorShape(r.tensor);
    l.channels = r.channels;
    l.stride = r.stride;
    l.out = Shape{r.channels, (l.in.h + r.stride - 1) / r.stride,
                  (l.in.w + r.stride - 1) / r.stride};
    break;
  }
  case LayerKind::Pursuit:
    layerPursuit(L(), e);
    break;
  case LayerKind::Stack:
    layerStack(L(), s, e);
    break;
  }
  checkActivation(e.loc, "its output", L().out.c, L().out.h, L().out.w);
  current = static_cast<int>(index);
  if (!s.name.empty()) {
    layerNames[L().name] = s.nameLoc;
    Binding t;
    t.kind = Binding::Kind::Tensor;
    t.tensor = current;
    bind(s.name, t, s.nameLoc);
  }
}


Layer &Elaborator::newLayer(LayerKind k, const Stmt &s, const Expr &e) {
  if (static_cast<int64_t>(model.layers.size()) >= kMaxLayers)
    throw CompileError(e.loc, "the model has more than " +
                                  std::to_string(kMaxLayers) + " layers");
  Layer l;
  l.kind = k;
  l.loc = e.loc;
  l.input = current;
  l.in = model.tensorShape(current);
  std::string base = s.name.empty()
                         ? std::string(layerKindName(k)) +
                               std::to_string(model.layers.size())
                         : s.name;
  l.name = s.name.empty() ? layerPath(base) : userLayerPath(base);
  model.layers.push_back(l);
  return model.layers.back();
}

void Elaborator::layerConv(Layer &l, const Expr &e) {
  int64_t oh, ow;
  bool bias = true;
  ConvAtom c = evalConvAtom(e, l.in.c, l.in.h, l.in.w, oh, ow, &bias);
  l.channels = c.out;
  l.kernel = c.kernel;
  l.dilation = c.dilation;
  l.stride = c.stride;
  l.padding = c.padding;
  l.bias = bias;
  l.init = c.init;
  l.out = Shape{c.out, oh, ow};
  l.parameterCount = c.weightCount() + (bias ? c.out : 0);
}

void Elaborator::layerPool(Layer &l, const Expr &e) {
  const char *name = layerKindName(l.kind);
  if (e.kind != Expr::Kind::Call)
    throw CompileError(e.loc, std::string("'") + name + "' needs a kernel size",
                       std::string("write ") + name + "(2)");
  auto a = bindArgs(e, name, {"kernel", "stride", "padding"}, 1);
  l.kernel = evalIntAtLeast(*a["kernel"], "the pooling kernel", 1);
  l.stride = a.count("stride") ? evalIntAtLeast(*a["stride"], "stride", 1)
                               : l.kernel;
  l.padding = a.count("padding") ? evalIntAtLeast(*a["padding"], "padding", 0)
                                 : 0;
  if (2 * l.padding > l.kernel)
    throw CompileError(a["padding"]->loc, "pooling padding must be at most "
                                          "half the kernel");
  checkActivation(e.loc, "its padded input", l.in.c,
                  l.in.h + 2.0L * l.padding, l.in.w + 2.0L * l.padding);
  int64_t oh = windowOutputSize(l.in.h, l.kernel, l.stride, 1, l.padding);
  int64_t ow = windowOutputSize(l.in.w, l.kernel, l.stride, 1, l.padding);
  if (oh <= 0 || ow <= 0)
    throw CompileError(e.loc, std::string(name) + " with kernel " +
                                  std::to_string(l.kernel) +
                                  " does not fit the input " + l.in.str(),
                       "use a smaller kernel or pool earlier");
  l.out = Shape{l.in.c, oh, ow};
}

void Elaborator::pursuitOptions(PursuitOptions &o,
                                const std::map<std::string, const Expr *> &a,
                                bool stack) {
  auto get = [&](const char *k) -> const Expr * {
    auto it = a.find(k);
    return it == a.end() ? nullptr : it->second;
  };
  if (auto *e = get("prox"))
    o.prox = evalKind<Prox>(*e, "prox");
  if (auto *e = get("solver"))
    o.solver = evalKind<Solver>(*e, "solver");
  if (auto *e = get("unfold")) {
    o.unfold = evalInt(*e, "unfold");
    if (o.unfold < 0)
      throw CompileError(e->loc, "unfold must be 0 or more, got " +
                                     std::to_string(o.unfold),
                         "unfold = 0 is the feed-forward layer; each "
                         "unfolding adds one ISTA/FISTA iteration");
    if (o.unfold > 1000)
      throw CompileError(e->loc, "unfold = " + std::to_string(o.unfold) +
                                     " is more than the limit of 1000");
  }
  // A stack has one step and one threshold per level and batch-norms the
  // prox argument only.
  if (auto *e = get("step"))
    o.step = stack ? evalKind(*e, "step", std::vector{Step::Scalar, Step::None})
                   : evalKind<Step>(*e, "step");
  if (auto *e = get("threshold"))
    o.threshold =
        stack ? evalKind(*e, "threshold",
                         std::vector{Threshold::Channel, Threshold::None})
              : evalKind<Threshold>(*e, "threshold");
  if (auto *e = get("bn"))
    o.bn = stack ? evalKind(*e, "bn",
                            std::vector{BnPlacement::None, BnPlacement::Prox})
                 : evalKind<BnPlacement>(*e, "bn");
  if (auto *e = get("bn_affine")) {
    o.bnAffine = evalKind<BnAffine>(*e, "bn_affine");
    switch (o.bnAffine) {
    case BnAffine::Shared:
      break;
    case BnAffine::PerIter:
      switch (o.bn) {
      case BnPlacement::Prox:
        break;
      case BnPlacement::None:
        throw CompileError(e->loc, "bn_affine = per_iter needs bn = prox",
                           "add bn = prox, or remove bn_affine");
      case BnPlacement::Analysis:
        throw CompileError(e->loc, "bn_affine = per_iter needs bn = prox",
                           "with bn = analysis the batch norm is applied "
                           "once; remove bn_affine");
      }
      break;
    }
  }
  if (auto *e = get("gram"))
    o.gram = evalKind<Gram>(*e, "gram");
  if (auto *e = get("keep_init"))
    o.keepInit = evalBool(*e, "keep_init");
}

/// The step, threshold and batch-norm parameters of one pursuit level with
/// dictionary `d` (a pursuit, or one level of a stack).
static int64_t levelParameters(const PursuitOptions &o, const Dictionary &d) {
  int64_t k = d.codeChannels();
  int64_t n = 0;
  switch (o.step) {
  case Step::Scalar:
    n += 1;
    break;
  case Step::Channel:
    n += k;
    break;
  case Step::None:
    break;
  }
  switch (o.threshold) {
  case Threshold::Channel:
    n += k;
    break;
  case Threshold::ConvChannels:
    n += d.convCodeChannels();
    break;
  case Threshold::None:
    break;
  }
  int64_t affineSets = 0;
  switch (o.bnAffine) {
  case BnAffine::Shared:
    affineSets = 1;
    break;
  case BnAffine::PerIter:
    affineSets = o.unfold + 1;
    break;
  }
  switch (o.bn) {
  case BnPlacement::None:
    break;
  case BnPlacement::Prox:
  case BnPlacement::Analysis:
    n += 2 * k * affineSets;
    break;
  }
  return n;
}

void Elaborator::layerPursuit(Layer &l, const Expr &e) {
  if (e.kind != Expr::Kind::Call)
    throw CompileError(e.loc, "'pursuit' needs a dictionary",
                       "write pursuit([conv(16, 3, padding = 1)], unfold = 1)");
  auto a = bindArgs(e, "pursuit",
                    {"dict", "prox", "solver", "unfold", "init", "gram",
                     "keep_init", "step", "threshold", "bn", "bn_affine"},
                    1);
  DictResult d = evalDict(*a["dict"], l.in);
  l.dict = std::move(d.dict);
  pursuitOptions(l.opts, a, false);
  switch (l.opts.threshold) {
  case Threshold::ConvChannels:
    // Without a conv block there is no threshold to learn: the MLIR
    // verifier would refuse the empty threshold later, without a location.
    if (l.dict.convCodeChannels() == 0)
      throw CompileError(a.at("threshold")->loc,
                         "threshold = conv_channels learns a threshold on the "
                         "channels of conv blocks, but this dictionary has "
                         "identity blocks only",
                         "use threshold = none (no threshold) or threshold = "
                         "channel (one per code channel)");
    break;
  case Threshold::Channel:
  case Threshold::None:
    break;
  }
  int64_t k = l.dict.codeChannels();
  l.out = Shape{k, d.h, d.w};
  if (a.count("init")) {
    InitRef r = evalTensorRef(*a["init"], "the warm start");
    Shape src = model.tensorShape(r.tensor);
    Shape g0 = src;
    if (r.shortcut) {
      g0.c = r.channels;
      g0.h = (src.h + r.stride - 1) / r.stride;
      g0.w = (src.w + r.stride - 1) / r.stride;
    }
    if (g0 != l.out) {
      std::string help;
      if (!r.shortcut && g0.c <= l.out.c && g0.h % l.out.h == 0 &&
          g0.h / l.out.h == g0.w / l.out.w && g0.w % l.out.w == 0)
        help = "use init = shortcut(" + r.name + ", " + std::to_string(l.out.c) +
               ", " + std::to_string(g0.h / l.out.h) +
               ") to subsample and zero-pad it";
      else
        help = "a warm start must have the shape of the code it starts";
      CompileError err(r.loc, "residual init '" + r.name + "' has shape " +
                                  g0.str() + " but the code of layer '" +
                                  l.name + "' has shape " + l.out.str(),
                       help);
      throw err;
    }
    l.warmStart = r;
  } else {
    for (const char *opt : {"gram", "keep_init"})
      if (a.count(opt))
        throw CompileError(a.at(opt)->loc,
                           std::string("'") + opt +
                               "' only matters for a warm-started pursuit",
                           std::string("add init = NAME, or remove '") + opt + "'");
  }
  int64_t n = l.dict.weightCount() + levelParameters(l.opts, l.dict);
  if (l.warmStart)
    switch (l.opts.gram) {
    case Gram::On:
    case Gram::Off:
      break;
    case Gram::Learned:
      n += 1;
      break;
    }
  l.parameterCount = n;
}

void Elaborator::layerStack(Layer &l, const Stmt &s, const Expr &e) {
  if (!s.hasBody)
    throw CompileError(e.loc, "'stack' needs a body listing its dictionaries",
                       "write stack(unfold = 1) { [identity, conv(12, 3, "
                       "padding = 1)]; ... }");
  std::map<std::string, const Expr *> a;
  if (e.kind == Expr::Kind::Call)
    a = bindArgs(e, "stack",
                 {"prox", "solver", "unfold", "step", "threshold", "bn",
                  "bn_affine"},
                 0);
  pursuitOptions(l.opts, a, true);
  // The body lists the dictionaries; each is evaluated once the signal shape
  // of its level is known, in the scope where it was listed.
  std::vector<StackLevel> levels;
  scopes.emplace_back();
  runBody(s.body, Body{BodyKind::Stack, &levels});
  scopes.pop_back();
  if (levels.empty())
    throw CompileError(e.loc, "a stack needs at least one dictionary");
  Shape signal = l.in;
  int64_t n = 0;
  for (size_t i = 0; i < levels.size(); ++i) {
    DictResult d;
    {
      ScopeSwap level(scopes, {levels[i].env});
      d = evalDict(*levels[i].dict, signal);
    }
    if (d.h != signal.h || d.w != signal.w)
      throw CompileError(levels[i].dict->loc,
                         layerPrefix() + "dictionary " + std::to_string(i + 1) +
                             " of the stack changes the spatial size from " +
                             std::to_string(signal.h) + "x" +
                             std::to_string(signal.w) + " to " +
                             std::to_string(d.h) + "x" + std::to_string(d.w),
                         "the sweeps of a stacked pursuit need every level at "
                         "the same size: use stride 1 and padding = same");
    int64_t k = d.dict.codeChannels();
    n += d.dict.weightCount() + levelParameters(l.opts, d.dict);
    signal = Shape{k, d.h, d.w};
    l.dicts.push_back(std::move(d.dict));
  }
  l.out = signal;
  l.parameterCount = n;
}

} // namespace sema
} // namespace cscc
