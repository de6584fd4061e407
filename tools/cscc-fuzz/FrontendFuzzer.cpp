//===- FrontendFuzzer.cpp - libFuzzer target: the front end --------------===//
//
// One input is one .csc file. It goes through what `cscc summary` and
// `cscc --emit=ast` do (lexer, parser, elaboration with its checks and
// expansion, the summary table, the syntax-tree dump) with the output and
// the rendered diagnostics going nowhere. A CompileError is the expected
// answer to a bad input; anything else escaping (another exception, a
// crash, a sanitizer report, a hang) is a finding. scripts/fuzz.sh builds
// and runs it (--target frontend).
//
//===----------------------------------------------------------------------===//
#include "cscc/Frontend/AST.h"
#include "cscc/Frontend/Parser.h"
#include "cscc/Frontend/Sema.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Longer inputs add nothing the mutator cannot reach with short ones.
  if (size > 64 * 1024)
    return -1;
  cscc::SourceManager sm;
  // A buffer, not a file: an `include` resolves against the working
  // directory, as for a model in it.
  int file = sm.addBuffer("fuzz.csc",
                          std::string(reinterpret_cast<const char *>(data), size));
  try {
    cscc::Module ast;
    std::vector<int> includeStack;
    cscc::parseInto(sm, file, ast, includeStack);
    std::ostringstream sink;
    cscc::dumpAST(ast, sm, sink);
    cscc::Model model = cscc::elaborate(ast, sm, /*overrides=*/{});
    cscc::printSummary(model, sink);
  } catch (const cscc::CompileError &err) {
    // The rendering (source line, caret, notes) is part of the front end.
    (void)cscc::renderError(sm, err);
  }
  return 0;
}
