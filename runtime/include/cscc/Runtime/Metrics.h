//===- Metrics.h - per-epoch metrics log and training curves -----*- C++ -*-===//
//
// RUN_DIR/metrics.jsonl: one JSON object per line, one line per epoch,
// written as the epoch ends (docs/design.md §5):
//
//   {"epoch": 1, "step": 469, "lr": 0.05, "seconds": 12.5,
//    "images_per_second": 4800.0, "train_loss": 0.61, "train_accuracy": 0.78,
//    "val_loss": null, "val_accuracy": null, "test_loss": 0.45,
//    "test_accuracy": 0.84, "sparsity": {"g.0": 0.41, "g.1": 0.62}}
//
// Keys in this order; a NaN (or infinite) value is written as null
// (`val_*` are null when there is no validation split); numbers are
// written with the shortest text that reads back to the same double;
// `sparsity` maps each code to its fraction of zeros, in the order given.
// Each line is flushed as it is written, so a crash loses at most the
// line being written; readers skip a last line cut short by a crash.
//
// RUN_DIR/curves.svg (writeCurves): loss and accuracy against epoch.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_METRICS_H
#define CSCC_RUNTIME_METRICS_H

#include "cscc/Runtime/Reconstruction.h"
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace cscc::rt {

struct EpochRecord {
  int64_t epoch = 0; ///< 1-based: the epoch this record ends
  int64_t step = 0;  ///< optimiser steps done at its end
  double lr = 0, seconds = 0, imagesPerSecond = 0;
  /// Running averages over the epoch (batch statistics, train mode).
  double trainLoss = NAN, trainAccuracy = NAN;
  /// Eval mode; NaN when there is no validation split.
  double valLoss = NAN, valAccuracy = NAN;
  /// Eval mode; NaN when the test set was not evaluated.
  double testLoss = NAN, testAccuracy = NAN;
  /// Per code: fraction of zeros.
  std::vector<std::pair<std::string, double>> sparsity;
  /// With `analyze_codes`: each layer-wise pursuit's code on test images
  /// (Reconstruction.h); the JSON's "codes", keys as `cscc analyze`'s
  /// "data".
  std::vector<ReconstructionStats> codes;
};

/// One line of metrics.jsonl (no newline), and back. recordFromJson throws
/// std::runtime_error for text that is not a JSON object with an integer
/// "epoch"; other keys may be missing or null (NaN, or 0 for step).
std::string recordToJson(const EpochRecord &r);
EpochRecord recordFromJson(const std::string &line);

/// Reads a metrics.jsonl. Blank lines are skipped, and so is a last line
/// without its newline that does not parse (a crash cut it short). Throws
/// std::runtime_error "metrics file 'PATH' line N: ..." for any other bad
/// line, or "cannot read 'PATH': ..." when the file cannot be read.
std::vector<EpochRecord> readMetricsFile(const std::string &path);

/// Appends records to RUN_DIR/metrics.jsonl (RUN_DIR is created if
/// missing). Without `resume` the file starts empty (an existing one is
/// replaced). With `resume` the existing file (if any) is read, the records
/// with epoch <= keepUpTo are kept and the file is rewritten with just them
/// (atomically, writeFileAtomic), so that a run resumed from the checkpoint
/// of epoch keepUpTo has each epoch once. Throws std::runtime_error.
class MetricsLog {
public:
  MetricsLog(const std::string &runDir, bool resume, int64_t keepUpTo);
  ~MetricsLog();
  MetricsLog(const MetricsLog &) = delete;
  MetricsLog &operator=(const MetricsLog &) = delete;

  /// Writes one line and flushes it; throws std::runtime_error when the
  /// write fails.
  void append(const EpochRecord &r);
  /// The kept records and those appended since.
  const std::vector<EpochRecord> &records() const { return records_; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::FILE *file_ = nullptr;
  std::vector<EpochRecord> records_;
};

/// Writes an SVG picture (atomically): two panels, loss and accuracy
/// against epoch, with a line (and a marker at each point) for train,
/// validation (when any record has it) and test, a legend, axes with ticks
/// at round values, tick labels and axis labels, and `title` above.
/// NaN values are left out of their line. The usual place is
/// RUN_DIR/curves.svg. Throws std::runtime_error when writing fails.
///
/// Structure, for programs that read the picture back (the tests do):
/// each panel is <g class="panel" id="loss"|"accuracy">; its ticks are
/// <g class="tick x"|"tick y"> holding a <line> at the tick's position
/// (x1 for x ticks, y1 for y ticks) and a <text> with its value; each line
/// is <polyline class="series" data-series="train"|"validation"|"test">
/// whose points are "X,Y X,Y ...", one per non-NaN value, in epoch order.
void writeCurves(const std::string &path,
                 const std::vector<EpochRecord> &records,
                 const std::string &title);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_METRICS_H
