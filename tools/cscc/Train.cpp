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
#include "cscc/Runtime/Trainer.h"

#ifdef CSCC_CUDA_RUNTIME_LIB
#include "cscc/Runtime/Cuda.h"
#endif

#include <iostream>
#include <memory>
#include <optional>

using namespace cscc;

rt::TrainSettings driver::settingsFor(const Options &opts, const Model &model) {
  return rt::parseTrainSettings(trainSettingsOf(model.train), opts.passThrough,
                                model.name);
}

ProgramOptions driver::programOptionsFor(const Options &opts,
                                         const rt::TrainSettings &s) {
  ProgramOptions p;
  p.f64 = opts.dtype == ElementType::F64;
  p.optimizer = s.optimizer.kind;
  p.momentum = s.optimizer.kind == "sgd" && s.optimizer.momentum != 0;
  p.nesterov = s.optimizer.kind == "sgd" && s.optimizer.nesterov;
  p.recompute = !opts.noRecompute;
  return p;
}

int driver::programCommand(const Options &opts, const Model &model,
                           const SourceManager &sm, mlir::MLIRContext &context) {
  // Settings first: the optimiser is compiled in.
  rt::TrainSettings settings = settingsFor(opts, model);
  // --target cuda: the toolchain is checked first; the GPU after
  // compiling (the kernels need none; the device check comes before the
  // command reads data or writes anything).
  std::optional<CudaOptions> cuda;
  if (opts.target == "cuda")
    cuda = cudaOptionsFor(opts);
  rt::Program program;
  ProgramOptions options = programOptionsFor(opts, settings);
  options.training = opts.command == Command::Train;
  options.batchStatsEval =
      opts.command == Command::Eval && settings.batchStatsEval;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildProgramModule(context, model, sm, options, program.info);
  if (!module)
    return 1;
  std::shared_ptr<JitModel> jit =
      JitModel::compileAll(*module, cuda ? &*cuda : nullptr);
#ifdef CSCC_CUDA_RUNTIME_LIB // (else cudaOptionsFor refused --target cuda)
  if (cuda) {
    if (const char *why = cscc_cuda_device_check())
      throw std::runtime_error("--target cuda: " + std::string(why));
    std::cout << "device: " << rt::cuda::deviceDescription() << ", "
              << rt::cuda::cudnnDescription() << "\n";
  }
#endif
  for (const rt::FunctionInfo &f : program.info.functions)
    program.functions[f.name] = [jit, name = f.name](
                                    const std::vector<rt::BufferRef> &args,
                                    const std::vector<rt::BufferRef> &results) {
      std::vector<Buffer> a, r;
      for (const rt::BufferRef &b : args)
        a.push_back({b.data, b.shape});
      for (const rt::BufferRef &b : results)
        r.push_back({b.data, b.shape});
      jit->invoke(name, a, r);
    };
  return rt::runProgramCommand(program, commandName(opts.command),
                               opts.passThrough);
}
