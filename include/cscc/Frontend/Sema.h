//===- Sema.h - Elaboration and checking of a parsed module ---------------===//
#ifndef CSCC_FRONTEND_SEMA_H
#define CSCC_FRONTEND_SEMA_H

#include "cscc/Frontend/AST.h"
#include "cscc/Frontend/Model.h"

#include <map>
#include <string>
#include <vector>

namespace cscc {

/// A `-D name=value` override from the command line.
struct ParamOverride {
  std::string name;
  std::string value; ///< source text of an expression, e.g. "9"
};

/// Evaluates parameters (with overrides), expands loops, blocks and named
/// dictionaries, checks every value and shape and counts parameters.
/// Throws CompileError. `modelName` picks a model when a file has several.
Model elaborate(const Module &module, SourceManager &sm,
                const std::vector<ParamOverride> &overrides,
                const std::string &modelName = {});

/// Writes the per-layer table of `cscc summary`, ending with
/// `total parameters: N`.
void printSummary(const Model &model, std::ostream &os);

} // namespace cscc

#endif
