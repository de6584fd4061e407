//===- Options.cpp - Checking what a cscc command line says ---------------===//
#include "cscc/Driver/Options.h"
#include "cscc/Target/Target.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace cscc::driver {

const char *const kCommandsOverview =
    "the compiler of convolutional sparse coding networks (.csc)\n\n"
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
    "       cscc analyze FILE [--weights W] [--coherence] [--input X.npy |\n"
    "                 --data KIND|DIR]\n"
    "                    [--json] [--plot FILE.svg] [options]\n"
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
    "                 curves.svg in --run-dir (default runs/MODEL); the\n"
    "                 training flags are listed below; --target cuda\n"
    "                 [--cuda-chip sm_XY] compiles it for an NVIDIA GPU, as\n"
    "                 build does (eval and predict too)\n"
    "  eval           the test accuracy (eval mode) of --weights (default\n"
    "                 RUN_DIR/best.safetensors), with per-code sparsity\n"
    "  predict        the logits of images X.npy [N, C, H, W] under --weights\n"
    "  build          a standalone executable NAME with the same train,\n"
    "                 eval, predict and summary commands (no compiler, MLIR\n"
    "                 or model file needed to run it); --target cuda: for an\n"
    "                 NVIDIA GPU (kernels compiled for --cuda-chip, default\n"
    "                 sm_90, with the CUDA toolkit's ptxas: CUDA_HOME or\n"
    "                 /usr/local/cuda; cuDNN convolutions)\n"
    "  analyze        each dictionary's stability: lambda_max(D^T D) of the\n"
    "                 compiled D^T D at the layer's size (dense or Lanczos),\n"
    "                 L = 2 lambda_max, the step c and c L, and what\n"
    "                 decides the iteration's stability; of --weights, or of\n"
    "                 fresh weights (--seed, --step-init) as init writes\n"
    "                 them; --coherence adds the mutual coherence of each\n"
    "                 dictionary and of its conv blocks alone; --input X.npy\n"
    "                 adds each pursuit's code on those images: its zeros,\n"
    "                 ||X - D G|| / ||X|| and the dimensions it fails to\n"
    "                 rebuild (|D G - X| > 2 beta); --data KIND|DIR (and\n"
    "                 --data-path, --limit-test, ...) instead: the first 256\n"
    "                 test images as eval sees them; --json for scripts;\n"
    "                 --plot FILE.svg draws it\n"
    "  (none)         compile FILE and print the --emit form (default: mlir)\n";

const char *commandName(Command command) {
  switch (command) {
  case Command::Emit:
    return "";
  case Command::Summary:
    return "summary";
  case Command::Init:
    return "init";
  case Command::Run:
    return "run";
  case Command::Grad:
    return "grad";
  case Command::Train:
    return "train";
  case Command::Eval:
    return "eval";
  case Command::Predict:
    return "predict";
  case Command::Build:
    return "build";
  case Command::Analyze:
    return "analyze";
  }
  return "";
}

bool isRuntimeCommand(Command command) {
  switch (command) {
  case Command::Train:
  case Command::Eval:
  case Command::Predict:
  case Command::Analyze: // its data flags (--data, --data-path, ...)
    return true;
  case Command::Emit:
  case Command::Summary:
  case Command::Init:
  case Command::Run:
  case Command::Grad:
  case Command::Build:
    return false;
  }
  return false;
}

EmitKind parseEmitKind(const std::string &text) {
  if (text == "ast")
    return EmitKind::Ast;
  if (text == "mlir")
    return EmitKind::Mlir;
  if (text == "cst")
    return EmitKind::Cst;
  if (text == "llvm")
    return EmitKind::Llvm;
  throw UsageError("unknown --emit kind '" + text +
                   "'; use --emit=ast, mlir, cst or llvm");
}

ElementType parseElementType(const std::string &text) {
  if (text == "f32")
    return ElementType::F32;
  if (text == "f64")
    return ElementType::F64;
  throw UsageError("unknown --dtype '" + text +
                   "'; use --dtype f32 or --dtype f64");
}

bool parseGpuLoops(const std::string &text) {
  if (text == "cpu" || text == "gpu")
    return text == "gpu";
  throw UsageError("unknown --loops '" + text +
                   "'; use --loops cpu or --loops gpu");
}

int64_t parseCount(const std::string &flag, const std::string &text,
                   bool zeroAllowed) {
  char *end = nullptr;
  errno = 0;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || n < (zeroAllowed ? 0 : 1))
    throw UsageError(flag + " expects " +
                     (zeroAllowed ? "a non-negative" : "a positive") +
                     " integer, got '" + text + "'");
  return n;
}

ParamOverride parseOverride(const std::string &nameEqualsValue) {
  size_t eq = nameEqualsValue.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == nameEqualsValue.size())
    throw UsageError("-D expects NAME=VALUE, got '" + nameEqualsValue + "'");
  return {nameEqualsValue.substr(0, eq), nameEqualsValue.substr(eq + 1)};
}

std::string parseTarget(const std::string &text) {
  if (!isTarget(text))
    throw UsageError("unknown --target '" + text + "'; use " +
                     targetChoices("--target"));
  return text;
}

std::string parseCudaChip(const std::string &text) {
  if (text.rfind("sm_", 0) != 0 || text.size() < 5 ||
      text.find_first_not_of("0123456789a", 3) != std::string::npos)
    throw UsageError("--cuda-chip expects an architecture such as sm_90 "
                     "(H100) or sm_80 (A100), got '" + text + "'");
  return text;
}

void assignLooseArguments(std::vector<LooseArgument> arguments,
                          Options &options) {
  std::sort(arguments.begin(), arguments.end(),
            [](const LooseArgument &a, const LooseArgument &b) {
              return a.position < b.position;
            });
  bool toRuntime = isRuntimeCommand(options.command);
  for (size_t i = 0; i < arguments.size(); ++i) {
    const LooseArgument &arg = arguments[i];
    // llvm::cl takes "-" for a positional; it is no file here.
    if (arg.text == "-")
      throw UsageError("unknown option '-'");
    if (arg.isOption) {
      if (!toRuntime)
        throw UsageError("unknown option '" + arg.text + "'");
      options.passThrough.push_back(arg.text);
      bool takesValue = arg.text.find('=') == std::string::npos &&
                        arg.text != "--help" && arg.text != "-h";
      // Its value is the argument right after it, unless llvm::cl took
      // that one as a compiler option.
      if (takesValue && i + 1 < arguments.size() &&
          arguments[i + 1].position == arg.position + 1)
        options.passThrough.push_back(arguments[++i].text);
      continue;
    }
    if (!options.file.empty())
      throw UsageError("more than one input file ('" + options.file +
                       "' and '" + arg.text + "')");
    options.file = arg.text;
  }
  if (options.file.empty())
    throw UsageError("no input file");
}

void checkRequiredOptions(const Options &o) {
  switch (o.command) {
  case Command::Build:
    if (o.output.empty())
      throw UsageError("build needs -o NAME for the executable");
    break;
  case Command::Init:
    if (o.output.empty())
      throw UsageError("init needs -o WEIGHTS.safetensors");
    break;
  case Command::Run:
    if (o.weights.empty())
      throw UsageError("run needs --weights W.safetensors (make one with "
                       "'cscc init')");
    if (o.input.empty())
      throw UsageError("run needs --input X.npy (a float32 or float64 "
                       "array [N, C, H, W])");
    if (o.output.empty())
      throw UsageError("run needs -o Y.npy for the logits");
    break;
  case Command::Grad:
    if (o.emitGiven && o.emit != EmitKind::Cst && o.emit != EmitKind::Llvm)
      throw UsageError("grad prints its train step with --emit=cst or "
                       "--emit=llvm, not --emit=" +
                       std::string(o.emit == EmitKind::Ast ? "ast" : "mlir"));
    if (o.check != 0 || o.emitGiven)
      break;
    if (o.weights.empty())
      throw UsageError("grad needs --weights W.safetensors (make one with "
                       "'cscc init')");
    if (o.input.empty() || o.labels.empty())
      throw UsageError("grad needs --input X.npy [N, C, H, W] and --labels "
                       "L.npy [N] (integer classes)");
    if (o.output.empty())
      throw UsageError("grad needs -o G.safetensors for the gradients");
    break;
  case Command::Analyze:
    if (!o.labels.empty())
      throw UsageError("analyze measures codes without labels: drop "
                       "--labels (--input X.npy gives the images)");
    if (!o.input.empty() && !o.passThrough.empty())
      throw UsageError("analyze measures codes on --input X.npy or on a "
                       "data set's test images (--data ...), not both");
    break;
  case Command::Emit:
  case Command::Summary:
  case Command::Train:
  case Command::Eval:
  case Command::Predict:
    break;
  }
}

} // namespace cscc::driver
