//===- Progress.h - training progress on a terminal or in a log --*- C++ -*-===//
//
// Two modes (docs/design.md §5):
//   Bar    one line redrawn in place with '\r', at most 10 times a second
//          (and always for the epoch's last batch):
//            epoch 2/3 [#####...............] 120/469 loss 0.512 acc 0.813 1234 img/s ETA 0:42
//          endEpoch replaces it with the summary and a newline.
//   Plain  no '\r': one line each time the epoch passes another tenth of
//          its batches (10%, 20%, ... 90%; several tenths passed by one
//          update give one line; none for the last batch), then the
//          summary:
//            epoch 2/3 120/469 (25%) loss 0.512 acc 0.813 1234 img/s ETA 0:42
// Auto picks Bar when the stream is a terminal (isatty) and Plain otherwise
// (a log file, a pipe, CI).
//
// img/s is imagesDone over the time since startEpoch (two decimals below
// 10); ETA is that time per
// batch times the batches left, shown M:SS (H:MM:SS from an hour), "--:--"
// before the first batch. Loss and accuracy are what the caller passes
// (running averages over the epoch).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_PROGRESS_H
#define CSCC_RUNTIME_PROGRESS_H

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace cscc::rt {

class Progress {
public:
  enum class Mode { Auto, Bar, Plain };

  /// `out` is not closed. Auto is resolved here.
  Progress(std::FILE *out, Mode mode);

  /// "auto", "bar", "plain" (for --progress); false for anything else.
  static bool parseMode(const std::string &text, Mode &mode);

  /// The mode in use (Bar or Plain).
  Mode mode() const { return mode_; }

  /// Starts epoch `epoch` (1-based, as shown) of `epochs`, `batches`
  /// batches long, at batch `firstBatch` (a run resumed inside the epoch:
  /// the rate and the ETA count the batches done from there).
  void startEpoch(int64_t epoch, int64_t epochs, int64_t batches,
                  int64_t firstBatch = 0);
  /// After each batch: batches done in this epoch so far (counting those
  /// before firstBatch), images done since startEpoch, and the epoch's
  /// running loss and accuracy.
  void update(int64_t batchesDone, int64_t imagesDone, double loss,
              double accuracy);
  /// Ends the epoch's output with `summary` on a line of its own.
  void endEpoch(const std::string &summary);
  /// A line of text at any time (a warning): in Bar mode the bar is
  /// cleared, the line printed and the bar drawn again below it.
  void note(const std::string &line);

  /// For tests: the clock, in seconds (default: std::chrono::steady_clock).
  void setClock(std::function<double()> now) { now_ = std::move(now); }

  /// "0:42", "12:05", "1:02:03"; "--:--" for a negative or non-finite time.
  static std::string formatDuration(double seconds);

private:
  std::string status(bool bar) const;
  void drawBar();
  void clearBar();

  std::FILE *out_;
  Mode mode_;
  std::function<double()> now_;
  int64_t epoch_ = 0, epochs_ = 0, batches_ = 0;
  int64_t first_ = 0, done_ = 0, images_ = 0;
  double loss_ = 0, accuracy_ = 0;
  double start_ = 0, elapsed_ = 0, lastDraw_ = -1e300;
  int64_t lastTenth_ = 0;
  size_t shown_ = 0; ///< Bar: length of the line on screen (0: none)
};

} // namespace cscc::rt

#endif // CSCC_RUNTIME_PROGRESS_H
