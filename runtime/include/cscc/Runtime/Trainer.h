//===- Trainer.h - train, evaluate and predict with a compiled model -*- C++ -*-===//
//
// The commands of `cscc train` / `cscc eval` and of a built executable
// (runProgramCommand in Program.h). Settings come from the model file's
// train section (ProgramInfo::train, `key=value`) and are overridden by
// command-line flags of the same names (`--weight-decay` for
// `weight_decay`).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_TRAINER_H
#define CSCC_RUNTIME_TRAINER_H

#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/Lipschitz.h"
#include "cscc/Runtime/Optimizer.h"
#include "cscc/Runtime/Progress.h"
#include "cscc/Runtime/Replicas.h" // kDefaultAllreduceBucketKb

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cscc::rt {

/// How many test images `analyze_codes` measures the codes on (the first).
constexpr int64_t kAnalyzedImages = 256;

struct TrainSettings {
  DataSpec data;
  OptimizerSettings optimizer;
  ScheduleSettings schedule;
  int64_t epochs = 1;
  int64_t batch = 128;
  int64_t evalBatch = 256;
  Augmentation augment;
  bool normalize = true;
  /// After every epoch: each layer-wise pursuit's code on the first
  /// kAnalyzedImages test images (Reconstruction.h), into metrics.jsonl.
  /// Compiled in (@pursuit_codes).
  bool analyzeCodes = false;
  /// Data-parallel training: batch norm with the statistics of the global
  /// batch, every process's share together (compiled in).
  bool bnSync = false;
  /// Data-parallel training: the gradients' all-reduce buckets in KiB,
  /// each begun as the backward pass finishes it; 0: one all-reduce after
  /// the backward pass (compiled in).
  int64_t allreduceBucketKb = kDefaultAllreduceBucketKb;
  double validation = 0;
  /// A fresh model's steps c (and filters) of the pursuits that iterate
  /// without bn = prox: c = 1/L (or scaleDictionaries, or c = 1).
  StepInit stepInit = StepInit::Lipschitz;
  uint64_t seed = 0;
  std::string runDir;  ///< default runs/MODEL
  std::string resume;  ///< a run directory to continue from
  std::string weights; ///< eval/predict: a .safetensors of weights
  std::string input;   ///< predict: images .npy
  std::string output;  ///< predict: logits .npy
  int64_t limitTrain = 0; ///< use only the first N training images
  int64_t limitTest = 0;  ///< evaluate on the first N test images
  /// Also save RUN_DIR/last every N optimiser steps (0: at epoch ends only).
  int64_t checkpointEvery = 0;
  /// Save RUN_DIR/last and stop once N steps are done in all (0: no limit).
  int64_t stopAfter = 0;
  /// Data-parallel training: check every N steps that all processes hold
  /// bitwise the same weights and optimiser state (0: never).
  int64_t checkReplicas = 0;
  Progress::Mode progress = Progress::Mode::Auto;
  /// eval: batch norm with the test batch's statistics (train mode)
  /// instead of the running ones, to compare the two.
  bool batchStatsEval = false;
};

/// The first `count` test images of the data set `s.data` (--limit-test
/// applies first) as evaluation sees them: normalised with the statistics
/// the weights file `s.weights` records, else with the training set's (when
/// s.normalize), in the float type of `info`. `cscc analyze --data`'s.
Tensor evaluationImages(const ProgramInfo &info, const TrainSettings &s,
                        int64_t count);

/// The flags every command accepts, for --help.
extern const char *kTrainFlagsHelp;

/// Applies `key=value` settings (the model's train section) and then the
/// command-line flags `args` (`--key value` or `--key=value`). Throws
/// std::runtime_error naming the key or flag and the accepted values.
TrainSettings parseTrainSettings(const std::map<std::string, std::string> &model,
                                 const std::vector<std::string> &args,
                                 const std::string &modelName);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_TRAINER_H
