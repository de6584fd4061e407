//===- cscc.cpp - The cscc driver -----------------------------------------===//
//
//   cscc summary FILE [--weights] [-D name=value]... [--model NAME]
//   cscc init FILE -o W.safetensors [--seed N]
//   cscc run FILE --weights W.safetensors --input X.npy -o Y.npy [--dtype f32|f64]
//   cscc train|eval|predict FILE [flags]     (Train.cpp)
//   cscc build FILE -o NAME                  (Build.cpp)
//   cscc [--emit=ast|mlir|cst|llvm] FILE [-D name=value]... [--model NAME] [-o OUT]
//
// The front end (no MLIR) parses and elaborates; MLIRGen builds the csc
// dialect; the pipelines of cscc/Execution lower it; `run` compiles it in
// memory (MLIR's ExecutionEngine) and calls it on the runtime's tensors.
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include "dialects/csc/IR/CscDialect.h"
#include "dialects/cst/IR/CstDialect.h"
#include "cscc/Execution/JitModel.h"
#include "cscc/Execution/Pipeline.h"
#include "cscc/Frontend/Parser.h"
#include "cscc/Frontend/Sema.h"
#include "cscc/MLIRGen/MLIRGen.h"
#include "cscc/Registration.h"
#include "cscc/Target/Target.h"
#include "dialects/csc/Transforms/Passes.h"
#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Npy.h"
#include "cscc/Runtime/Safetensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace {

using cscc::driver::Options;

const char *kUsage =
    "usage: cscc summary FILE [--weights] [options]\n"
    "       cscc init FILE -o WEIGHTS.safetensors [--seed N] [options]\n"
    "       cscc run FILE --weights W.safetensors --input X.npy -o Y.npy\n"
    "                [--dtype f32|f64] [--batch-size B] [--repeat R] [options]\n"
    "       cscc grad FILE --weights W.safetensors --input X.npy --labels L.npy\n"
    "                -o G.safetensors [--dtype f32|f64] [options]\n"
    "       cscc grad FILE --check N [--weights W] [--input X --labels L]\n"
    "                [--seed S] [--batch-size B] [--dtype f32|f64]\n"
    "       cscc train FILE [--run-dir DIR] [--target cpu|cuda] [training flags]\n"
    "                [options]\n"
    "       cscc eval FILE [--run-dir DIR | --weights W] [flags] [options]\n"
    "       cscc predict FILE --weights W --input X.npy [-o LOGITS.npy]\n"
    "       cscc build FILE -o NAME [--target cpu|cuda] [--cuda-chip sm_XY]\n"
    "                [options]\n"
    "       cscc [--emit=ast|mlir|cst|llvm] FILE [options]\n"
    "\n"
    "commands:\n"
    "  summary        print each layer's output shape, code channels and\n"
    "                 parameter count, then 'total parameters: N'; with\n"
    "                 --weights, list every tensor of the model instead\n"
    "                 (name, shape, initialisation, learned or state)\n"
    "  init           write initial weights (PyTorch names) to -o, seeded\n"
    "                 by --seed (default 0)\n"
    "  run            the forward pass in eval mode (running batch-norm\n"
    "                 statistics) on a batch X.npy [N, C, H, W] (float32 or\n"
    "                 float64); writes the logits [N, K] (or a model's last\n"
    "                 tensor [N, C, H, W]) to Y.npy in the --dtype (default\n"
    "                 f32); --batch-size B (default 256) images per call;\n"
    "                 --repeat R times the forward pass R more times and\n"
    "                 prints 'forward: MS ms for N images' to stderr\n"
    "  grad           the gradient of the train-mode loss (mean cross-entropy\n"
    "                 plus the model's l1 penalties, batch statistics) with\n"
    "                 respect to every learned parameter, written to -o with\n"
    "                 the weights' names; prints 'loss: VALUE'. --check N\n"
    "                 compares N random coordinates with central finite\n"
    "                 differences of the loss instead (use --dtype f64);\n"
    "                 without --weights/--input/--labels it uses 'init'\n"
    "                 weights, a N(0,1) batch of --batch-size (default 2)\n"
    "                 and random labels, seeded by --seed; exit 1 on failure.\n"
    "                 --emit=cst|llvm prints the train step (forward and\n"
    "                 generated backward pass) at that level instead;\n"
    "                 --repeat R times R more train steps and prints\n"
    "                 'train step: MS ms for N images' to stderr\n"
    "  train          compile FILE in memory and train it as its train\n"
    "                 section says, flags overriding it; progress, then\n"
    "                 'test accuracy: 0.xxxx'; checkpoints, metrics.jsonl and\n"
    "                 curves.svg in --run-dir (default runs/MODEL);\n"
    "                 'cscc train FILE --help' lists the training flags;\n"
    "                 --target cuda [--cuda-chip sm_XY] compiles it for an\n"
    "                 NVIDIA GPU, as build does (eval and predict too)\n"
    "  eval           the test accuracy (eval mode) of --weights (default\n"
    "                 RUN_DIR/best.safetensors), with per-code sparsity\n"
    "  predict        the logits of images X.npy [N, C, H, W] under --weights\n"
    "  build          a standalone executable NAME with the same train,\n"
    "                 eval, predict and summary commands (no compiler, MLIR\n"
    "                 or model file needed to run it); --target cuda: for an\n"
    "                 NVIDIA GPU (kernels compiled for --cuda-chip, default\n"
    "                 sm_90, with the CUDA toolkit's ptxas: CUDA_HOME or\n"
    "                 /usr/local/cuda; cuDNN convolutions)\n"
    "  (none)         compile FILE and print the --emit form (default: mlir)\n"
    "\n"
    "options:\n"
    "  --emit=ast     the parsed syntax tree (before elaboration)\n"
    "  --emit=mlir    the model in the csc dialect, shapes inferred\n"
    "  --emit=cst     the model at the tensor level (eval mode)\n"
    "  --emit=llvm    the model in MLIR's LLVM dialect, as the JIT gets it\n"
    "  --no-infer-shapes  with --emit=mlir: leave activation types unranked\n"
    "  --debuginfo    with --emit=mlir: print source locations\n"
    "  -D NAME=VALUE  override a 'param' of the model (repeatable)\n"
    "  --model NAME   pick a model when the file holds several\n"
    "  --no-recompute grad: keep every forward value for the backward pass\n"
    "                 (default: recompute cheap elementwise values)\n"
    "  --loops cpu|gpu run, grad: lay the generated loops out as for the CPU\n"
    "                 (default) or as the CUDA target's kernels (all parallel\n"
    "                 dimensions, long reductions split), run on the CPU: to\n"
    "                 check the GPU lowering's arithmetic without a GPU\n"
    "  -o FILE        write the output to FILE instead of stdout\n"
    "  -h, --help     this text\n";

int usageError(const std::string &msg) {
  std::cerr << "cscc: error: " << msg << "\n"
            << "run 'cscc --help' for usage\n";
  return 1;
}


/// Returns 0 on success, 1 on a usage error (already reported), 2 for help.
int parseArgs(int argc, char **argv, Options &o) {
  int i = 1;
  if (argc > 1 && (std::strcmp(argv[1], "summary") == 0 ||
                   std::strcmp(argv[1], "init") == 0 ||
                   std::strcmp(argv[1], "run") == 0 ||
                   std::strcmp(argv[1], "grad") == 0 ||
                   std::strcmp(argv[1], "train") == 0 ||
                   std::strcmp(argv[1], "eval") == 0 ||
                   std::strcmp(argv[1], "predict") == 0 ||
                   std::strcmp(argv[1], "build") == 0)) {
    o.command = argv[1];
    ++i;
  }
  // train/eval/predict: the compiler reads
  // -D, --model, --dtype, --no-recompute, --target and --cuda-chip; every
  // other flag is the
  // runtime's, passed on with its value.
  bool runtimeCommand = o.command == "train" || o.command == "eval" ||
                        o.command == "predict";
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (runtimeCommand && a.size() > 1 && a[0] == '-' && a != "-D" &&
        a.rfind("-D", 0) != 0 && a != "--model" && a != "--dtype" &&
        a != "--no-recompute" && a != "--target" && a != "--cuda-chip") {
      o.passThrough.push_back(a);
      bool takesValue = a.find('=') == std::string::npos && a != "--help" &&
                        a != "-h";
      if (takesValue && i + 1 < argc)
        o.passThrough.push_back(argv[++i]);
      continue;
    }
    auto value = [&](const std::string &flag) -> std::string {
      if (i + 1 >= argc)
        throw std::runtime_error(flag + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "-h" || a == "--help") {
        std::cout << kUsage;
        return 2;
      } else if (a.rfind("--emit=", 0) == 0) {
        o.emit = a.substr(7);
        if (o.emit != "ast" && o.emit != "mlir" && o.emit != "cst" &&
            o.emit != "llvm")
          return usageError("unknown --emit kind '" + o.emit +
                            "'; use --emit=ast, mlir, cst or llvm");
        o.emitGiven = true;
      } else if (a == "--weights") {
        if (o.command == "summary")
          o.listWeights = true;
        else
          o.weights = value("--weights");
      } else if (a == "--input") {
        o.input = value("--input");
      } else if (a == "--labels") {
        o.labels = value("--labels");
      } else if (a == "--no-recompute") {
        o.noRecompute = true;
      } else if (a == "--loops" &&
                 (o.command == "run" || o.command == "grad")) {
        std::string l = value("--loops");
        if (l != "cpu" && l != "gpu")
          return usageError("unknown --loops '" + l +
                            "'; use --loops cpu or --loops gpu");
        o.gpuLoops = l == "gpu";
      } else if (a == "--dtype") {
        o.dtype = value("--dtype");
        if (o.dtype != "f32" && o.dtype != "f64")
          return usageError("unknown --dtype '" + o.dtype +
                            "'; use --dtype f32 or --dtype f64");
      } else if (a == "--seed" || a == "--batch-size" || a == "--repeat" ||
                 a == "--check") {
        std::string v = value(a);
        char *end = nullptr;
        errno = 0;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end || errno || n < (a == "--seed" ? 0 : 1))
          return usageError(a + " expects " +
                            (a == "--seed" ? "a non-negative" : "a positive") +
                            " integer, got '" + v + "'");
        if (a == "--seed")
          o.seed = static_cast<uint64_t>(n);
        else if (a == "--repeat")
          o.repeat = n;
        else if (a == "--check")
          o.check = n;
        else
          o.batchSize = n;
      } else if (a == "--debuginfo") {
        o.debugInfo = true;
      } else if (a == "--no-infer-shapes") {
        o.inferShapes = false;
      } else if (a == "-D" || (a.rfind("-D", 0) == 0 && a.size() > 2)) {
        std::string kv = a == "-D" ? value("-D") : a.substr(2);
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
          return usageError("-D expects NAME=VALUE, got '" + kv + "'");
        o.overrides.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
      } else if (a == "--model") {
        o.model = value("--model");
      } else if (a == "-o") {
        o.output = value("-o");
      } else if (a == "--target" &&
                 (o.command == "build" || runtimeCommand)) {
        o.target = value("--target");
        if (!cscc::isTarget(o.target))
          return usageError("unknown --target '" + o.target + "'; use " +
                            cscc::targetChoices("--target"));
      } else if (a == "--cuda-chip" &&
                 (o.command == "build" || runtimeCommand)) {
        o.cudaChip = value("--cuda-chip");
        if (o.cudaChip.rfind("sm_", 0) != 0 || o.cudaChip.size() < 5 ||
            o.cudaChip.find_first_not_of("0123456789a", 3) !=
                std::string::npos)
          return usageError("--cuda-chip expects an architecture such as "
                            "sm_90 (H100) or sm_80 (A100), got '" +
                            o.cudaChip + "'");
      } else if (!a.empty() && a[0] == '-') {
        return usageError("unknown option '" + a + "'");
      } else if (o.file.empty()) {
        o.file = a;
      } else {
        return usageError("more than one input file ('" + o.file + "' and '" +
                          a + "')");
      }
    } catch (std::runtime_error &e) {
      return usageError(e.what());
    }
  }
  if (o.file.empty())
    return usageError("no input file");
  if (o.command == "build" && o.output.empty())
    return usageError("build needs -o NAME for the executable");
  if (o.command == "init" && o.output.empty())
    return usageError("init needs -o WEIGHTS.safetensors");
  if (o.command == "run") {
    if (o.weights.empty())
      return usageError("run needs --weights W.safetensors (make one with "
                        "'cscc init')");
    if (o.input.empty())
      return usageError("run needs --input X.npy (a float32 or float64 "
                        "array [N, C, H, W])");
    if (o.output.empty())
      return usageError("run needs -o Y.npy for the logits");
  }
  if (o.command == "grad" && o.emitGiven && o.emit != "cst" &&
      o.emit != "llvm")
    return usageError("grad prints its train step with --emit=cst or "
                      "--emit=llvm, not --emit=" + o.emit);
  if (o.command == "grad" && o.check == 0 && !o.emitGiven) {
    if (o.weights.empty())
      return usageError("grad needs --weights W.safetensors (make one with "
                        "'cscc init')");
    if (o.input.empty() || o.labels.empty())
      return usageError("grad needs --input X.npy [N, C, H, W] and --labels "
                        "L.npy [N] (integer classes)");
    if (o.output.empty())
      return usageError("grad needs -o G.safetensors for the gradients");
  }
  return 0;
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
    int64_t n = cscc::rt::shapeNumel(shape);
    (p.getState() ? state : learned) += n;
    os << std::setw(width + 2) << p.getName().str() << std::setw(18)
       << cscc::rt::shapeString(shape) << std::setw(9) << p.getInit().str()
       << (p.getState() ? "state" : "learned") << "\n";
  }
  os << "tensors: " << params.size() << ", learned parameters: " << learned
     << ", state: " << state << "\n";
  return os.str();
}

/// `init`: every tensor initialised as its csc.param says, in program order
/// from one generator seeded by --seed.
int initWeights(const Options &opts, mlir::ModuleOp module) {
  cscc::rt::Rng rng(opts.seed);
  std::map<std::string, cscc::rt::Tensor> tensors;
  for (auto p : paramsOf(module))
    tensors[p.getName().str()] =
        cscc::rt::initTensor(p.getInit().str(), shapeOf(p.getType()), rng);
  std::map<std::string, std::string> meta{
      {"format", "pt"},
      {"cscc.model", module.getSymName() ? module.getSymName()->str() : ""},
      {"cscc.seed", std::to_string(opts.seed)}};
  cscc::rt::writeSafetensors(opts.output, tensors, meta);
  return 0;
}

/// `run`: eval-mode forward pass over the input in batches.
int runModel(const Options &opts, mlir::ModuleOp module) {
  std::unique_ptr<cscc::JitModel> jit =
      cscc::JitModel::compile(module, "forward", opts.gpuLoops);
  const cscc::ModelSignature &sig = jit->signature();
  std::vector<cscc::rt::Tensor> weights =
      cscc::driver::loadWeights(opts.weights, sig);

  cscc::rt::Tensor x = cscc::driver::loadInput(opts.input, sig);
  std::vector<int64_t> want(sig.input.begin() + 1, sig.input.end());
  cscc::rt::DType dt = x.dtype;

  // The output keeps its shape [N, C, H, W], written as [N, K] for logits
  // (H = W = 1).
  std::vector<int64_t> outShape = sig.results.at(0);
  int64_t n = x.shape[0];
  int64_t perOutput = 1;
  for (size_t i = 1; i < outShape.size(); ++i)
    perOutput *= outShape[i];
  std::vector<int64_t> fileShape{n};
  bool logitsOnly = outShape.size() == 4 && outShape[2] == 1 && outShape[3] == 1;
  fileShape.insert(fileShape.end(), outShape.begin() + 1,
                   logitsOnly ? outShape.begin() + 2 : outShape.end());
  int64_t perImage = cscc::rt::shapeNumel(want);
  size_t elem = cscc::rt::dtypeSize(dt);
  cscc::rt::Tensor logits(dt, fileShape);
  auto forwardAll = [&] {
    int64_t batch = opts.batchSize ? opts.batchSize : 256;
    for (int64_t start = 0; start < n; start += batch) {
      int64_t b = std::min(batch, n - start);
      std::vector<cscc::Buffer> args{{x.data.data() + start * perImage * elem,
                                      {b, want[0], want[1], want[2]}}};
      for (size_t i = 0; i < weights.size(); ++i)
        args.push_back({weights[i].data.data(), sig.params[i].shape});
      std::vector<int64_t> shape = outShape;
      shape[0] = b;
      std::vector<cscc::Buffer> results{
          {logits.data.data() + start * perOutput * elem, shape}};
      jit->invoke(args, results);
    }
  };
  forwardAll();
  // Timing for bench/: the compiled forward pass only (no compilation,
  // no file I/O), after the warm-up call above.
  if (opts.repeat > 0)
    cscc::driver::reportRepeatTiming("forward", opts.repeat, n, forwardAll);
  cscc::rt::writeNpy(opts.output, logits);
  return 0;
}

/// The dialects, passes and external models every command needs.
void setUpRegistry(mlir::DialectRegistry &registry) {
  cscc::registerDialects(registry);
  cscc::registerPasses();
}

/// `cscc grad FILE.mlir`: a model written at the tensor level (a
/// train-mode @forward returning its loss, parameters named by cst.param),
/// for experiments below the language and per-op gradient checks.
int tensorLevelFile(const Options &opts) {
  if (opts.command != "grad") {
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
    return cscc::driver::gradCommand(opts, *module);
  } catch (std::exception &err) {
    std::cerr << "cscc: error: " << err.what() << "\n";
    return 1;
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Shared by the commands (Driver.h)
//===----------------------------------------------------------------------===//

/// The weights in the model's order and dtype; a clear error for a missing,
/// misshapen or unexpected tensor.
std::vector<cscc::rt::Tensor>
cscc::driver::loadWeights(const std::string &path, const cscc::ModelSignature &sig) {
  cscc::rt::TensorFile file = cscc::rt::readSafetensors(path);
  cscc::rt::DType want = sig.f64 ? cscc::rt::DType::F64 : cscc::rt::DType::F32;
  std::vector<cscc::rt::Tensor> out;
  std::set<std::string> used;
  for (const cscc::ParamInfo &p : sig.params) {
    const cscc::rt::Tensor *t = file.find(p.name);
    if (!t)
      throw std::runtime_error(
          "weights file '" + path + "' has no tensor '" + p.name +
          "' that the model needs (" + std::to_string(sig.params.size()) +
          " tensors, see 'cscc summary --weights'); was it written for "
          "another model? 'cscc init' writes a complete file");
    if (t->shape != p.shape)
      throw std::runtime_error("weights file '" + path + "': tensor '" +
                               p.name + "' has shape " +
                               cscc::rt::shapeString(t->shape) +
                               ", the model needs " +
                               cscc::rt::shapeString(p.shape));
    if (t->dtype != cscc::rt::DType::F32 && t->dtype != cscc::rt::DType::F64)
      throw std::runtime_error("weights file '" + path + "': tensor '" +
                               p.name + "' is " +
                               cscc::rt::dtypeName(t->dtype) +
                               "; weights must be F32 or F64");
    out.push_back(cscc::rt::convertDType(*t, want));
    used.insert(p.name);
  }
  for (const auto &[name, t] : file.tensors)
    if (!used.count(name))
      throw std::runtime_error("weights file '" + path +
                               "' has a tensor '" + name +
                               "' that the model does not have; was it "
                               "written for another model?");
  return out;
}

void cscc::driver::reportRepeatTiming(const char *what, int64_t repeat,
                                      int64_t images,
                                      const std::function<void()> &step) {
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < repeat; ++r)
    step();
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - t0)
                  .count() /
              repeat;
  std::cerr << what << ": " << ms << " ms for " << images << " images ("
            << repeat << " repeats)\n";
}

cscc::rt::Tensor cscc::driver::loadInput(const std::string &path,
                                         const cscc::ModelSignature &sig) {
  cscc::rt::Tensor x = cscc::rt::readNpy(path);
  std::vector<int64_t> want(sig.input.begin() + 1, sig.input.end());
  if (x.shape.size() != 4 ||
      std::vector<int64_t>(x.shape.begin() + 1, x.shape.end()) != want)
    throw std::runtime_error(
        "input '" + path + "' has shape " + cscc::rt::shapeString(x.shape) +
        "; the model takes [N, " + std::to_string(want[0]) + ", " +
        std::to_string(want[1]) + ", " + std::to_string(want[2]) +
        "] (NCHW)");
  if (x.dtype != cscc::rt::DType::F32 && x.dtype != cscc::rt::DType::F64)
    throw std::runtime_error("input '" + path + "' is " +
                             cscc::rt::dtypeName(x.dtype) +
                             "; use float32 or float64");
  return cscc::rt::convertDType(x, sig.f64 ? cscc::rt::DType::F64
                                           : cscc::rt::DType::F32);
}

int main(int argc, char **argv) {
  Options opts;
  if (int rc = parseArgs(argc, argv, opts))
    return rc == 2 ? 0 : rc;

  if (llvm::StringRef(opts.file).ends_with(".mlir"))
    return tensorLevelFile(opts);

  cscc::SourceManager sm;
  cscc::Module ast;
  cscc::Model model;
  try {
    ast = cscc::parseFile(sm, opts.file);
    if (opts.command.empty() && opts.emit == "ast") {
      std::ostringstream os;
      cscc::dumpAST(ast, sm, os);
      return writeOutput(opts, os.str());
    }
    model = cscc::elaborate(ast, sm, opts.overrides, opts.model);
  } catch (cscc::CompileError &err) {
    std::cerr << cscc::renderError(sm, err);
    return 1;
  } catch (std::exception &err) {
    // Anything else is a bug in cscc; still no crash and a clear message.
    std::cerr << "cscc: internal error: " << err.what() << "\n";
    return 1;
  }

  if (opts.command == "summary" && !opts.listWeights) {
    std::ostringstream os;
    cscc::printSummary(model, os);
    return writeOutput(opts, os.str());
  }

  mlir::DialectRegistry registry;
  setUpRegistry(registry);
  mlir::MLIRContext context(registry);
  context.loadDialect<mlir::csc::CscDialect, mlir::cst::CstDialect,
                      mlir::func::FuncDialect>();
  // Report every MLIR diagnostic and fail on errors (a verifier error must
  // not print a module and exit 0).
  bool failed = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      failed = true;
    return mlir::failure(); // let the default handler print it
  });
  bool f64 = (opts.command == "run" || opts.command == "grad") &&
             opts.dtype == "f64";
  // train/eval/predict/build generate their own modules (ProgramBuilder).
  bool programCommand = opts.command == "train" || opts.command == "eval" ||
                        opts.command == "predict" || opts.command == "build";
  if (programCommand) {
    try {
      int rc = opts.command == "build"
                   ? cscc::driver::buildCommand(opts, model, sm, context)
                   : cscc::driver::programCommand(opts, model, sm, context);
      return failed ? 1 : rc;
    } catch (std::exception &err) {
      std::cerr << "cscc: error: " << err.what() << "\n";
      return 1;
    }
  }
  mlir::OwningOpRef<mlir::ModuleOp> module =
      cscc::mlirGen(context, model, sm, f64);
  if (!module || failed)
    return 1;
  if (opts.inferShapes) {
    mlir::PassManager pm(&context);
    pm.addNestedPass<mlir::func::FuncOp>(mlir::csc::createShapeInferencePass());
    if (mlir::failed(pm.run(*module)) || failed)
      return 1;
  }
  if (mlir::failed(mlir::verify(*module)) || failed)
    return 1;

  try {
    if (opts.command == "summary")
      return writeOutput(opts, listWeights(*module));
    if (opts.command == "init")
      return initWeights(opts, *module);
    if (opts.command.empty() && opts.emit == "mlir")
      return writeOutput(opts, printModule(*module, opts.debugInfo));

    // Down to the tensor level.
    cscc::LoweringOptions lowering;
    // run predicts (logits only); grad differentiates the train-mode loss.
    lowering.withLoss = opts.command != "run";
    if (opts.command == "grad")
      lowering.mode = "train";
    mlir::PassManager pm(&context);
    if (mlir::failed(cscc::addPipeline(pm,
                                       cscc::toTensorLevelPipeline(lowering))) ||
        mlir::failed(pm.run(*module)) || failed)
      return 1;
    if (opts.emit == "cst" && opts.command.empty())
      return writeOutput(opts, printModule(*module, opts.debugInfo));
    if (opts.emit == "llvm" && opts.command.empty()) {
      mlir::PassManager llvmPm(&context);
      if (mlir::failed(cscc::addPipeline(
              llvmPm, cscc::createHostTarget()->tensorLevelToLLVMPipeline())) ||
          mlir::failed(llvmPm.run(*module)) || failed)
        return 1;
      return writeOutput(opts, printModule(*module, opts.debugInfo));
    }
    if (opts.command == "grad")
      return cscc::driver::gradCommand(opts, *module);
    return runModel(opts, *module);
  } catch (std::exception &err) {
    std::cerr << "cscc: error: " << err.what() << "\n";
    return 1;
  }
}
