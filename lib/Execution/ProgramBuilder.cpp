//===- ProgramBuilder.cpp - A model's train and eval functions ------------===//
#include "cscc/Execution/ProgramBuilder.h"
#include "cscc/Execution/JitModel.h"
#include "cscc/Execution/Pipeline.h"
#include "cscc/Frontend/Sema.h"
#include "cscc/MLIRGen/MLIRGen.h"
#include "dialects/cst/IR/CstDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"

#include <iomanip>
#include <sstream>

using namespace mlir;

namespace cscc {

namespace {

std::string number(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

std::vector<int64_t> shapeOf(Type t) {
  std::vector<int64_t> s;
  for (int64_t d : cast<ShapedType>(t).getShape())
    s.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return s;
}

} // namespace

std::map<std::string, std::string> trainSettingsOf(const TrainConfig &c) {
  std::map<std::string, std::string> s;
  s["data"] = kindWord(c.data);
  if (!c.dataPath.empty())
    s["data_path"] = c.dataPath;
  // simulated(seed, classes, train, test, dim, noise): the runtime's
  // generator takes the first four (dim and noise are refused there).
  for (const auto &[k, v] : c.dataArgs)
    s["data_" + k] = number(v);
  s["optimizer"] = kindWord(c.optimizer);
  // No optimizer line: the language's default sgd(lr = 0.1, momentum =
  // 0.9); a written sgd(...) has momentum 0 unless it says otherwise.
  bool written = !c.optimizerArgs.empty();
  switch (c.optimizer) {
  case Optimizer::Sgd:
    s["lr"] = "0.1";
    s["momentum"] = written ? "0" : "0.9";
    s["nesterov"] = "false";
    break;
  case Optimizer::Adam:
    s["lr"] = "0.001";
    break;
  }
  s["weight_decay"] = "0";
  for (const auto &[k, v] : c.optimizerArgs)
    s[k] = k == "nesterov" ? (v != 0 ? "true" : "false") : number(v);
  s["schedule"] = kindWord(c.schedule);
  if (!c.milestones.empty()) {
    std::string m;
    for (int64_t e : c.milestones)
      m += (m.empty() ? "" : ",") + std::to_string(e);
    s["milestones"] = m;
  }
  for (const auto &[k, v] : c.scheduleArgs)
    s[k] = number(v); // gamma; min_lr (refused by the runtime)
  s["warmup"] = std::to_string(c.warmup);
  s["epochs"] = std::to_string(c.epochs);
  s["batch"] = std::to_string(c.batch);
  std::string augment;
  for (const auto &[kind, arg] : c.augment) {
    augment += augment.empty() ? "" : ",";
    switch (kind) {
    case Augment::Crop:
      augment += std::string(kindWord(kind)) + ":" + std::to_string(arg);
      break;
    case Augment::Flip:
      augment += kindWord(kind);
      break;
    }
  }
  s["augment"] = augment.empty() ? "none" : augment;
  s["normalize"] = c.normalize ? "true" : "false";
  s["analyze_codes"] = c.analyzeCodes ? "true" : "false";
  s["bn_sync"] = c.bnSync ? "true" : "false";
  s["allreduce_bucket_kb"] = std::to_string(c.allreduceBucketKb);
  s["step_init"] = kindWord(c.stepInit);
  s["validation"] = number(c.validation);
  s["seed"] = std::to_string(c.seed);
  return s;
}

void checkSettingsAgainstModel(const rt::TrainSettings &s,
                               const Model &model) {
  const rt::OptimizerSettings &o = s.optimizer;
  switch (o.kind) {
  case rt::OptimizerKind::Sgd: {
    if (!o.nesterov || o.momentum != 0)
      return;
    // Nesterov's update acts on the momentum buffer (the front end refuses
    // sgd(nesterov = true) without momentum; here a flag made it so).
    const auto &locs = model.train.optimizerArgLocs;
    auto at = [&](const char *k) {
      auto it = locs.find(k);
      return it == locs.end() ? Location{} : it->second;
    };
    if (at("nesterov").file >= 0)
      throw CompileError(at("nesterov"),
                         "nesterov = true needs a momentum > 0, but "
                         "--momentum 0 sets the momentum to 0",
                         "give --momentum a value in (0, 1), or add "
                         "--nesterov false");
    throw CompileError(Location{},
                       "--nesterov true needs a momentum > 0, but the "
                       "momentum is 0",
                       "give --momentum a value in (0, 1) as well");
  }
  case rt::OptimizerKind::Adam:
    return;
  }
}

rt::FunctionInfo describeFunction(ModuleOp module, const std::string &name) {
  auto fn = module.lookupSymbol<func::FuncOp>(name);
  rt::FunctionInfo info;
  info.name = name;
  if (!fn)
    return info;
  auto str = [](Attribute a) { return cast<StringAttr>(a).str(); };
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    rt::TensorInfo t;
    t.shape = shapeOf(fn.getArgument(i).getType());
    if (Attribute p = fn.getArgAttr(i, "cst.param")) {
      t.name = str(p);
      t.role = fn.getArgAttr(i, "cst.state") ? rt::Role::State : rt::Role::Param;
    } else if (Attribute o = fn.getArgAttr(i, "cst.opt_state")) {
      t.name = str(o);
      t.role = rt::Role::OptState;
    } else if (fn.getArgAttr(i, "cst.hyper")) {
      t.role = rt::Role::Hyper;
    } else {
      t.role = i == 0 ? rt::Role::Input : rt::Role::Labels;
    }
    if (Attribute init = fn.getArgAttr(i, "cst.init"))
      t.init = str(init);
    info.args.push_back(std::move(t));
  }
  bool lossSeen = false;
  for (unsigned i = 0; i < fn.getNumResults(); ++i) {
    rt::TensorInfo t;
    t.shape = shapeOf(fn.getResultTypes()[i]);
    if (Attribute a = fn.getResultAttr(i, "cst.new_state")) {
      t.name = str(a);
      t.role = rt::Role::NewState;
    } else if (Attribute a = fn.getResultAttr(i, "cst.grad")) {
      t.name = str(a);
      t.role = rt::Role::Grad;
    } else if (Attribute a = fn.getResultAttr(i, "cst.updated")) {
      t.name = str(a);
      t.role = rt::Role::NewParam;
    } else if (Attribute a = fn.getResultAttr(i, "cst.opt_state")) {
      t.name = str(a);
      t.role = rt::Role::NewOptState;
    } else if (Attribute a = fn.getResultAttr(i, "cst.sparsity")) {
      t.name = str(a);
      t.role = rt::Role::Other;
    } else if (i == 0) {
      t.role = rt::Role::Logits;
    } else if (t.shape.empty() && !lossSeen) {
      t.role = rt::Role::Loss;
      lossSeen = true;
    }
    info.results.push_back(std::move(t));
  }
  return info;
}

namespace {

/// The cst-optimizer's kind for the runtime's (the same optimizers; the
/// runtime names them without MLIR).
cst::OptimizerKind cstOptimizer(rt::OptimizerKind kind) {
  switch (kind) {
  case rt::OptimizerKind::Sgd:
    return cst::OptimizerKind::Sgd;
  case rt::OptimizerKind::Adam:
    return cst::OptimizerKind::Adam;
  }
  llvm_unreachable("unknown optimizer kind");
}

} // namespace

LogicalResult appendDictionaryGrams(MLIRContext &context, const Model &model,
                                    const SourceManager &sm, bool f64,
                                    ModuleOp module, rt::ProgramInfo &info,
                                    GramSelection selection) {
  std::vector<DictionaryUse> uses = model.dictionaryUses();
  for (size_t i = 0; i < uses.size(); ++i) {
    // bn = prox resets the iterate's scale at every step, and unfold = 0
    // never iterates: c L does not decide stability there, and the runtime
    // leaves those steps alone (c = 1 keeps a feed-forward layer's
    // Kaiming scale; c = 1/L per layer made the signal of the 6-layer
    // feed-forward baseline vanish, 1/L^6, and its loss stayed at ln 10).
    bool stabilityDecided = !uses[i].normalised && uses[i].iterated;
    switch (selection) {
    case GramSelection::StabilityDecided:
      if (!stabilityDecided)
        continue;
      break;
    case GramSelection::All:
      break;
    }
    OwningOpRef<ModuleOp> gramModule =
        mlirGenDictionaryOperator(context, model, sm, uses[i],
                                  DictionaryOperator::Gram, f64);
    LoweringOptions lowering;
    lowering.withLoss = false;
    if (!gramModule ||
        failed(runPipeline(*gramModule, toTensorLevelPipeline(lowering))))
      return failure();
    auto gram = gramModule->lookupSymbol<func::FuncOp>("forward");
    gram->remove();
    std::string name = "dictionary_gram_" + std::to_string(i);
    gram.setSymName(name);
    module.push_back(gram);
    info.functions.push_back(describeFunction(module, name));
    info.dictionaries.push_back({uses[i].name, uses[i].step, name});
  }
  return success();
}

LogicalResult appendPursuitCodes(MLIRContext &context, const Model &model,
                                 const SourceManager &sm, bool f64,
                                 ModuleOp module, rt::ProgramInfo &info) {
  std::vector<std::pair<unsigned, unsigned>> results;
  LoweringOptions lowering;
  lowering.mode = "eval";
  lowering.withLoss = false;
  OwningOpRef<ModuleOp> codes =
      mlirGenPursuitCodes(context, model, sm, f64, results);
  if (!codes || failed(runPipeline(*codes, toTensorLevelPipeline(lowering))))
    return failure();
  auto fn = codes->lookupSymbol<func::FuncOp>("forward");
  fn->remove();
  fn.setSymName("pursuit_codes");
  module.push_back(fn);
  info.functions.push_back(describeFunction(module, "pursuit_codes"));

  std::vector<DictionaryUse> uses = model.dictionaryUses();
  for (size_t i = 0; i < uses.size(); ++i) {
    const Layer &l = model.layers[uses[i].layer];
    if (l.kind != LayerKind::Pursuit)
      continue;
    OwningOpRef<ModuleOp> synthesis = mlirGenDictionaryOperator(
        context, model, sm, uses[i], DictionaryOperator::Synthesis, f64);
    if (!synthesis ||
        failed(runPipeline(*synthesis, toTensorLevelPipeline(lowering))))
      return failure();
    auto d = synthesis->lookupSymbol<func::FuncOp>("forward");
    d->remove();
    std::string name = "dictionary_synthesis_" + std::to_string(i);
    d.setSymName(name);
    module.push_back(d);
    info.functions.push_back(describeFunction(module, name));

    rt::PursuitCodes pc;
    pc.name = uses[i].name;
    pc.synthesis = name;
    pc.step = uses[i].step;
    switch (l.opts.threshold) {
    case Threshold::None:
      break;
    case Threshold::Channel:
      pc.threshold = pc.name + ".threshold";
      break;
    case Threshold::ConvChannels: {
      // The conv blocks' channels, where they sit among the blocks'.
      pc.threshold = pc.name + ".threshold";
      int64_t channel = 0;
      for (const DictBlock &b : l.dict.blocks) {
        int64_t width = b.identity ? l.dict.signalChannels : b.codeChannels;
        if (!b.identity)
          for (int64_t k = 0; k < width; ++k)
            pc.thresholdChannels.push_back(channel + k);
        channel += width;
      }
      break;
    }
    }
    size_t k = info.pursuitCodes.size();
    pc.signalResult = results.at(k).first;
    pc.codeResult = results.at(k).second;
    info.pursuitCodes.push_back(std::move(pc));
  }
  return success();
}

void bindCompiledFunctions(rt::Program &program,
                           std::shared_ptr<JitModel> jit) {
  for (const rt::FunctionInfo &f : program.info.functions)
    program.functions[f.name] = [jit, name = f.name](
                                    const std::vector<rt::BufferRef> &args,
                                    const std::vector<rt::BufferRef> &results) {
      std::vector<Buffer> a, r;
      for (const rt::BufferRef &b : args)
        a.push_back({b.data, b.shape});
      for (const rt::BufferRef &b : results)
        r.push_back({b.data, b.shape});
      jit->invoke(name, a, r);
    };
}

OwningOpRef<ModuleOp> buildProgramModule(MLIRContext &context,
                                         const Model &model,
                                         const SourceManager &sm,
                                         const ProgramOptions &options,
                                         rt::ProgramInfo &info) {
  if (!model.loss) {
    emitError(UnknownLoc::get(&context))
        << "model '" << model.name
        << "' has no loss to train; add `loss cross_entropy;` after its "
           "last layer";
    return nullptr;
  }
  // Eval mode: @forward -> @evaluate.
  OwningOpRef<ModuleOp> module = mlirGen(context, model, sm, options.f64);
  if (!module)
    return nullptr;
  LoweringOptions eval;
  eval.mode = "eval";
  // Each code's fraction of zeros as one more result (cst.sparsity).
  if (failed(runPipeline(*module, toTensorLevelPipeline(eval))) ||
      failed(runPipeline(*module, "cst-code-sparsity")))
    return nullptr;
  auto evaluate = module->lookupSymbol<func::FuncOp>("forward");
  evaluate.setSymName("evaluate");

  // Train mode: @forward -> @train_step -> @train_update.
  if (options.training) {
    OwningOpRef<ModuleOp> trainModule =
        mlirGen(context, model, sm, options.f64);
    if (!trainModule)
      return nullptr;
    LoweringOptions train;
    train.mode = "train";
    std::ostringstream opt;
    opt << "cst-autodiff{recompute=" << (options.recompute ? "true" : "false")
        << "},cst-optimizer{optimizer="
        << cst::stringifyOptimizerKind(cstOptimizer(options.optimizer)).str()
        << " momentum=" << (options.momentum ? "true" : "false")
        << " nesterov=" << (options.nesterov ? "true" : "false")
        << " step-lr-scale=" << std::setprecision(17) << options.stepLrScale
        << " replica-mean=" << (options.dataParallel ? "true" : "false")
        << " replica-bucket-bytes=" << options.allreduceBucketKb * 1024
        << "}";
    if (failed(runPipeline(*trainModule, toTensorLevelPipeline(train))) ||
        (options.bnSync &&
         failed(runPipeline(*trainModule, "cst-sync-batch-norm"))) ||
        failed(runPipeline(*trainModule, opt.str())))
      return nullptr;
    auto update = trainModule->lookupSymbol<func::FuncOp>("train_update");
    if (!update) {
      emitError(UnknownLoc::get(&context))
          << "internal: cst-optimizer made no @train_update";
      return nullptr;
    }
    update->remove();
    module->push_back(update);
  }
  // The train-mode forward alone: accuracy with batch statistics.
  if (options.batchStatsEval) {
    OwningOpRef<ModuleOp> bsModule = mlirGen(context, model, sm, options.f64);
    if (!bsModule)
      return nullptr;
    LoweringOptions train;
    train.mode = "train";
    if (failed(runPipeline(*bsModule, toTensorLevelPipeline(train))) ||
        failed(runPipeline(*bsModule, "cst-code-sparsity")))
      return nullptr;
    auto fwd = bsModule->lookupSymbol<func::FuncOp>("forward");
    fwd->remove();
    fwd.setSymName("evaluate_batch_stats");
    module->push_back(fwd);
  }

  info = rt::ProgramInfo();
  info.model = model.name;
  info.f64 = options.f64;
  info.optimizer = options.optimizer;
  info.nesterov = options.nesterov;
  info.stepLrScale = options.stepLrScale;
  info.dataParallel = options.training && options.dataParallel;
  info.bnSync = options.training && options.bnSync;
  info.allreduceBucketKb = options.allreduceBucketKb;
  for (const char *name : {"train_update", "evaluate_batch_stats"})
    if (module->lookupSymbol(name))
      info.functions.push_back(describeFunction(*module, name));
  if (failed(appendDictionaryGrams(context, model, sm, options.f64, *module,
                                   info)))
    return nullptr;
  if (options.pursuitCodes &&
      failed(appendPursuitCodes(context, model, sm, options.f64, *module,
                                info)))
    return nullptr;
  info.functions.push_back(describeFunction(*module, "evaluate"));
  const rt::FunctionInfo &ev = info.functions.back();
  if (!ev.args.empty() && ev.args[0].shape.size() == 4)
    info.inputShape.assign(ev.args[0].shape.begin() + 1, ev.args[0].shape.end());
  if (!ev.results.empty() && ev.results[0].shape.size() >= 2)
    info.classes = ev.results[0].shape[1];
  std::ostringstream summary;
  printSummary(model, summary);
  info.summary = summary.str();
  info.train = trainSettingsOf(model.train);
  return module;
}

} // namespace cscc
