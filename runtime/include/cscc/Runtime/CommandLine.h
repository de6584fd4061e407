//===- CommandLine.h - The runtime's command-line parser -------*- C++ -*-===//
//
// One parser for every command line on the runtime side: the executables
// `cscc build` makes, the training flags (also those `cscc train` passes
// on) and cscc-runtime-check. The compiler's tools use llvm::cl instead,
// which the runtime cannot (no LLVM headers here, docs/design.md §2).
//
//   COMMAND [positional | -o VALUE | --name VALUE | --name=VALUE | --flag]...
//
// An argument that starts with '-' is an option, except "-" alone and a
// negative number ("-1", "-.5"), which are positionals. An option takes the
// next argument as its value (whatever it is, so `--lr -1` works) unless it
// is written --name=value or is one of the caller's flags.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_COMMANDLINE_H
#define CSCC_RUNTIME_COMMANDLINE_H

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cscc::rt {

/// A malformed command line: the program adds a pointer to its --help.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One option as written: `name` with its dashes ("--lr", "-o").
struct CommandLineOption {
  std::string name;
  std::string value; ///< "" for a flag
};

/// Positionals and options, in the order given.
class CommandLine {
public:
  CommandLine() = default;
  /// Throws UsageError("--NAME needs a value") for an option other than a
  /// flag that ends the command line.
  explicit CommandLine(const std::vector<std::string> &args,
                       const std::vector<std::string> &flags = {});
  /// argv[first] to argv[argc - 1].
  static CommandLine fromArgv(int argc, char **argv, int first,
                              const std::vector<std::string> &flags = {});

  const std::vector<std::string> &positionals() const { return positionals_; }
  const std::vector<CommandLineOption> &options() const { return options_; }

  bool has(const std::string &name) const;
  /// The last value given for `name`, or `fallback`.
  std::string get(const std::string &name,
                  const std::string &fallback = "") const;
  /// Every value given for `name`, in order.
  std::vector<std::string> all(const std::string &name) const;
  /// Throws UsageError("unknown option '--x'") for an option not in `known`.
  void allowOnly(const std::vector<std::string> &known) const;
  /// Throws UsageError("expected USAGE") unless there are `count`
  /// positionals.
  void expectPositionals(size_t count, const std::string &usage) const;

private:
  std::vector<std::string> positionals_;
  std::vector<CommandLineOption> options_;
};

/// `PROGRAM COMMAND ...`: the command word (argv[1]) and the arguments
/// after it. A missing command, "help", "-h" and "--help" ask for help.
struct CommandInvocation {
  std::string command; ///< "" when help was asked for
  bool helpAsked = false;
  bool commandMissing = false;
  std::vector<std::string> arguments; ///< after the command word

  static CommandInvocation fromArgv(int argc, char **argv);
};

/// A whole decimal integer (no sign check): throws UsageError("invalid
/// WHAT 'TEXT'") otherwise.
int64_t parseInteger(const std::string &text, const std::string &what);
/// A whole decimal real number, likewise.
double parseReal(const std::string &text, const std::string &what);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_COMMANDLINE_H
