//===- Checkpoint.h - training checkpoints (weights + training state) -*- C++ -*-===//
//
// A checkpoint is a pair of safetensors files in a directory (docs/design.md §5):
//
//   DIR/TAG.safetensors        the weights: every parameter and running
//                              statistic under its PyTorch name
//                              ("conv0.weight", "bn1.running_mean"), with
//                              metadata {"format": "pt", "cscc.step": ...},
//                              so a PyTorch user loads it with
//                              safetensors.torch.load_file and
//                              model.load_state_dict
//   DIR/TAG.train.safetensors  the optimiser's tensors ("NAME.momentum_buffer",
//                              "NAME.exp_avg", ...) and the TrainState in the
//                              metadata, every value a string:
//                                cscc.version        "1"
//                                cscc.step           optimiser steps done
//                                cscc.epoch          epochs completed
//                                cscc.seed           the run's seed
//                                cscc.rng_state      Rng::state() (or "")
//                                cscc.best_accuracy  %.17g (round-trips)
//                                cscc.best_epoch
//                                cscc.save_id        16 hex digits, random
//                                extra.KEY           TrainState::extra[KEY]
//
// Both files carry cscc.version, cscc.step, cscc.epoch and cscc.save_id (a
// random id drawn for each save); the weights file also carries the extra
// entries, so it describes itself. A pair whose step or save id differ was
// torn: by a crash between the two renames below, or by a file copied from
// another run.
//
// Saving (crash-safe; each file write is writeFileAtomic: temporary file,
// fsync, rename, fsync of the directory):
//   1. DIR is created if missing; a pair torn by an earlier crash in step 4
//      is repaired first (TAG.train.safetensors.prev back in place); stale
//      temporary files of this tag (TAG.safetensors.tmp*,
//      TAG.*.staged, TAG.train.safetensors.prev) are removed.
//   2. Both new files are written completely under staging names,
//      TAG.train.safetensors.staged and TAG.safetensors.staged. Any failure
//      here (directory not writable, disk full, something in the way)
//      leaves the previous pair untouched.
//   3. The current training file is hard-linked to
//      TAG.train.safetensors.prev (the old pair's half that step 4
//      replaces first).
//   4. rename(TAG.train.safetensors.staged -> TAG.train.safetensors), then
//      rename(TAG.safetensors.staged -> TAG.safetensors), fsync of DIR.
//      The weights file, which users load directly, is replaced last and in
//      one rename: at every moment it is a complete file.
//   5. TAG.train.safetensors.prev is removed.
// A crash between the two renames of step 4 leaves the new training file
// beside the old weights; loadCheckpoint then finds the old weights' other
// half in TAG.train.safetensors.prev and loads the older pair (saying so in
// Checkpoint::recovered), and the next save repairs the directory. (On a
// file system without hard links step 3 is skipped and such a crash leaves
// a torn pair that loading reports.) Writers of one tag must not run
// concurrently.
//
// Loading validates everything and throws std::runtime_error naming the
// file and the fix: a missing directory, a missing file (listing the
// checkpoints or files the directory has), a corrupt file (the message of
// readSafetensors), missing or malformed metadata, a torn pair.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CHECKPOINT_H
#define CSCC_RUNTIME_CHECKPOINT_H

#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cscc::rt {

struct TrainState {
  int64_t epoch = 0;     ///< epochs completed
  int64_t step = 0;      ///< optimiser steps done
  uint64_t seed = 0;
  std::string rngState;  ///< Rng::state()
  double bestAccuracy = -1;
  int64_t bestEpoch = -1;
  /// Anything else to keep (the settings, the model's name); stored as
  /// "extra.KEY" metadata in both files.
  std::map<std::string, std::string> extra;
};

struct Checkpoint {
  /// Every parameter and running statistic, PyTorch names.
  std::map<std::string, Tensor> weights;
  /// Optimiser state: "NAME.momentum_buffer", "NAME.exp_avg", ...
  std::map<std::string, Tensor> optimizer;
  TrainState state;
  /// Set by loadCheckpoint only: empty normally; a sentence when the pair
  /// was torn by a crash during a save and the older pair was loaded (the
  /// trainer should print it as a warning).
  std::string recovered;
};

/// Writes DIR/TAG.safetensors and DIR/TAG.train.safetensors as described
/// above. TAG: letters, digits, '-' and '_' ("last", "best", "epoch-3").
/// Throws std::runtime_error "cannot save checkpoint 'TAG' in 'DIR': ...".
void saveCheckpoint(const std::string &dir, const std::string &tag,
                    const Checkpoint &c);

/// Reads the pair (see above). Throws std::runtime_error.
Checkpoint loadCheckpoint(const std::string &dir,
                          const std::string &tag = "last");

/// Both files of the pair exist as regular files (nothing is validated).
bool checkpointExists(const std::string &dir, const std::string &tag);

/// The tags that have both files in DIR, sorted; empty when DIR is missing.
std::vector<std::string> listCheckpoints(const std::string &dir);

/// The two paths of a pair.
std::string checkpointWeightsPath(const std::string &dir,
                                  const std::string &tag);
std::string checkpointTrainPath(const std::string &dir, const std::string &tag);

/// For tests: called at named points of saveCheckpoint ("staged": both
/// staging files written; "between": after the first rename of step 4;
/// "renamed": after both renames). A hook that calls _exit simulates a
/// crash there. Pass nullptr to remove it.
void setCheckpointTestHook(std::function<void(const std::string &point)> hook);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_CHECKPOINT_H
