//===- Checks.h - What cscc-runtime-check's subcommands share --*- C++ -*-===//
//
// Each family of subcommands (ConvChecks.cpp, DatasetChecks.cpp, ...)
// lists its checks and their usage; main (cscc-runtime-check.cpp)
// dispatches on one table of them. Arguments are parsed by the runtime's
// one parser (cscc/Runtime/CommandLine.h).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CHECK_CHECKS_H
#define CSCC_RUNTIME_CHECK_CHECKS_H

#include "cscc/Runtime/CommandLine.h"
#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/MemRef.h"
#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace runtime_check {

using cscc::rt::CommandLine;
using cscc::rt::parseInteger;
using cscc::rt::parseReal;
using cscc::rt::UsageError;

/// A subcommand: argv[0] is its name.
struct Check {
  const char *name;
  int (*run)(int argc, char **argv);
};

/// Subcommands that drive one part of the runtime, with their --help text.
struct CheckFamily {
  const char *usage;
  std::vector<Check> checks;
};

CheckFamily convChecks();
CheckFamily convBenchChecks();
CheckFamily convReplayChecks();
CheckFamily tensorFileChecks();
CheckFamily datasetChecks();
CheckFamily dataLoaderChecks();
CheckFamily checkpointChecks();
CheckFamily metricsChecks();
CheckFamily cudaChecks();

/// --dtype: f32 or f64.
inline cscc::rt::DType parseDType(const std::string &s) {
  if (s == "f32")
    return cscc::rt::DType::F32;
  if (s == "f64")
    return cscc::rt::DType::F64;
  throw UsageError("unknown --dtype '" + s + "' (f32 or f64)");
}

/// --layout WORD: the oneDNN layout policy of the float path
/// (kOneDnnLayoutWords), or a UsageError listing the words.
/// The value a word flag (--layout, --dilated-filter-grad) names.
template <typename E, size_t N>
E parseWordFlag(const char *flag, const std::string &word,
                const cscc::rt::Word<E> (&words)[N]) {
  std::optional<E> value = cscc::rt::lookupWord(words, word);
  if (!value)
    throw UsageError("unknown " + std::string(flag) + " '" + word +
                     "' (use " + cscc::rt::wordList(words) + ")");
  return *value;
}

inline void setLayoutFlag(const std::string &word) {
  cscc::rt::setOneDnnLayout(
      parseWordFlag("--layout", word, cscc::rt::kOneDnnLayoutWords));
}

inline void setDilatedFilterGradFlag(const std::string &word) {
  cscc::rt::setDilatedFilterGrad(parseWordFlag(
      "--dilated-filter-grad", word, cscc::rt::kDilatedFilterGradWords));
}

inline std::vector<char> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read '" + path + "'");
  return std::vector<char>(std::istreambuf_iterator<char>(in),
                           std::istreambuf_iterator<char>());
}

/// "A<sep>B" as two integers.
inline std::pair<int64_t, int64_t> parsePair(const std::string &s, char sep,
                                      const char *what) {
  size_t at = s.find(sep);
  if (at == std::string::npos)
    throw UsageError(std::string("invalid ") + what + " '" + s + "'");
  return {parseInteger(s.substr(0, at), what), parseInteger(s.substr(at + 1), what)};
}

inline std::vector<int64_t> parseShape(const std::string &s) {
  std::vector<int64_t> shape;
  size_t start = 0;
  if (s.empty())
    return shape;
  for (;;) {
    size_t at = s.find(',', start);
    shape.push_back(parseInteger(s.substr(start, at - start), "shape"));
    if (at == std::string::npos)
      break;
    start = at + 1;
  }
  return shape;
}

/// KIND [DIR] and --data-seed into a DataSpec (datasets-load, dataloader-*).
cscc::rt::DataSpec dataSpecFrom(const CommandLine &args, const char *usage);
void makeDirectory(const std::string &dir);
cscc::rt::Tensor labelTensor(const std::vector<int64_t> &labels);

/// `conv ... --device cuda` (CudaConv.cpp).
void cudaConv(const std::string &op, std::vector<float> *bufs[3],
              cscc::rt::MemRefDescriptor<float, 4> *m[3],
              const cscc::rt::ConvParams &p, bool hostPointers);
void cudaConv(const std::string &op, std::vector<double> *bufs[3],
              cscc::rt::MemRefDescriptor<double, 4> *m[3],
              const cscc::rt::ConvParams &p, bool hostPointers);
/// Throws: this build has no CUDA runtime.
[[noreturn]] void cudaRuntimeNotBuilt();

} // namespace runtime_check

#endif // CSCC_RUNTIME_CHECK_CHECKS_H
