//===- cscc.cpp - The cscc driver: options, then one call into lib --------===//
//
// llvm::cl reads the command line (a subcommand per command word); the
// values are checked into cscc::driver::Options and handed to lib/Driver
// (Commands.h), or to Train.cpp and Build.cpp for the commands that run or
// link the runtime. Options llvm::cl does not know are the runtime's for
// train, eval and predict, and an error for the other commands.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include "cscc/Driver/Commands.h"
#include "cscc/Runtime/Trainer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <iostream>
#include <set>
#include <vector>

namespace cl = llvm::cl;
using namespace cscc::driver;

namespace {

cl::OptionCategory category("cscc options");

// No command word is the emit command: llvm::cl's top level would lend its
// options to every subcommand, train's flags included.
cl::SubCommand emitCmd("emit", "compile FILE and print the --emit form (the "
                               "command when none is given)");
cl::SubCommand summaryCmd("summary", "layers and parameters of the model");
cl::SubCommand initCmd("init", "write initial weights");
cl::SubCommand runCmd("run", "the forward pass on a batch of images");
cl::SubCommand gradCmd("grad", "the gradient of the loss, or its check");
cl::SubCommand trainCmd("train", "compile in memory and train");
cl::SubCommand evalCmd("eval", "the test accuracy of weights");
cl::SubCommand predictCmd("predict", "the logits of images");
cl::SubCommand buildCmd("build", "a standalone executable");
cl::SubCommand analyzeCmd("analyze", "each dictionary's Lipschitz constant "
                                     "and step");

// Who reads what: train, eval and predict read only the options of
// `everyCommand` and the target's, and pass the rest on to the runtime.
cl::SubCommandGroup everyCommand{
    &emitCmd, &summaryCmd, &initCmd,  &runCmd,
    &gradCmd,  &trainCmd, &evalCmd, &predictCmd, &buildCmd, &analyzeCmd};
cl::SubCommandGroup compilerCommands{&emitCmd,  &summaryCmd, &initCmd,
                                     &runCmd,   &gradCmd,    &buildCmd,
                                     &analyzeCmd};
cl::SubCommandGroup weightsFileCommands{&emitCmd, &initCmd,  &runCmd,
                                        &gradCmd, &buildCmd, &analyzeCmd};
cl::SubCommandGroup jitCommands{&runCmd, &gradCmd};
cl::SubCommandGroup targetCommands{&buildCmd, &trainCmd, &evalCmd,
                                   &predictCmd};

template <typename T> using opt = cl::opt<T>;
using text = cl::opt<std::string>;

cl::list<std::string> loose(cl::Positional, cl::desc("FILE"),
                            cl::sub(everyCommand), cl::cat(category));
cl::list<std::string> unknownOptions(cl::Sink, cl::ReallyHidden,
                                    cl::sub(everyCommand));
cl::list<std::string> overrides(
    "D", cl::Prefix, cl::value_desc("NAME=VALUE"), cl::sub(everyCommand),
    cl::desc("override a 'param' of the model (repeatable)"),
    cl::cat(category));
text model("model", cl::value_desc("NAME"), cl::sub(everyCommand),
           cl::desc("pick a model when the file holds several"),
           cl::cat(category));
text dtype("dtype", cl::value_desc("f32|f64"), cl::sub(everyCommand),
           cl::desc("the element type of run and grad (default f32)"),
           cl::cat(category));
opt<bool> noRecompute(
    "no-recompute", cl::sub(everyCommand), cl::cat(category),
    cl::desc("grad: keep every forward value for the backward pass "
             "(default: recompute cheap elementwise values)"));
text emit("emit", cl::value_desc("ast|mlir|cst|llvm"),
          cl::sub(compilerCommands), cl::cat(category),
          cl::desc("the syntax tree (before elaboration), the model in the "
                   "csc dialect (shapes inferred), at the tensor level "
                   "(eval mode), or in MLIR's LLVM dialect as the JIT gets "
                   "it"));
opt<bool> noInferShapes(
    "no-infer-shapes", cl::sub(compilerCommands), cl::cat(category),
    cl::desc("with --emit=mlir: leave activation types unranked"));
opt<bool> debugInfo("debuginfo", cl::sub(compilerCommands), cl::cat(category),
                    cl::desc("with --emit=mlir: print source locations"));
text output("o", cl::value_desc("FILE"), cl::sub(compilerCommands),
            cl::desc("write the output to FILE instead of stdout"),
            cl::cat(category));
opt<bool> listWeights("weights", cl::sub(summaryCmd), cl::cat(category),
                      cl::desc("list every tensor of the model"));
text weights("weights", cl::value_desc("W.safetensors"),
             cl::sub(weightsFileCommands), cl::desc("the weights"),
             cl::cat(category));
text input("input", cl::value_desc("X.npy"), cl::sub(compilerCommands),
           cl::desc("images [N, C, H, W]"), cl::cat(category));
text labels("labels", cl::value_desc("L.npy"), cl::sub(compilerCommands),
            cl::desc("grad: classes [N]"), cl::cat(category));
text seed("seed", cl::value_desc("N"), cl::sub(compilerCommands),
          cl::desc("init, grad: the generator's seed (default 0)"),
          cl::cat(category));
cl::SubCommandGroup freshWeightsCommands{&initCmd, &analyzeCmd};
text stepInit("step-init", cl::value_desc("lipschitz|scaled|ones"),
              cl::sub(freshWeightsCommands),
              cl::desc("init: the iterated pursuits' steps c = 1/L of each "
                       "dictionary (default), their filters scaled so that "
                       "c lambda_max(D^T D) = 0.95 with c near 1, or c = 1"),
              cl::cat(category));
opt<bool> json("json", cl::sub(analyzeCmd), cl::cat(category),
               cl::desc("analyze: print JSON instead of the table"));
opt<bool> coherence(
    "coherence", cl::sub(analyzeCmd), cl::cat(category),
    cl::desc("analyze: also each dictionary's mutual coherence (and its "
             "conv blocks' alone), from columns of the compiled D^T D"));
text plot("plot", cl::value_desc("FILE.svg"), cl::sub(analyzeCmd),
          cl::cat(category),
          cl::desc("analyze: also draw the report as an SVG figure"));
text batchSize("batch-size", cl::value_desc("B"), cl::sub(compilerCommands),
               cl::desc("images per call"), cl::cat(category));
text repeat("repeat", cl::value_desc("R"), cl::sub(compilerCommands),
            cl::desc("time R more calls"), cl::cat(category));
text check("check", cl::value_desc("N"), cl::sub(compilerCommands),
           cl::desc("grad: check N coordinates by finite differences"),
           cl::cat(category));
text loops("loops", cl::value_desc("cpu|gpu"), cl::sub(jitCommands),
           cl::cat(category),
           cl::desc("lay the generated loops out as for the CPU (default) "
                    "or as the CUDA target's kernels, run on the CPU: to "
                    "check the GPU lowering's arithmetic without a GPU"));
text target("target", cl::value_desc("cpu|cuda"), cl::sub(targetCommands),
            cl::desc("where the model runs (default cpu)"),
            cl::cat(category));
text cudaChip("cuda-chip", cl::value_desc("sm_XY"), cl::sub(targetCommands),
              cl::desc("--target cuda: the GPU architecture (default sm_90)"),
              cl::cat(category));

const std::pair<cl::SubCommand *, Command> kCommands[] = {
    {&emitCmd, Command::Emit},       {&summaryCmd, Command::Summary}, {&initCmd, Command::Init},
    {&runCmd, Command::Run},         {&gradCmd, Command::Grad},
    {&trainCmd, Command::Train},     {&evalCmd, Command::Eval},
    {&predictCmd, Command::Predict}, {&buildCmd, Command::Build},
    {&analyzeCmd, Command::Analyze}};

/// An option that takes a value, last on the command line: said here, as
/// llvm::cl's own message ("requires a value!") names no flag as typed.
void rejectMissingValue(int argc, char **argv) {
  if (argc < 2)
    return;
  llvm::StringRef last = argv[argc - 1];
  if (!last.starts_with("-") || last.contains('='))
    return;
  cl::SubCommand *sub = &emitCmd;
  for (auto [subCommand, command] : kCommands)
    if (subCommand->getName() == argv[1])
      sub = subCommand;
  auto &options = cl::getRegisteredOptions(*sub);
  auto it = options.find(last.ltrim('-'));
  if (it != options.end() &&
      it->second->getValueExpectedFlag() == cl::ValueRequired)
    throw UsageError(last.str() + " needs a value");
}

/// Options of the libraries cscc links (LLVM's --stop-after, ...) sit in
/// llvm::cl's top level, which lends them to every subcommand: they would
/// take runtime flags of the same names. cscc has none of its own there.
void dropLibraryOptions() {
  std::set<cl::Option *> libraryOptions;
  for (auto &entry : cl::getRegisteredOptions(cl::SubCommand::getTopLevel())) {
    const auto &subs = entry.second->Subs;
    if (subs.empty() || (subs.size() == 1 &&
                         subs.count(&cl::SubCommand::getTopLevel())))
      libraryOptions.insert(entry.second);
  }
  for (cl::Option *option : libraryOptions)
    option->removeArgument();
}

Options readOptions() {
  Options o;
  for (auto [subCommand, command] : kCommands)
    if (*subCommand)
      o.command = command;
  std::vector<LooseArgument> args;
  for (size_t i = 0; i < loose.size(); ++i)
    args.push_back({loose.getPosition(i), loose[i], /*isOption=*/false});
  for (size_t i = 0; i < unknownOptions.size(); ++i)
    args.push_back(
        {unknownOptions.getPosition(i), unknownOptions[i], /*isOption=*/true});
  assignLooseArguments(std::move(args), o);
  if (emit.getNumOccurrences()) {
    o.emit = parseEmitKind(emit);
    o.emitGiven = true;
  }
  for (const std::string &nameEqualsValue : overrides)
    o.overrides.push_back(parseOverride(nameEqualsValue));
  o.model = model;
  if (dtype.getNumOccurrences())
    o.dtype = parseElementType(dtype);
  o.noRecompute = noRecompute;
  o.inferShapes = !noInferShapes;
  o.debugInfo = debugInfo;
  o.output = output;
  o.listWeights = listWeights;
  o.json = json;
  o.coherence = coherence;
  o.plot = plot;
  o.weights = weights;
  o.input = input;
  o.labels = labels;
  if (seed.getNumOccurrences())
    o.seed = parseCount("--seed", seed, /*zeroAllowed=*/true);
  if (stepInit.getNumOccurrences()) {
    try {
      o.stepInit = cscc::rt::parseStepInit(stepInit, "--step-init");
    } catch (const std::runtime_error &e) {
      throw UsageError(e.what());
    }
  }
  if (batchSize.getNumOccurrences())
    o.batchSize = parseCount("--batch-size", batchSize, false);
  if (repeat.getNumOccurrences())
    o.repeat = parseCount("--repeat", repeat, false);
  if (check.getNumOccurrences())
    o.check = parseCount("--check", check, false);
  if (loops.getNumOccurrences())
    o.gpuLoops = parseGpuLoops(loops);
  if (target.getNumOccurrences())
    o.target = parseTarget(target);
  if (cudaChip.getNumOccurrences())
    o.cudaChip = parseCudaChip(cudaChip);
  checkRequiredOptions(o);
  return o;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<char *> args(argv, argv + argc);
  if (argc < 2 || std::none_of(std::begin(kCommands), std::end(kCommands),
                               [&](auto command) {
                                 return command.first->getName() == argv[1];
                               }))
    args.insert(args.begin() + 1, const_cast<char *>("emit"));
  argc = static_cast<int>(args.size());
  argv = args.data();
  dropLibraryOptions();
  for (auto [subCommand, command] : kCommands)
    cl::HideUnrelatedOptions(category, *subCommand);
  std::string trainingFlags = "\n" + std::string(cscc::rt::kTrainFlagsHelp);
  cl::extrahelp trainingFlagsHelp(trainingFlags);
  Options options;
  try {
    rejectMissingValue(argc, argv);
    std::string errors;
    llvm::raw_string_ostream errorStream(errors);
    if (!cl::ParseCommandLineOptions(argc, argv, kCommandsOverview, &errorStream)) {
      // Its first line, without the "cscc: " it starts with.
      llvm::StringRef first = llvm::StringRef(errors).split('\n').first;
      throw UsageError(first.drop_front(first.find(": ") + 2).str());
    }
    options = readOptions();
  } catch (const UsageError &e) {
    std::cerr << "cscc: error: " << e.what() << "\n"
              << "run 'cscc --help' for usage\n";
    return 1;
  }
  switch (options.command) {
  case Command::Train:
  case Command::Eval:
  case Command::Predict:
    return runModelCommand(options, programCommand);
  case Command::Build:
    return runModelCommand(options, buildCommand);
  case Command::Emit:
  case Command::Summary:
  case Command::Init:
  case Command::Run:
  case Command::Grad:
  case Command::Analyze:
    return runCompilerCommand(options);
  }
  return 1;
}
