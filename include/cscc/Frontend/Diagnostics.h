//===- Diagnostics.h - Source files, locations and front-end errors -------===//
//
// The front end knows nothing of MLIR: it keeps its own source manager and
// reports errors as exceptions carrying a location, rendered clang-style with
// the source line and a caret.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_FRONTEND_DIAGNOSTICS_H
#define CSCC_FRONTEND_DIAGNOSTICS_H

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace cscc {

/// A position in a source file (1-based line and column). `file == -1` means
/// "no file" (command line, built-in).
struct Location {
  int file = -1;
  int line = 0;
  int col = 0;
};

/// Owns the text of every file read during one compilation.
class SourceManager {
public:
  /// Source files are read whole; larger ones are refused.
  static constexpr uintmax_t kMaxFileBytes = 16u << 20;
  /// Reads `path`; returns its id, or -1 if it cannot be read, with the
  /// reason in `why` when it is not plain failure to open (not a regular
  /// file: a device such as /dev/zero or a FIFO, which could be read
  /// without end or block; larger than kMaxFileBytes).
  int addFile(const std::string &path, std::string *why = nullptr);
  /// Registers text that does not come from disk (tests, -D values).
  int addBuffer(const std::string &name, std::string text);
  const std::string &path(int file) const { return files[file].path; }
  const std::string &text(int file) const { return files[file].text; }
  /// The text of line `line` (1-based) without its newline.
  std::string lineText(int file, int line) const;
  /// The id of an already-added file with this canonical path, or -1.
  int findFile(const std::string &canonicalPath) const;

private:
  struct File {
    std::string path, canonical, text;
  };
  std::vector<File> files;
};

/// A front-end error: what is wrong, where, and how to fix it.
class CompileError : public std::runtime_error {
public:
  CompileError(Location loc, std::string message, std::string help = {})
      : std::runtime_error(message), loc(loc), help(std::move(help)) {}
  Location loc;
  std::string help;
  /// Extra locations worth showing ("note: 'x' defined here").
  std::vector<std::pair<Location, std::string>> notes;
};

/// Renders `file:line:col: error: message`, the source line, a caret under
/// the column, then notes and `help:` lines.
std::string renderError(const SourceManager &sm, const CompileError &err);

/// Levenshtein distance, for did-you-mean suggestions.
size_t editDistance(const std::string &a, const std::string &b);
/// The closest candidate to `name` (or "" if none is close enough).
std::string closestMatch(const std::string &name,
                         const std::vector<std::string> &candidates);
/// "; did you mean 'x'?" or "".
std::string didYouMean(const std::string &name,
                       const std::vector<std::string> &candidates);

} // namespace cscc

#endif
