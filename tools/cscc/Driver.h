//===- Driver.h - What the cscc commands share ------------------*- C++ -*-===//
#ifndef CSCC_TOOLS_CSCC_DRIVER_H
#define CSCC_TOOLS_CSCC_DRIVER_H

#include "cscc/Execution/JitModel.h"
#include "cscc/Execution/ProgramBuilder.h"
#include "cscc/Frontend/Sema.h"
#include "cscc/Runtime/Tensor.h"
#include "cscc/Runtime/Trainer.h"
#include "cscc/Target/Target.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cscc::driver {

struct Options {
  std::string command; // "", "summary", "init", "run" or "grad"
  std::string weights;
  std::string input;
  std::string labels;
  std::string dtype = "f32";
  uint64_t seed = 0;
  int64_t batchSize = 0; // 0: the command's default (run 256, grad 2)
  int64_t repeat = 0;
  int64_t check = 0; // grad: finite-difference check of this many coordinates
  bool noRecompute = false;
  bool listWeights = false;
  std::string emit = "mlir";
  bool emitGiven = false; // --emit on the command line
  std::string file;
  std::string output;
  std::string model;
  bool inferShapes = true;
  bool debugInfo = false;
  std::vector<cscc::ParamOverride> overrides;
  /// train/eval/predict/build: the runtime's flags, passed on unparsed.
  std::vector<std::string> passThrough;
  std::string target = "cpu"; // build
  std::string cudaChip = "sm_90"; // build --target cuda
  bool gpuLoops = false;          // run/grad --loops gpu
};

/// The weights in the model's order and dtype; a clear error for a missing,
/// misshapen or unexpected tensor.
std::vector<rt::Tensor> loadWeights(const std::string &path,
                                    const ModelSignature &sig);

/// An NCHW batch of the model's image size, converted to its dtype.
rt::Tensor loadInput(const std::string &path, const ModelSignature &sig);

/// --repeat: calls `step` `repeat` times (after a warm-up the caller made)
/// and prints "WHAT: MS ms for N images (R repeats)" to stderr.
void reportRepeatTiming(const char *what, int64_t repeat, int64_t images,
                        const std::function<void()> &step);

/// `grad`: the train-mode loss and the gradient of every learned parameter
/// (or, with --check, a finite-difference check of it). `module` is at the
/// tensor level (train mode, with loss).
int gradCommand(const Options &opts, mlir::ModuleOp module);

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
