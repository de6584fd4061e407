//===- ExecutableBuilder.h - A model as a standalone executable -*- C++ -*-===//
//
// `cscc build`: the functions ProgramBuilder makes (@train_update,
// @evaluate, ...) are lowered through a target (cscc/Target/Target.h) to
// LLVM IR and compiled to an object file for the host CPU (-O3, like the
// JIT), together with
//   cscc_program_info          the ProgramInfo as JSON (a C string)
//   cscc_program_target        the target's qualified name ("cuda (sm_90)")
//   cscc_program_device_check  the target's device check, or null
//   cscc_program_entries       {name, void (*)(void **descriptors)} per
//                              function
//   cscc_program_entry_count
// The object is linked with the target's executable libraries (the
// runtime's static libraries and the executable's main,
// runtime/lib/ExecutableMain.cpp), so the result needs neither cscc, MLIR
// nor the model file at run time; only the system's shared libraries.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_EXECUTABLEBUILDER_H
#define CSCC_EXECUTION_EXECUTABLEBUILDER_H

#include "cscc/Runtime/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace cscc {

class Target;

/// What buildExecutable made.
struct BuiltExecutable {
  /// Where the runtime's static libraries it linked are: the build tree's,
  /// or PREFIX/lib/cscc when cscc runs installed as PREFIX/bin/cscc.
  std::string runtimeDirectory;
};

/// Lowers `module` (tensor level, consumed) through `target`, compiles it
/// with the program tables of `info` and links the executable `output`.
/// Failure when the lowering failed (its diagnostics went to the context's
/// handlers); any other error is a std::runtime_error.
mlir::FailureOr<BuiltExecutable> buildExecutable(mlir::ModuleOp module,
                                                 const rt::ProgramInfo &info,
                                                 const Target &target,
                                                 const std::string &output);

} // namespace cscc

#endif
