//===- Parser.h - Recursive-descent parser for .csc files -----------------===//
#ifndef CSCC_FRONTEND_PARSER_H
#define CSCC_FRONTEND_PARSER_H

#include "cscc/Frontend/AST.h"
#include "cscc/Frontend/Lexer.h"

namespace cscc {

/// Parses `path` and, recursively, the files it includes (each once; an
/// include cycle is an error). Throws CompileError.
Module parseFile(SourceManager &sm, const std::string &path);

/// Parses an already-registered buffer (used for files and tests).
void parseInto(SourceManager &sm, int file, Module &module,
               std::vector<int> &includeStack);

} // namespace cscc

#endif
