//===- Build.cpp - cscc build: a standalone training executable -----------===//
//
// The functions ProgramBuilder makes (@train_update, @evaluate and the
// batch-statistics eval) built into an executable for --target
// (ExecutableBuilder.h): it needs neither cscc, MLIR nor the model file at
// run time.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include "cscc/Execution/ExecutableBuilder.h"
#include "cscc/Target/Target.h"

#include <iostream>

using namespace cscc;

int driver::buildCommand(const Options &opts, const Model &model,
                         const SourceManager &sm, mlir::MLIRContext &context) {
  std::unique_ptr<Target> target = targetFor(opts);
  rt::TrainSettings settings = settingsFor(opts, model);
  rt::ProgramInfo info;
  ProgramOptions options = programOptionsFor(opts, settings);
  options.batchStatsEval = true; // eval --bn-stats batch
  options.dataParallel = target->dataParallel();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildProgramModule(context, model, sm, options, info);
  if (!module)
    return 1;
  mlir::FailureOr<BuiltExecutable> built =
      buildExecutable(*module, info, *target, opts.output);
  if (mlir::failed(built))
    return 1;
  std::cout << "built " << opts.output << " for " << target->description()
            << ": model " << info.model << ", "
            << rt::wordOf(rt::kOptimizerWords, info.optimizer)
            << (info.nesterov ? " (Nesterov)" : "")
            << ", commands train, eval, predict, summary (runtime "
            << built->runtimeDirectory << ")\n";
  return 0;
}
