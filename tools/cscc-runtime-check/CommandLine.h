//===- CommandLine.h - cscc-runtime-check's argument parsing ---*- C++ -*-===//
//
// What every subcommand of cscc-runtime-check parses its arguments with:
// positionals and --options, numbers, dtypes, and whole files.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CHECK_COMMANDLINE_H
#define CSCC_RUNTIME_CHECK_COMMANDLINE_H

#include "cscc/Runtime/Tensor.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace runtime_check {

/// A malformed command line: main() adds a pointer to --help.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Positionals and --options (each with a value, except the flags given),
/// from argv[first] on. A '-' followed by a digit is a positional (a
/// negative number).
struct Args {
  std::vector<std::string> pos;
  std::map<std::string, std::vector<std::string>> opts;

  Args(int argc, char **argv, int first,
       const std::vector<std::string> &flags = {}) {
    for (int i = first; i < argc; ++i) {
      std::string a = argv[i];
      if (a.size() > 1 && a[0] == '-' && !std::isdigit(a[1])) {
        if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
          opts[a].push_back("1");
          continue;
        }
        if (i + 1 >= argc)
          throw UsageError("option '" + a + "' needs a value");
        opts[a].push_back(argv[++i]);
      } else {
        pos.push_back(a);
      }
    }
  }
  bool has(const std::string &k) const { return opts.count(k) != 0; }
  /// The last value given for `k`, or `def`.
  std::string get(const std::string &k, const std::string &def = "") const {
    auto it = opts.find(k);
    return it == opts.end() ? def : it->second.back();
  }
  /// Every value given for `k`, in order.
  std::vector<std::string> all(const std::string &k) const {
    auto it = opts.find(k);
    return it == opts.end() ? std::vector<std::string>{} : it->second;
  }
  /// Rejects an option not in `known` (flags included).
  void allow(const std::vector<std::string> &known) const {
    for (const auto &kv : opts)
      if (std::find(known.begin(), known.end(), kv.first) == known.end())
        throw UsageError("unknown option '" + kv.first + "'");
  }
  void positionals(size_t n, const char *what) const {
    if (pos.size() != n)
      throw UsageError(std::string("expected ") + what);
  }
};

inline int64_t parseInt(const std::string &s, const char *what) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end || errno)
    throw UsageError(std::string("invalid ") + what + " '" + s + "'");
  return v;
}

inline double parseDouble(const std::string &s, const char *what) {
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || errno)
    throw UsageError(std::string("invalid ") + what + " '" + s + "'");
  return v;
}

/// --dtype: f32 or f64.
inline cscc::rt::DType parseDType(const std::string &s) {
  if (s == "f32")
    return cscc::rt::DType::F32;
  if (s == "f64")
    return cscc::rt::DType::F64;
  throw UsageError("unknown --dtype '" + s + "' (f32 or f64)");
}

inline std::vector<char> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read '" + path + "'");
  return std::vector<char>(std::istreambuf_iterator<char>(in),
                           std::istreambuf_iterator<char>());
}

} // namespace runtime_check

#endif // CSCC_RUNTIME_CHECK_COMMANDLINE_H
