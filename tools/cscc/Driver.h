//===- Driver.h - The cscc commands still in tools/cscc --------*- C++ -*-===//
//
// train, eval, predict (Train.cpp) and build (Build.cpp); the other
// commands are in lib/Driver (cscc/Driver/Commands.h).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_TOOLS_CSCC_DRIVER_H
#define CSCC_TOOLS_CSCC_DRIVER_H

#include "cscc/Driver/Options.h"
#include "cscc/Execution/JitModel.h"
#include "cscc/Execution/ProgramBuilder.h"
#include "cscc/Frontend/Sema.h"
#include "cscc/Runtime/Tensor.h"
#include "cscc/Runtime/Trainer.h"
#include "cscc/Target/Target.h"

#include <memory>

namespace cscc::driver {

/// The runtime's settings: the model's train section, then the flags.
rt::TrainSettings settingsFor(const Options &opts, const Model &model);
/// The --target (with --cuda-chip), after checking what compiling for it
/// needs on this machine (Target::checkToolchain); a clear error otherwise.
std::unique_ptr<Target> targetFor(const Options &opts);
ProgramOptions programOptionsFor(const Options &opts,
                                 const rt::TrainSettings &settings);

/// `train`, `eval`, `predict`: compile @train_update and @evaluate in
/// memory and run the runtime's command on them.
int programCommand(const Options &opts, const Model &model,
                   const SourceManager &sm, mlir::MLIRContext &context);

/// `build`: the same functions as an object file, linked with the runtime
/// into a standalone executable (-o).
int buildCommand(const Options &opts, const Model &model,
                 const SourceManager &sm, mlir::MLIRContext &context);

} // namespace cscc::driver

#endif
