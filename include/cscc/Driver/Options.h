//===- Options.h - What a cscc command line says ----------------*- C++ -*-===//
//
// tools/cscc reads the command line with llvm::cl; the values land here,
// checked and typed, for the commands in lib/Driver (Commands.h).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_DRIVER_OPTIONS_H
#define CSCC_DRIVER_OPTIONS_H

#include "cscc/Frontend/Sema.h"
#include "cscc/Runtime/Lipschitz.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cscc::driver {

/// A malformed command line: printed as "cscc: error: MESSAGE" with a
/// pointer to --help, exit status 1.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Command {
  Emit, ///< no command word: print the --emit form
  Summary,
  Init,
  Run,
  Grad,
  Train,
  Eval,
  Predict,
  Build,
  Analyze,
};

/// What each command does and its usage, for --help.
extern const char *const kCommandsOverview;

/// The command word ("" for Command::Emit).
const char *commandName(Command command);
/// train, eval and predict hand their flags to the runtime; analyze its
/// data flags.
bool isRuntimeCommand(Command command);

enum class EmitKind { Ast, Mlir, Cst, Llvm };
enum class ElementType { F32, F64 };

struct Options {
  Command command = Command::Emit;
  std::string file;
  std::string output; ///< -o; "" for stdout
  std::string model;
  std::vector<ParamOverride> overrides;
  EmitKind emit = EmitKind::Mlir;
  bool emitGiven = false; ///< --emit on the command line
  bool inferShapes = true;
  bool debugInfo = false;
  bool listWeights = false; ///< summary --weights
  bool json = false;        ///< analyze --json
  bool coherence = false;   ///< analyze --coherence
  std::string plot;         ///< analyze --plot FILE.svg
  std::string weights;
  std::string input;
  std::string labels;
  ElementType dtype = ElementType::F32;
  uint64_t seed = 0;
  /// init, analyze: fresh steps and filters of the iterated pursuits
  /// without bn = prox (runtime Lipschitz.h): c = 1/L (--step-init
  /// lipschitz), filters scaled with c near 1 (scaled) or c = 1 (ones);
  /// unset: the train section's step_init (lipschitz by default), as
  /// `cscc train` starts.
  std::optional<cscc::rt::StepInit> stepInit;
  int64_t batchSize = 0; ///< 0: the command's default (run 256, grad 2)
  int64_t repeat = 0;
  int64_t check = 0; ///< grad: finite-difference check of this many coordinates
  bool noRecompute = false;
  bool gpuLoops = false; ///< run/grad --loops gpu
  /// build, train, eval, predict: "cpu" or "cuda" (checked by
  /// parseTarget).
  std::string target = "cpu";
  std::string cudaChip = "sm_90";
  /// train/eval/predict: the runtime's flags, passed on unparsed.
  std::vector<std::string> passThrough;
};

// The option values, checked; each throws a UsageError that says what is
// accepted.
EmitKind parseEmitKind(const std::string &text);
ElementType parseElementType(const std::string &text);
/// --loops cpu|gpu: true for gpu.
bool parseGpuLoops(const std::string &text);
/// --seed (non-negative) and the counts (positive): `flag` names it.
int64_t parseCount(const std::string &flag, const std::string &text,
                   bool zeroAllowed);
ParamOverride parseOverride(const std::string &nameEqualsValue);
std::string parseTarget(const std::string &text);
std::string parseCudaChip(const std::string &text);

/// An argument llvm::cl left to the driver: a positional, or an option it
/// does not know, at its place on the command line.
struct LooseArgument {
  unsigned position;
  std::string text;
  bool isOption;
};

/// The input file and, for train/eval/predict, the runtime's flags with
/// their values (an unknown option takes the argument after it unless it is
/// written --name=value); any other unknown option, a second file or none
/// is a UsageError.
void assignLooseArguments(std::vector<LooseArgument> arguments,
                          Options &options);

/// What each command needs (run: --weights, --input and -o; ...).
void checkRequiredOptions(const Options &options);

} // namespace cscc::driver

#endif // CSCC_DRIVER_OPTIONS_H
