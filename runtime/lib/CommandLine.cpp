//===- CommandLine.cpp - The runtime's command-line parser ----------------===//
#include "cscc/Runtime/CommandLine.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace cscc::rt {

namespace {

/// "-" alone and negative numbers are values, not options.
bool isOption(const std::string &arg) {
  if (arg.size() < 2 || arg[0] != '-')
    return false;
  char next = arg[1];
  return !(std::isdigit(static_cast<unsigned char>(next)) || next == '.');
}

bool contains(const std::vector<std::string> &names, const std::string &name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

CommandLine::CommandLine(const std::vector<std::string> &args,
                         const std::vector<std::string> &flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (!isOption(arg)) {
      positionals_.push_back(arg);
      continue;
    }
    // --name=value; a single-dash option keeps its '=' (-Dx=1 style values
    // are not the runtime's).
    if (size_t eq = arg.find('=');
        arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      options_.push_back({arg.substr(0, eq), arg.substr(eq + 1)});
      continue;
    }
    if (contains(flags, arg)) {
      options_.push_back({arg, ""});
      continue;
    }
    if (i + 1 >= args.size())
      throw UsageError(arg + " needs a value");
    options_.push_back({arg, args[++i]});
  }
}

CommandLine CommandLine::fromArgv(int argc, char **argv, int first,
                                  const std::vector<std::string> &flags) {
  std::vector<std::string> args;
  for (int i = first; i < argc; ++i)
    args.push_back(argv[i]);
  return CommandLine(args, flags);
}

bool CommandLine::has(const std::string &name) const {
  return std::any_of(options_.begin(), options_.end(),
                     [&](const CommandLineOption &o) { return o.name == name; });
}

std::string CommandLine::get(const std::string &name,
                             const std::string &fallback) const {
  for (auto it = options_.rbegin(); it != options_.rend(); ++it)
    if (it->name == name)
      return it->value;
  return fallback;
}

std::vector<std::string> CommandLine::all(const std::string &name) const {
  std::vector<std::string> values;
  for (const CommandLineOption &o : options_)
    if (o.name == name)
      values.push_back(o.value);
  return values;
}

void CommandLine::allowOnly(const std::vector<std::string> &known) const {
  for (const CommandLineOption &o : options_)
    if (!contains(known, o.name))
      throw UsageError("unknown option '" + o.name + "'");
}

void CommandLine::expectPositionals(size_t count,
                                    const std::string &usage) const {
  if (positionals_.size() != count)
    throw UsageError("expected " + usage);
}

CommandInvocation CommandInvocation::fromArgv(int argc, char **argv) {
  CommandInvocation invocation;
  if (argc < 2) {
    invocation.commandMissing = true;
    invocation.helpAsked = true;
    return invocation;
  }
  std::string word = argv[1];
  if (word.empty()) {
    invocation.commandMissing = true;
    invocation.helpAsked = true;
    return invocation;
  }
  if (word == "--help" || word == "-h" || word == "help") {
    invocation.helpAsked = true;
    return invocation;
  }
  invocation.command = word;
  for (int i = 2; i < argc; ++i)
    invocation.arguments.push_back(argv[i]);
  return invocation;
}

int64_t parseInteger(const std::string &text, const std::string &what) {
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno)
    throw UsageError("invalid " + what + " '" + text + "'");
  return value;
}

double parseReal(const std::string &text, const std::string &what) {
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno)
    throw UsageError("invalid " + what + " '" + text + "'");
  return value;
}

} // namespace cscc::rt
