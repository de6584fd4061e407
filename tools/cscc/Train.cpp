//===- Train.cpp - cscc train / eval / predict: the runtime over the JIT --===//
//
// The model is compiled in memory into @train_update and @evaluate
// (ProgramBuilder) and handed to the runtime's commands (Trainer.cpp), the
// same code a `cscc build` executable runs.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include "cscc/Execution/JitModel.h"
#include "cscc/Execution/ProgramBuilder.h"
#include "cscc/Execution/RuntimeSymbols.h"
#include "cscc/Runtime/Replicas.h"
#include "cscc/Runtime/Trainer.h"
#include "cscc/Target/Target.h"

#include <iostream>
#include <memory>
#include <optional>

using namespace cscc;

rt::TrainSettings driver::settingsFor(const Options &opts, const Model &model) {
  rt::TrainSettings s = rt::parseTrainSettings(trainSettingsOf(model.train),
                                               opts.passThrough, model.name);
  checkSettingsAgainstModel(s, model);
  return s;
}

std::unique_ptr<Target> driver::targetFor(const Options &opts) {
  TargetOptions options;
  options.chip = opts.cudaChip;
  std::unique_ptr<Target> target = createTarget(opts.target, options);
  target->checkToolchain();
  return target;
}

ProgramOptions driver::programOptionsFor(const Options &opts,
                                         const rt::TrainSettings &s) {
  ProgramOptions p;
  p.f64 = opts.dtype == ElementType::F64;
  p.optimizer = s.optimizer.kind;
  bool sgd = s.optimizer.kind == rt::OptimizerKind::Sgd;
  p.momentum = sgd && s.optimizer.momentum != 0;
  p.nesterov = sgd && s.optimizer.nesterov;
  p.stepLrScale = s.optimizer.stepLrScale;
  p.pursuitCodes = s.analyzeCodes;
  p.bnSync = s.bnSync;
  p.allreduceBucketKb = s.allreduceBucketKb;
  p.recompute = !opts.noRecompute;
  return p;
}

int driver::programCommand(const Options &opts, const Model &model,
                           const SourceManager &sm, mlir::MLIRContext &context) {
  // Settings first: the optimiser is compiled in.
  rt::TrainSettings settings = settingsFor(opts, model);
  // The toolchain is checked first; the device after compiling (the
  // kernels need none; the device check comes before the command reads
  // data or writes anything).
  std::unique_ptr<Target> target = targetFor(opts);
  rt::Program program;
  ProgramOptions options = programOptionsFor(opts, settings);
  options.training = opts.command == Command::Train;
  // The JIT compiles for the processes it runs in: one process (no
  // mpirun) gets no replica mean. Its gradient buckets (chains of
  // tensor.insert_slice) were most of a deep model's MLIR compile time
  // (one-shot bufferization's analysis: 27 of 30 s for the 56-layer plain
  // network) and, in one process, copies for nothing. `cscc build` keeps
  // them: an executable may be started by mpirun.
  options.dataParallel = target->dataParallel() && options.training &&
                         rt::Replicas::world().distributed();
  options.batchStatsEval =
      opts.command == Command::Eval && settings.batchStatsEval;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildProgramModule(context, model, sm, options, program.info);
  if (!module)
    return 1;
  std::shared_ptr<JitModel> jit = JitModel::compileAll(*module, *target);
  if (std::optional<std::string> why = targetDeviceError(*target))
    throw std::runtime_error("--target " + target->name().str() + ": " + *why);
  if (std::string device = targetDeviceDescription(*target); !device.empty())
    std::cout << "device: " << device << "\n";
  bindCompiledFunctions(program, jit);
  return rt::runProgramCommand(program, commandName(opts.command),
                               opts.passThrough);
}
