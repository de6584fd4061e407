//===- Commands.h - The bodies of the cscc commands ------------*- C++ -*-===//
//
// tools/cscc reads the command line into Options and makes one call here.
// Each returns the exit status: 0, or 1 after printing the error (compile
// errors with their source line, the rest as "cscc: error: ...").
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_DRIVER_COMMANDS_H
#define CSCC_DRIVER_COMMANDS_H

#include "cscc/Driver/Options.h"
#include "cscc/Frontend/Sema.h"

#include "mlir/IR/MLIRContext.h"

#include <functional>

namespace cscc::driver {

/// The compiler's own commands: print the --emit form (Command::Emit),
/// summary, init, run and grad (also of a tensor-level FILE.mlir).
int runCompilerCommand(const Options &options);

/// A command on the elaborated model in a context with every dialect,
/// pass and external model registered (train, eval, predict, build).
using ModelCommand =
    std::function<int(const Options &, const Model &, const SourceManager &,
                      mlir::MLIRContext &)>;

/// Runs the front end on options.file, then `command`; reports its
/// exceptions and MLIR errors.
int runModelCommand(const Options &options, const ModelCommand &command);

} // namespace cscc::driver

#endif // CSCC_DRIVER_COMMANDS_H
