//===- MLIRGen.cpp - Elaborated model to the csc dialect ------------------===//
//
// One csc op per layer of the elaborated model, with the layer's source
// location (file:line:col, named after the layer). Learned tensors become
// `csc.param` ops named as PyTorch would name them; activations are left
// unranked for `csc-infer-shapes`.
//
//===----------------------------------------------------------------------===//
#include "cscc/MLIRGen/MLIRGen.h"
#include "dialects/csc/IR/CscDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <string>
#include <vector>

using namespace mlir;

namespace {

class Generator {
public:
  Generator(MLIRContext &ctx, const cscc::Model &model,
            const cscc::SourceManager &sm, bool f64)
      : ctx(ctx), model(model), sm(sm), b(&ctx), f64(f64) {}

  /// With `codeResults`, every layer-wise pursuit's input and code are
  /// results too, each value once (mlirGenPursuitCodes).
  OwningOpRef<ModuleOp>
  run(std::vector<std::pair<unsigned, unsigned>> *codeResults = nullptr) {
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc(model.loc, ""));
    module->setSymNameAttr(b.getStringAttr(model.name));
    b.setInsertionPointToEnd(module->getBody());

    const cscc::Shape &in = model.input;
    auto xType = RankedTensorType::get({ShapedType::kDynamic, in.c, in.h, in.w},
                                       floatType());
    SmallVector<Type> args{xType};
    bool hasLoss = model.loss.has_value();
    if (hasLoss)
      args.push_back(RankedTensorType::get({ShapedType::kDynamic},
                                           b.getI64Type()));
    auto fn = func::FuncOp::create(b, loc(model.loc, model.name), "forward",
                                   b.getFunctionType(args, {}));
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    input = entry->getArgument(0);

    for (size_t i = 0; i < model.layers.size(); ++i)
      tensors.push_back(genLayer(model.layers[i]));

    SmallVector<Value> results{model.layers.empty() ? input : tensors.back()};
    if (codeResults) {
      auto resultOf = [&](Value v) {
        auto *at = llvm::find(results, v);
        if (at == results.end())
          results.push_back(v);
        return unsigned(llvm::find(results, v) - results.begin());
      };
      for (size_t i = 0; i < model.layers.size(); ++i)
        if (model.layers[i].kind == cscc::LayerKind::Pursuit) {
          unsigned signal = resultOf(tensor(model.layers[i].input));
          codeResults->push_back({signal, resultOf(tensors[i])});
        }
    }
    if (hasLoss) {
      Location l = loc(model.lossLoc, "loss");
      SmallVector<Value> terms{genLoss(*model.loss, l, results[0],
                                       entry->getArgument(1))};
      for (const cscc::Penalty &p : model.penalties)
        terms.push_back(genPenalty(p));
      results.push_back(
          terms.size() == 1
              ? terms[0]
              : csc::TotalLossOp::create(b, l, scalarType(), terms));
    }
    func::ReturnOp::create(b, loc(model.loc, ""), results);
    fn.setType(b.getFunctionType(args, ValueRange(results).getTypes()));
    return module;
  }

  /// `func.func @forward(%v)` for one dictionary of the model: D^T D v
  /// (%v a batch of codes; its largest eigenvalue gives the dictionary's
  /// Lipschitz constant) or D v (the signals a batch of codes rebuilds).
  OwningOpRef<ModuleOp> runDictionaryOperator(const cscc::DictionaryUse &use,
                                              cscc::DictionaryOperator op) {
    const cscc::Layer &l = model.layers[use.layer];
    const cscc::Dictionary &d =
        l.kind == cscc::LayerKind::Stack ? l.dicts[use.level] : l.dict;
    Location at = loc(l.loc, use.name + (op == cscc::DictionaryOperator::Gram
                                             ? ".gram"
                                             : ".synthesis"));
    OwningOpRef<ModuleOp> module = ModuleOp::create(at);
    module->setSymNameAttr(b.getStringAttr(model.name));
    b.setInsertionPointToEnd(module->getBody());
    auto nchw = [&](const cscc::Shape &s) {
      return RankedTensorType::get({ShapedType::kDynamic, s.c, s.h, s.w},
                                   floatType());
    };
    auto codeType = nchw(use.code);
    auto fn = func::FuncOp::create(b, at, "forward",
                                   b.getFunctionType({codeType}, {}));
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value dict = genDict(d, at, use.name + ".dict");
    Value result = csc::SynthesisOp::create(b, at, nchw(use.signal), dict,
                                            entry->getArgument(0));
    switch (op) {
    case cscc::DictionaryOperator::Gram:
      result = csc::AnalysisOp::create(b, at, codeType, dict, result);
      break;
    case cscc::DictionaryOperator::Synthesis:
      break;
    }
    func::ReturnOp::create(b, at, result);
    fn.setType(b.getFunctionType({codeType}, {result.getType()}));
    return module;
  }

private:
  MLIRContext &ctx;
  const cscc::Model &model;
  const cscc::SourceManager &sm;
  OpBuilder b;
  bool f64;
  Value input;
  std::vector<Value> tensors;

  /// The float type of every tensor (f32, or f64 for gradient checks).
  Type floatType() { return f64 ? Type(b.getF64Type()) : Type(b.getF32Type()); }
  Type unranked() { return UnrankedTensorType::get(floatType()); }
  Type scalarType() { return RankedTensorType::get({}, floatType()); }

  /// A FileLineColLoc named after the layer ("conv1"@file:line:col).
  Location loc(const cscc::Location &l, const std::string &name) {
    Location fileLoc =
        l.file < 0 ? Location(UnknownLoc::get(&ctx))
                   : Location(FileLineColLoc::get(&ctx, sm.path(l.file),
                                                  l.line, l.col));
    if (name.empty())
      return fileLoc;
    return NameLoc::get(b.getStringAttr(name), fileLoc);
  }

  Value tensor(int id) { return id < 0 ? input : tensors[id]; }

  // The csc dialect's enums for the front end's kinds, one exhaustive switch
  // per kind: a case added to the language but not to the dialect does not
  // compile. `init` stays the runtime's word (cst.init = "kaiming").
  static StringRef initAttr(cscc::Init k) { return cscc::kindWord(k); }
  static csc::Prox proxAttr(cscc::Prox k) {
    switch (k) {
    case cscc::Prox::Relu: return csc::Prox::Relu;
    case cscc::Prox::Soft: return csc::Prox::Soft;
    case cscc::Prox::Hard: return csc::Prox::Hard;
    }
    llvm_unreachable("unknown prox");
  }
  static csc::Solver solverAttr(cscc::Solver k) {
    switch (k) {
    case cscc::Solver::Ista: return csc::Solver::Ista;
    case cscc::Solver::Fista: return csc::Solver::Fista;
    }
    llvm_unreachable("unknown solver");
  }
  static csc::Gram gramAttr(cscc::Gram k) {
    switch (k) {
    case cscc::Gram::On: return csc::Gram::On;
    case cscc::Gram::Off: return csc::Gram::Off;
    case cscc::Gram::Learned: return csc::Gram::Learned;
    }
    llvm_unreachable("unknown gram");
  }
  static csc::BnPlacement bnAttr(cscc::BnPlacement k) {
    switch (k) {
    case cscc::BnPlacement::None: return csc::BnPlacement::None;
    case cscc::BnPlacement::Prox: return csc::BnPlacement::Prox;
    case cscc::BnPlacement::Analysis: return csc::BnPlacement::Analysis;
    }
    llvm_unreachable("unknown batch-norm placement");
  }
  static csc::BnAffine bnAffineAttr(cscc::BnAffine k) {
    switch (k) {
    case cscc::BnAffine::Shared: return csc::BnAffine::Shared;
    case cscc::BnAffine::PerIter: return csc::BnAffine::PerIter;
    }
    llvm_unreachable("unknown batch-norm affine");
  }

  Value genLoss(cscc::Loss kind, Location l, Value logits, Value labels) {
    switch (kind) {
    case cscc::Loss::CrossEntropy:
      return csc::CrossEntropyOp::create(b, l, scalarType(), logits, labels);
    }
    llvm_unreachable("unknown loss");
  }

  Value genPenalty(const cscc::Penalty &p) {
    Location l = loc(p.loc, "penalty." + p.name);
    switch (p.kind) {
    case cscc::PenaltyKind::L1:
      return csc::L1PenaltyOp::create(b, l, scalarType(), tensor(p.tensor),
                                      b.getF64FloatAttr(p.weight));
    }
    llvm_unreachable("unknown penalty");
  }

  Value param(Location l, const std::string &name, ArrayRef<int64_t> shape,
              StringRef init, bool state = false, bool step = false) {
    auto op = csc::ParamOp::create(b, l, RankedTensorType::get(shape, floatType()),
                                   name, init, state, step);
    return op.getValue();
  }

  /// A pursuit's learned step c (initialised to 1; `cscc init` may set
  /// 1/L), marked for the optimiser's step parameter group.
  Value stepParam(Location l, const std::string &name, int64_t size) {
    return param(l, name, {size}, "ones", /*state=*/false, /*step=*/true);
  }

  Value genLayer(const cscc::Layer &l) {
    Location at = loc(l.loc, l.name);
    const std::string &n = l.name;
    Value x = tensor(l.input);
    switch (l.kind) {
    case cscc::LayerKind::Conv: {
      Value w = param(at, n + ".weight", {l.channels, l.in.c, l.kernel,
                                          l.kernel}, initAttr(l.init));
      Value bias = l.bias ? param(at, n + ".bias", {l.channels}, "zeros")
                          : Value();
      return csc::ConvOp::create(b, at, unranked(), x, w, bias, l.stride,
                                 l.dilation, l.padding);
    }
    case cscc::LayerKind::BatchNorm: {
      int64_t c = l.in.c;
      Value w = param(at, n + ".weight", {c}, "ones");
      Value bias = param(at, n + ".bias", {c}, "zeros");
      Value mean = param(at, n + ".running_mean", {c}, "zeros", true);
      Value var = param(at, n + ".running_var", {c}, "ones", true);
      return csc::BatchNormOp::create(b, at, unranked(), x, w, bias, mean, var,
                                      b.getF64FloatAttr(l.eps),
                                      b.getF64FloatAttr(l.momentum));
    }
    case cscc::LayerKind::Relu:
      return csc::ReluOp::create(b, at, unranked(), x);
    case cscc::LayerKind::MaxPool:
      return csc::MaxPoolOp::create(b, at, unranked(), x, l.kernel, l.stride,
                                    l.padding);
    case cscc::LayerKind::AvgPool:
      return csc::AvgPoolOp::create(b, at, unranked(), x, l.kernel, l.stride,
                                    l.padding);
    case cscc::LayerKind::GlobalAvgPool:
      return csc::GlobalAvgPoolOp::create(b, at, unranked(), x);
    case cscc::LayerKind::Linear: {
      int64_t features = l.in.c * l.in.h * l.in.w;
      Value w = param(at, n + ".weight", {l.channels, features},
                      initAttr(l.init));
      Value bias = l.bias ? param(at, n + ".bias", {l.channels}, "zeros")
                          : Value();
      return csc::LinearOp::create(b, at, unranked(), x, w, bias);
    }
    case cscc::LayerKind::Shortcut:
      return csc::ShortcutOp::create(b, at, unranked(), x, l.channels,
                                     l.stride);
    case cscc::LayerKind::Pursuit:
      return genPursuit(l, at, x);
    case cscc::LayerKind::Stack:
      return genStack(l, at, x);
    }
    llvm_unreachable("unknown layer kind");
  }

  /// The dictionary as a csc.vstack of its blocks; filters are named
  /// `<prefix>.<block>.weight` (`<prefix>.<block>.<atom>.weight` inside a
  /// composition).
  Value genDict(const cscc::Dictionary &d, Location at,
                const std::string &prefix) {
    SmallVector<Value> blocks;
    for (size_t bi = 0; bi < d.blocks.size(); ++bi) {
      const cscc::DictBlock &blk = d.blocks[bi];
      Location bl = loc(blk.loc, prefix + "." + std::to_string(bi));
      if (blk.identity) {
        blocks.push_back(csc::IdentityOp::create(
            b, bl, csc::DictType::get(&ctx, d.signalChannels,
                                      d.signalChannels)));
        continue;
      }
      Value chain;
      for (size_t ai = 0; ai < blk.chain.size(); ++ai) {
        const cscc::ConvAtom &a = blk.chain[ai];
        std::string name = prefix + "." + std::to_string(bi) +
                           (blk.chain.size() > 1 ? "." + std::to_string(ai)
                                                 : std::string()) +
                           ".weight";
        Location al = loc(a.loc, name);
        Value f = param(al, name, {a.out, a.in, a.kernel, a.kernel},
                        initAttr(a.init));
        Value atom = csc::ConvAtomOp::create(
            b, al, csc::DictType::get(&ctx, a.in, a.out), f, a.dilation,
            a.stride, a.padding);
        chain = chain ? csc::ComposeOp::create(
                            b, al,
                            csc::DictType::get(
                                &ctx,
                                cast<csc::DictType>(chain.getType()).getSignal(),
                                a.out),
                            chain, atom)
                      : atom;
      }
      blocks.push_back(chain);
    }
    return csc::VStackOp::create(
        b, at, csc::DictType::get(&ctx, d.signalChannels, d.codeChannels()),
        blocks);
  }

  /// Batch-norm tensors of one pursuit level, in csc.pursuit's layout.
  void genPursuitBn(const cscc::PursuitOptions &o, int64_t k, Location at,
                    const std::string &prefix, SmallVectorImpl<Value> &out) {
    switch (o.bn) {
    case cscc::BnPlacement::None:
      return;
    case cscc::BnPlacement::Prox:
    case cscc::BnPlacement::Analysis:
      break;
    }
    int64_t iters = o.unfold + 1;
    switch (o.bnAffine) {
    case cscc::BnAffine::PerIter:
      for (int64_t t = 0; t < iters; ++t) {
        std::string p = prefix + ".bn." + std::to_string(t);
        out.push_back(param(at, p + ".weight", {k}, "ones"));
        out.push_back(param(at, p + ".bias", {k}, "zeros"));
      }
      break;
    case cscc::BnAffine::Shared:
      out.push_back(param(at, prefix + ".bn.weight", {k}, "ones"));
      out.push_back(param(at, prefix + ".bn.bias", {k}, "zeros"));
      break;
    }
    switch (o.bn) {
    case cscc::BnPlacement::None:
      return;
    case cscc::BnPlacement::Analysis:
      // One batch norm on D^T X, which every iteration reuses.
      out.push_back(param(at, prefix + ".bn.running_mean", {k}, "zeros", true));
      out.push_back(param(at, prefix + ".bn.running_var", {k}, "ones", true));
      return;
    case cscc::BnPlacement::Prox:
      // Running statistics per unfolding iteration (docs/design.md §2b).
      for (int64_t t = 0; t < iters; ++t) {
        std::string p = prefix + ".bn." + std::to_string(t);
        out.push_back(param(at, p + ".running_mean", {k}, "zeros", true));
        out.push_back(param(at, p + ".running_var", {k}, "ones", true));
      }
      return;
    }
  }

  Value genPursuit(const cscc::Layer &l, Location at, Value x) {
    const cscc::PursuitOptions &o = l.opts;
    const std::string &n = l.name;
    int64_t k = l.dict.codeChannels();
    Value dict = genDict(l.dict, at, n + ".dict");
    Value step;
    switch (o.step) {
    case cscc::Step::Scalar:
      step = stepParam(at, n + ".step", 1);
      break;
    case cscc::Step::Channel:
      step = stepParam(at, n + ".step", k);
      break;
    case cscc::Step::None:
      break;
    }
    Value threshold;
    switch (o.threshold) {
    case cscc::Threshold::Channel:
      threshold = param(at, n + ".threshold", {k}, "zeros");
      break;
    case cscc::Threshold::ConvChannels:
      threshold = param(at, n + ".threshold", {l.dict.convCodeChannels()},
                        "zeros");
      break;
    case cscc::Threshold::None:
      break;
    }
    Value init, gram;
    if (l.warmStart) {
      const cscc::InitRef &r = *l.warmStart;
      init = tensor(r.tensor);
      if (r.shortcut)
        init = csc::ShortcutOp::create(b, loc(r.loc, n + ".init"), unranked(),
                                       init, r.channels, r.stride);
      switch (o.gram) {
      case cscc::Gram::Learned:
        // A step-like scalar (its gradient sums <dL/dG, D^T D G0> over the
        // whole layer): in the steps' parameter group (step_lr_scale).
        gram = param(at, n + ".gram", {1}, "zeros", /*state=*/false,
                     /*step=*/true);
        break;
      case cscc::Gram::On:
      case cscc::Gram::Off:
        break;
      }
    }
    SmallVector<Value> bn;
    genPursuitBn(o, k, at, n, bn);
    return csc::PursuitOp::create(
        b, at, unranked(), x, dict, step, threshold, init, gram, bn,
        proxAttr(o.prox), solverAttr(o.solver), o.unfold, gramAttr(o.gram),
        o.keepInit, bnAttr(o.bn), bnAffineAttr(o.bnAffine));
  }

  Value genStack(const cscc::Layer &l, Location at, Value x) {
    const cscc::PursuitOptions &o = l.opts;
    SmallVector<Value> dicts, steps, thresholds, bn;
    for (size_t i = 0; i < l.dicts.size(); ++i) {
      const cscc::Dictionary &d = l.dicts[i];
      std::string p = l.name + "." + std::to_string(i);
      int64_t k = d.codeChannels();
      dicts.push_back(genDict(d, at, p + ".dict"));
      // A stack's levels have a scalar step or none, a per-channel
      // threshold or none (Sema refuses the others).
      switch (o.step) {
      case cscc::Step::Scalar:
        steps.push_back(stepParam(at, p + ".step", 1));
        break;
      case cscc::Step::Channel:
        llvm_unreachable("a stack has no per-channel step");
      case cscc::Step::None:
        break;
      }
      switch (o.threshold) {
      case cscc::Threshold::Channel:
        thresholds.push_back(param(at, p + ".threshold", {k}, "zeros"));
        break;
      case cscc::Threshold::ConvChannels:
        llvm_unreachable("a stack has no conv_channels threshold");
      case cscc::Threshold::None:
        break;
      }
      genPursuitBn(o, k, at, p, bn);
    }
    return csc::StackedPursuitOp::create(b, at, unranked(), x, dicts, steps,
                                         thresholds, bn, proxAttr(o.prox),
                                         solverAttr(o.solver), o.unfold,
                                         bnAttr(o.bn), bnAffineAttr(o.bnAffine));
  }
};

} // namespace

OwningOpRef<ModuleOp> cscc::mlirGen(MLIRContext &context, const Model &model,
                                    const SourceManager &sm, bool f64) {
  return Generator(context, model, sm, f64).run();
}

OwningOpRef<ModuleOp> cscc::mlirGenDictionaryOperator(
    MLIRContext &context, const Model &model, const SourceManager &sm,
    const DictionaryUse &use, DictionaryOperator op, bool f64) {
  return Generator(context, model, sm, f64).runDictionaryOperator(use, op);
}

OwningOpRef<ModuleOp> cscc::mlirGenPursuitCodes(MLIRContext &context,
                                                const Model &model,
                                                const SourceManager &sm,
                                                bool f64,
    std::vector<std::pair<unsigned, unsigned>> &results) {
  Model forward = model;
  forward.loss.reset();
  forward.penalties.clear();
  results.clear();
  return Generator(context, forward, sm, f64).run(&results);
}
