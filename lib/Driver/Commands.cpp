//===- Commands.cpp - The bodies of the cscc commands ---------------------===//
//
// The front end (no MLIR) parses and elaborates; MLIRGen builds the csc
// dialect; the pipelines of cscc/Execution lower it; `run` and `grad`
// compile it in memory (MLIR's ExecutionEngine) and call it on the
// runtime's tensors.
//
//===----------------------------------------------------------------------===//
#include "cscc/Driver/Commands.h"
#include "cscc/Driver/Analyze.h"
#include "cscc/Target/Target.h"

#include "cscc/Execution/BatchedRun.h"
#include "cscc/Execution/GradientCheck.h"
#include "cscc/Execution/JitModel.h"
#include "cscc/Execution/ModelInputs.h"
#include "cscc/Execution/Pipeline.h"
#include "cscc/Execution/ProgramBuilder.h"
#include "cscc/Frontend/Parser.h"
#include "cscc/MLIRGen/MLIRGen.h"
#include "cscc/Registration.h"
#include "cscc/Runtime/FileIO.h"
#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Lipschitz.h"
#include "cscc/Runtime/Npy.h"
#include "cscc/Runtime/Safetensors.h"
#include "cscc/Runtime/Trainer.h"
#include "dialects/csc/IR/CscDialect.h"
#include "dialects/csc/Transforms/Passes.h"
#include "dialects/cst/IR/CstDialect.h"
#include "dialects/cst/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace cscc::driver {

namespace {

/// Prints "cscc: error: ..." for an exception that ends a command and
/// returns its exit status. Running out of memory (std::bad_alloc, whose
/// what() says nothing) names the model's size, the usual cause.
int reportError(const std::exception &err, const Model *model = nullptr) {
  if (!dynamic_cast<const std::bad_alloc *>(&err)) {
    std::cerr << "cscc: error: " << err.what() << "\n";
    return 1;
  }
  std::cerr << "cscc: error: out of memory";
  if (model) {
    int64_t largest = 0;
    for (const Layer &l : model->layers)
      largest = std::max(largest, l.out.c * l.out.h * l.out.w);
    std::cerr << ": the model has " << model->totalParameters()
              << " parameters (" << std::setprecision(3)
              << model->totalParameters() * 4.0 / (1u << 30)
              << " GiB in float32) and activations of up to " << largest
              << " elements per image";
  }
  std::cerr << "; make the model smaller or use a smaller batch (--batch, "
               "--batch-size)\n";
  return 1;
}

/// Writes `text` to -o FILE (through a temporary file, so a failed write
/// never leaves half a file) or to stdout.
int writeOutput(const Options &o, const std::string &text) {
  if (o.output.empty()) {
    std::cout << text;
    return 0;
  }
  std::string tmp = o.output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) {
      std::cerr << "cscc: error: cannot write '" << o.output << "'\n";
      std::remove(tmp.c_str());
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), o.output.c_str()) != 0) {
    std::cerr << "cscc: error: cannot write '" << o.output << "'\n";
    std::remove(tmp.c_str());
    return 1;
  }
  return 0;
}

std::string printModule(mlir::ModuleOp module, bool debugInfo) {
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(os, flags);
  os.flush();
  return text;
}

std::vector<mlir::csc::ParamOp> paramsOf(mlir::ModuleOp module) {
  std::vector<mlir::csc::ParamOp> params;
  module.walk([&](mlir::csc::ParamOp p) { params.push_back(p); });
  return params;
}

std::vector<int64_t> shapeOf(mlir::Type t) {
  auto s = mlir::cast<mlir::ShapedType>(t).getShape();
  return std::vector<int64_t>(s.begin(), s.end());
}

/// `summary --weights`: one line per tensor, in checkpoint order.
std::string listWeights(mlir::ModuleOp module) {
  std::ostringstream os;
  size_t width = 4;
  auto params = paramsOf(module);
  for (auto p : params)
    width = std::max(width, p.getName().size());
  int64_t learned = 0, state = 0;
  os << std::left << std::setw(width + 2) << "name" << std::setw(18)
     << "shape" << std::setw(9) << "init" << "kind\n";
  for (auto p : params) {
    auto shape = shapeOf(p.getType());
    int64_t n = rt::shapeNumel(shape);
    (p.getState() ? state : learned) += n;
    os << std::setw(width + 2) << p.getName().str() << std::setw(18)
       << rt::shapeString(shape) << std::setw(9) << p.getInit().str()
       << (p.getState() ? "state" : "learned") << "\n";
  }
  os << "tensors: " << params.size() << ", learned parameters: " << learned
     << ", state: " << state << "\n";
  return os.str();
}

/// `init`: every tensor initialised as its csc.param says, in program order
/// from one generator seeded by --seed.
/// The front end: the syntax tree (--emit=ast), then the elaborated model.
struct Source {
  SourceManager sm;
  Module ast;
  Model model;
};

/// The D^T D functions of a model's dictionaries (appendDictionaryGrams):
/// described in `program.info` at construction, callable after compile()
/// (for the CPU), which a caller skips when nothing needs them.
struct DictionaryGrams {
  rt::Program program;
  mlir::OwningOpRef<mlir::ModuleOp> module;

  DictionaryGrams(mlir::MLIRContext &context, const Model &model,
                  const SourceManager &sm, bool f64,
                  GramSelection selection)
      : module(mlir::ModuleOp::create(mlir::UnknownLoc::get(&context))) {
    program.info.f64 = f64;
    if (mlir::failed(appendDictionaryGrams(context, model, sm, f64, *module,
                                           program.info, selection)))
      throw std::runtime_error("internal: the dictionaries' D^T D did not "
                               "compile");
  }
  void compile() {
    std::unique_ptr<Target> target = createTarget("cpu", TargetOptions());
    bindCompiledFunctions(program, JitModel::compileAll(*module, *target));
  }
};

/// The steps c of fresh weights from the dictionaries' Lipschitz
/// constants (runtime Lipschitz.h), through D^T D compiled for the CPU.
void setLipschitzSteps(const Options &opts, const Source &source,
                       mlir::MLIRContext &context,
                       std::map<std::string, rt::Tensor> &tensors) {
  const rt::StepInit stepInit =
      opts.stepInit.value_or(source.model.train.stepInit);
  switch (stepInit) {
  case rt::StepInit::Lipschitz:
  case rt::StepInit::Scaled:
    break;
  case rt::StepInit::Ones:
    return;
  }
  DictionaryGrams grams(context, source.model, source.sm,
                        opts.dtype == ElementType::F64,
                        GramSelection::StabilityDecided);
  const std::vector<rt::DictionaryInfo> &dicts =
      grams.program.info.dictionaries;
  if (std::none_of(dicts.begin(), dicts.end(),
                   [](const rt::DictionaryInfo &d) { return !d.step.empty(); }))
    return; // no learned step to set: nothing to compile
  grams.compile();
  const rt::EigenOptions eigen = rt::eigenOptionsFor(stepInit);
  std::vector<rt::LipschitzEstimate> estimates =
      rt::estimateLipschitz(grams.program, tensors, eigen);
  switch (stepInit) {
  case rt::StepInit::Lipschitz:
    rt::setStepsFromLipschitz(estimates, tensors);
    break;
  case rt::StepInit::Scaled:
    rt::scaleDictionaries(grams.program, estimates, tensors, eigen);
    break;
  case rt::StepInit::Ones:
    break;
  }
}

/// Every tensor initialised as its csc.param says, in program order from
/// one generator seeded by --seed, then the steps (setLipschitzSteps).
std::map<std::string, rt::Tensor> freshWeights(const Options &opts,
                                               const Source &source,
                                               mlir::MLIRContext &context,
                                               mlir::ModuleOp module) {
  rt::Rng rng(opts.seed);
  // --dtype f64 writes F64 tensors (the same draws, unrounded); F32 is the
  // default, PyTorch's.
  rt::DType dt =
      opts.dtype == ElementType::F64 ? rt::DType::F64 : rt::DType::F32;
  std::map<std::string, rt::Tensor> tensors;
  for (auto p : paramsOf(module))
    tensors[p.getName().str()] =
        rt::initTensor(p.getInit().str(), shapeOf(p.getType()), rng, dt);
  setLipschitzSteps(opts, source, context, tensors);
  return tensors;
}

int initWeights(const Options &opts, const Source &source,
                mlir::MLIRContext &context, mlir::ModuleOp module) {
  std::map<std::string, rt::Tensor> tensors =
      freshWeights(opts, source, context, module);
  std::map<std::string, std::string> meta{
      {"format", "pt"},
      {"cscc.model", module.getSymName() ? module.getSymName()->str() : ""},
      {"cscc.seed", std::to_string(opts.seed)}};
  rt::writeSafetensors(opts.output, tensors, meta);
  return 0;
}

/// The mutual coherence of every dictionary (`program` holds their D^T D,
/// GramSelection::All) and, for those with identity blocks, of their
/// convolutional blocks alone: each as a pursuit layer of a model of its
/// own, its blocks renumbered and the weights renamed to match.
void addCoherence(const Source &source, mlir::MLIRContext &context, bool f64,
                  rt::Program &program,
                  const std::map<std::string, rt::Tensor> &tensors,
                  std::vector<DictionaryReport> &rows) {
  for (size_t i = 0; i < rows.size(); ++i)
    rows[i].coherence = rt::mutualCoherence(
        program, program.info.dictionaries[i].function, tensors,
        atomGeometry(dictionaryOf(source.model, rows[i].use)));
  // The conv blocks alone: one pursuit layer per dictionary with identity
  // blocks (named as the dictionary, so its weights keep their names up to
  // the blocks' renumbering), on the dictionary's own signal.
  Model convModel;
  convModel.name = source.model.name;
  convModel.loc = source.model.loc;
  std::map<std::string, rt::Tensor> convTensors;
  std::vector<size_t> measured; // rows, in convModel's layer order
  for (size_t i = 0; i < rows.size(); ++i) {
    const DictionaryUse &use = rows[i].use;
    const Dictionary &d = dictionaryOf(source.model, use);
    Dictionary conv = d;
    conv.blocks.clear();
    std::string prefix = use.name + ".dict.";
    for (size_t bi = 0; bi < d.blocks.size(); ++bi) {
      if (d.blocks[bi].identity)
        continue;
      std::string from = prefix + std::to_string(bi) + ".";
      std::string to = prefix + std::to_string(conv.blocks.size()) + ".";
      for (const auto &[name, t] : tensors)
        if (name.rfind(from, 0) == 0)
          convTensors[to + name.substr(from.size())] = t;
      conv.blocks.push_back(d.blocks[bi]);
    }
    // Nothing to compare: no identity block, or nothing but identities.
    if (conv.blocks.size() == d.blocks.size() || conv.blocks.empty())
      continue;
    Layer l;
    l.kind = LayerKind::Pursuit;
    l.name = use.name;
    l.loc = source.model.layers.at(use.layer).loc;
    l.in = use.signal;
    l.out = Shape{conv.codeChannels(), use.code.h, use.code.w};
    l.dict = std::move(conv);
    convModel.layers.push_back(std::move(l));
    measured.push_back(i);
  }
  if (measured.empty())
    return;
  convModel.input = convModel.layers.front().in;
  DictionaryGrams conv(context, convModel, source.sm, f64, GramSelection::All);
  conv.compile();
  for (size_t m = 0; m < measured.size(); ++m)
    rows[measured[m]].convCoherence = rt::mutualCoherence(
        conv.program, conv.program.info.dictionaries[m].function,
        convTensors, atomGeometry(convModel.layers[m].dict));
}

/// `analyze --data ...`: the data flags over the train section's data set
/// (the runtime's settings parser: one rule for the data flags everywhere);
/// the other training flags mean nothing here and are errors.
rt::TrainSettings analyzeDataSettings(const Options &opts,
                                      const Source &source) {
  static const char *kDataFlags[] = {
      "--data",      "--data-path", "--data-seed", "--data-classes",
      "--data-train", "--data-test", "--data-dim",  "--data-noise",
      "--limit-test", "--normalize"};
  for (const std::string &a : opts.passThrough) {
    if (a.rfind("--", 0) != 0)
      continue; // a value
    std::string name = a.substr(0, a.find('='));
    if (std::find(std::begin(kDataFlags), std::end(kDataFlags), name) !=
        std::end(kDataFlags))
      continue;
    std::string list;
    for (size_t i = 0; i < std::size(kDataFlags); ++i)
      list += std::string(i == 0 ? "" : i + 1 == std::size(kDataFlags)
                                            ? " and "
                                            : ", ") +
              kDataFlags[i];
    throw std::runtime_error("analyze takes the data flags " + list +
                             ", not '" + name + "' (a training flag)");
  }
  rt::TrainSettings s = rt::parseTrainSettings(
      trainSettingsOf(source.model.train), opts.passThrough,
      source.model.name);
  s.weights = opts.weights;
  return s;
}

/// With --input: every layer-wise pursuit's code on those images and how
/// well it rebuilds the pursuit's input (runtime Reconstruction.h), through
/// the model's eval-mode forward pass and each dictionary's D, compiled
/// for the CPU.
void addReconstruction(const Options &opts, const Source &source,
                       mlir::MLIRContext &context, bool f64,
                       const std::map<std::string, rt::Tensor> &tensors,
                       std::vector<DictionaryReport> &rows) {
  // The images first: a bad file or data set is an error before minutes
  // of compiling.
  const Shape &in = source.model.input;
  rt::Program program;
  program.info.f64 = f64;
  program.info.model = source.model.name;
  program.info.inputShape = {in.c, in.h, in.w};
  rt::Tensor input;
  if (!opts.input.empty()) {
    ModelSignature sig;
    sig.f64 = f64;
    sig.input = {-1, in.c, in.h, in.w};
    input = loadInput(opts.input, sig);
  } else {
    input = rt::evaluationImages(program.info, analyzeDataSettings(opts, source),
                                 rt::kAnalyzedImages);
  }
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(mlir::UnknownLoc::get(&context));
  if (mlir::failed(appendPursuitCodes(context, source.model, source.sm, f64,
                                      *module, program.info)))
    throw std::runtime_error("internal: the pursuits' codes did not compile");
  std::unique_ptr<Target> target = createTarget("cpu", TargetOptions());
  bindCompiledFunctions(program, JitModel::compileAll(*module, *target));
  std::vector<rt::ReconstructionStats> stats = rt::measureReconstruction(
      program, program.info.pursuitCodes, tensors, input,
      opts.batchSize ? opts.batchSize : 256);
  // One per layer-wise pursuit, in model order: the rows of those.
  size_t k = 0;
  for (DictionaryReport &r : rows)
    if (source.model.layers.at(r.use.layer).kind == LayerKind::Pursuit)
      r.data = stats.at(k++);
}

/// `analyze`: every dictionary's lambda_max(D^T D), L, step c and c L
/// (Analyze.h), of --weights or of fresh weights as `init` writes them.
int analyzeModel(const Options &opts, const Source &source,
                 mlir::MLIRContext &context, mlir::ModuleOp module) {
  bool f64 = opts.dtype == ElementType::F64;
  std::map<std::string, rt::Tensor> tensors;
  if (opts.weights.empty()) {
    tensors = freshWeights(opts, source, context, module);
  } else {
    ModelSignature sig;
    sig.f64 = f64;
    for (auto p : paramsOf(module))
      sig.params.push_back({p.getName().str(), p.getInit().str(),
                            shapeOf(p.getType()), p.getState()});
    std::vector<rt::Tensor> loaded = loadWeights(opts.weights, sig);
    for (size_t i = 0; i < loaded.size(); ++i)
      tensors[sig.params[i].name] = std::move(loaded[i]);
  }
  std::vector<DictionaryUse> uses = source.model.dictionaryUses();
  std::vector<DictionaryReport> rows;
  rt::EigenOptions eigen;
  if (!uses.empty()) {
    DictionaryGrams grams(context, source.model, source.sm, f64,
                          GramSelection::All);
    grams.compile();
    std::vector<rt::LipschitzEstimate> estimates =
        rt::estimateLipschitz(grams.program, tensors, eigen);
    if (estimates.size() != uses.size())
      throw std::runtime_error("internal: " + std::to_string(uses.size()) +
                               " dictionaries, " +
                               std::to_string(estimates.size()) +
                               " estimates");
    for (size_t i = 0; i < uses.size(); ++i)
      rows.push_back({uses[i], estimates[i], std::nullopt, std::nullopt});
    if (opts.coherence)
      addCoherence(source, context, f64, grams.program, tensors, rows);
    if (!opts.input.empty() || !opts.passThrough.empty())
      addReconstruction(opts, source, context, f64, tensors, rows);
  }
  if (!opts.plot.empty()) {
    std::string svg = formatAnalysisSvg(source.model.name, rows);
    rt::writeFileAtomic(opts.plot, {{svg.data(), svg.size()}});
  }
  return writeOutput(opts, opts.json ? formatAnalysisJson(source.model.name,
                                                          rows, eigen)
                                     : formatAnalysisTable(source.model.name,
                                                           rows, eigen));
}

/// `run`: the eval-mode forward pass over the input, in batches.
int runModel(const Options &opts, mlir::ModuleOp module) {
  std::unique_ptr<JitModel> jit =
      JitModel::compile(module, "forward", opts.gpuLoops);
  std::vector<rt::Tensor> weights = loadWeights(opts.weights, jit->signature());
  rt::Tensor input = loadInput(opts.input, jit->signature());
  rt::Tensor output = runForwardInBatches(
      *jit, weights, input, opts.batchSize ? opts.batchSize : 256, opts.repeat);
  rt::writeNpy(opts.output, output);
  return 0;
}

/// `grad`: the train-mode loss and the gradient of every learned parameter
/// (or, with --check, a finite-difference check of it). `module` is at the
/// tensor level (train mode, with loss).
int gradCommand(const Options &opts, mlir::ModuleOp module) {
  mlir::MLIRContext *ctx = module.getContext();
  {
    mlir::PassManager pm(ctx);
    mlir::cst::CstAutodiffOptions ad;
    ad.recompute = !opts.noRecompute;
    pm.addPass(mlir::cst::createCstAutodiff(ad));
    if (mlir::failed(pm.run(module)))
      return 1;
  }
  // Only the train step is compiled.
  if (auto fwd = module.lookupSymbol<mlir::func::FuncOp>("forward"))
    fwd.erase();
  if (opts.emitGiven) {
    if (opts.emit == EmitKind::Llvm) {
      mlir::PassManager pm(ctx);
      if (compileTimingRequested())
        pm.enableTiming();
      if (mlir::failed(addPipeline(pm, createHostTarget()->tensorLevelToLLVMPipeline())) ||
          mlir::failed(pm.run(module)))
        return 1;
    }
    module->print(llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }

  TrainStepInputs inputs;
  inputs.weights = opts.weights;
  inputs.input = opts.input;
  inputs.labels = opts.labels;
  inputs.seed = opts.seed;
  inputs.batchSize = opts.batchSize ? opts.batchSize : 2;
  TrainStep step = prepareTrainStep(module, inputs, opts.gpuLoops);
  if (opts.check > 0)
    return finiteDifferenceCheck(step, opts.check, opts.seed, std::cout) ? 0
                                                                         : 1;
  if (opts.repeat > 0)
    reportRepeatTiming("train step", opts.repeat, step.input.shape[0],
                       [&] { step.run(); });

  std::map<std::string, std::string> meta{
      {"format", "pt"},
      {"cscc.model", module.getSymName() ? module.getSymName()->str() : ""},
      {"cscc.content", "gradient of the train-mode loss"}};
  rt::writeSafetensors(opts.output, step.gradients(), meta);
  std::cout << "loss: " << std::setprecision(17) << step.loss() << "\n";
  return 0;
}

/// The dialects, passes and external models every command needs.
void setUpRegistry(mlir::DialectRegistry &registry) {
  registerDialects(registry);
  registerPasses();
}

/// `cscc grad FILE.mlir`: a model written at the tensor level (a
/// train-mode @forward returning its loss, parameters named by cst.param),
/// for experiments below the language and per-op gradient checks.
int tensorLevelFile(const Options &opts) {
  if (opts.command != Command::Grad) {
    std::cerr << "cscc: error: '" << opts.file
              << "' is an MLIR file; only 'cscc grad' takes a tensor-level "
                 "model, the other commands a .csc model\n";
    return 1;
  }
  mlir::DialectRegistry registry;
  setUpRegistry(registry);
  mlir::MLIRContext context(registry);
  context.loadDialect<mlir::cst::CstDialect, mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(opts.file, &context);
  if (!module)
    return 1; // the parser reported where
  try {
    return gradCommand(opts, *module);
  } catch (std::exception &err) {
    return reportError(err);
  }
}


/// False after printing the error.
bool runFrontEnd(const Options &opts, Source &source, bool elaborateModel) {
  try {
    source.ast = parseFile(source.sm, opts.file);
    if (elaborateModel)
      source.model =
          cscc::elaborate(source.ast, source.sm, opts.overrides, opts.model);
    return true;
  } catch (CompileError &err) {
    std::cerr << renderError(source.sm, err);
  } catch (std::exception &err) {
    // Anything else is a bug in cscc; still no crash and a clear message.
    std::cerr << "cscc: internal error: " << err.what() << "\n";
  }
  return false;
}

/// A context with every dialect loaded whose errors set `failed` (a
/// verifier error must not print a module and exit 0).
class CompilerContext {
public:
  CompilerContext() : context(registryWithEverything()) {
    context.loadDialect<mlir::csc::CscDialect, mlir::cst::CstDialect,
                        mlir::func::FuncDialect>();
  }
  mlir::MLIRContext context;
  bool failed = false;

private:
  static mlir::DialectRegistry registryWithEverything() {
    mlir::DialectRegistry registry;
    setUpRegistry(registry);
    return registry;
  }
  mlir::ScopedDiagnosticHandler handler{&context, [this](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      failed = true;
    return mlir::failure(); // let the default handler print it
  }};
};

/// summary --weights, init, run, grad and --emit=mlir|cst|llvm on the csc
/// module of the model.
int moduleCommand(const Options &opts, const Source &source,
                  CompilerContext &cc) {
  mlir::MLIRContext &context = cc.context;
  bool f64 = (opts.command == Command::Run || opts.command == Command::Grad) &&
             opts.dtype == ElementType::F64;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlirGen(context, source.model, source.sm, f64);
  if (!module || cc.failed)
    return 1;
  if (opts.inferShapes) {
    mlir::PassManager pm(&context);
    pm.addNestedPass<mlir::func::FuncOp>(mlir::csc::createShapeInferencePass());
    if (mlir::failed(pm.run(*module)) || cc.failed)
      return 1;
  }
  if (mlir::failed(mlir::verify(*module)) || cc.failed)
    return 1;

  switch (opts.command) {
  case Command::Summary:
    return writeOutput(opts, listWeights(*module));
  case Command::Init:
    return initWeights(opts, source, context, *module);
  case Command::Analyze:
    return analyzeModel(opts, source, context, *module);
  case Command::Emit:
    if (opts.emit == EmitKind::Mlir)
      return writeOutput(opts, printModule(*module, opts.debugInfo));
    break;
  case Command::Run:
  case Command::Grad:
    break;
  case Command::Train:
  case Command::Eval:
  case Command::Predict:
  case Command::Build:
    return 1; // runModelCommand's
  }

  // Down to the tensor level.
  LoweringOptions lowering;
  // run predicts (logits only); grad differentiates the train-mode loss.
  lowering.withLoss = opts.command != Command::Run;
  if (opts.command == Command::Grad)
    lowering.mode = "train";
  mlir::PassManager pm(&context);
  if (mlir::failed(addPipeline(pm, toTensorLevelPipeline(lowering))) ||
      mlir::failed(pm.run(*module)) || cc.failed)
    return 1;
  if (opts.command == Command::Emit && opts.emit == EmitKind::Cst)
    return writeOutput(opts, printModule(*module, opts.debugInfo));
  if (opts.command == Command::Emit && opts.emit == EmitKind::Llvm) {
    mlir::PassManager llvmPm(&context);
    if (compileTimingRequested())
      llvmPm.enableTiming();
    if (mlir::failed(addPipeline(llvmPm, createHostTarget()->tensorLevelToLLVMPipeline())) ||
        mlir::failed(llvmPm.run(*module)) || cc.failed)
      return 1;
    return writeOutput(opts, printModule(*module, opts.debugInfo));
  }
  if (opts.command == Command::Grad)
    return gradCommand(opts, *module);
  return runModel(opts, *module);
}

} // namespace

int runCompilerCommand(const Options &opts) {
  if (llvm::StringRef(opts.file).ends_with(".mlir"))
    return tensorLevelFile(opts);
  bool astOnly = opts.command == Command::Emit && opts.emit == EmitKind::Ast;
  Source source;
  if (!runFrontEnd(opts, source, /*elaborateModel=*/!astOnly))
    return 1;
  if (astOnly) {
    std::ostringstream os;
    dumpAST(source.ast, source.sm, os);
    return writeOutput(opts, os.str());
  }
  if (opts.command == Command::Summary && !opts.listWeights) {
    std::ostringstream os;
    printSummary(source.model, os);
    return writeOutput(opts, os.str());
  }
  CompilerContext cc;
  try {
    return moduleCommand(opts, source, cc);
  } catch (std::exception &err) {
    return reportError(err, &source.model);
  }
}

int runModelCommand(const Options &opts, const ModelCommand &command) {
  if (llvm::StringRef(opts.file).ends_with(".mlir"))
    return tensorLevelFile(opts);
  Source source;
  if (!runFrontEnd(opts, source, /*elaborateModel=*/true))
    return 1;
  CompilerContext cc;
  try {
    int rc = command(opts, source.model, source.sm, cc.context);
    return cc.failed ? 1 : rc;
  } catch (CompileError &err) {
    // A flag that contradicts the model file: shown at the file's text.
    std::cerr << renderError(source.sm, err);
    return 1;
  } catch (std::exception &err) {
    return reportError(err, &source.model);
  }
}

} // namespace cscc::driver
