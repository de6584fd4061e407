//===- Progress.cpp - training progress on a terminal or in a log ---------===//
#include "cscc/Runtime/Progress.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unistd.h>

namespace cscc::rt {

namespace {
constexpr int kBarWidth = 20;
constexpr double kMinRedraw = 0.1; // seconds: at most 10 redraws a second

double steadySeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

Progress::Progress(std::FILE *out, Mode mode) : out_(out), mode_(mode) {
  if (mode_ == Mode::Auto)
    mode_ = out && ::isatty(::fileno(out)) ? Mode::Bar : Mode::Plain;
  now_ = steadySeconds;
}

bool Progress::parseMode(const std::string &text, Mode &mode) {
  if (text == "auto")
    mode = Mode::Auto;
  else if (text == "bar")
    mode = Mode::Bar;
  else if (text == "plain")
    mode = Mode::Plain;
  else
    return false;
  return true;
}

std::string Progress::formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "--:--";
  auto s = static_cast<int64_t>(std::llround(seconds));
  char buf[48];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld",
                  static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60),
                  static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld",
                  static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  return buf;
}

void Progress::startEpoch(int64_t epoch, int64_t epochs, int64_t batches,
                          int64_t firstBatch) {
  epoch_ = epoch;
  epochs_ = epochs;
  batches_ = batches;
  first_ = done_ = firstBatch;
  images_ = 0;
  loss_ = accuracy_ = NAN;
  start_ = now_();
  elapsed_ = 0;
  lastDraw_ = -1e300;
  lastTenth_ = batches > 0 ? std::min<int64_t>(9, firstBatch * 10 / batches)
                          : 0;
}

std::string Progress::status(bool bar) const {
  std::string s = "epoch " + std::to_string(epoch_) + "/" +
                  std::to_string(epochs_) + " ";
  double frac = batches_ > 0 ? static_cast<double>(done_) / batches_ : 0;
  frac = std::min(1.0, std::max(0.0, frac));
  char buf[160];
  if (bar) {
    int filled = static_cast<int>(std::floor(frac * kBarWidth));
    s += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') +
         "] ";
    s += std::to_string(done_) + "/" + std::to_string(batches_);
  } else {
    std::snprintf(buf, sizeof buf, "%lld/%lld (%d%%)",
                  static_cast<long long>(done_),
                  static_cast<long long>(batches_),
                  static_cast<int>(std::floor(frac * 100)));
    s += buf;
  }
  double rate = elapsed_ > 0 ? images_ / elapsed_ : NAN;
  double eta =
      done_ > first_ ? elapsed_ / (done_ - first_) * (batches_ - done_) : NAN;
  std::snprintf(buf, sizeof buf, " loss %.3f acc %.3f", loss_, accuracy_);
  s += buf;
  if (std::isfinite(rate))
    std::snprintf(buf, sizeof buf, rate < 10 ? " %.2f img/s" : " %.0f img/s",
                  rate);
  else
    std::snprintf(buf, sizeof buf, " - img/s");
  s += buf;
  s += " ETA " + formatDuration(eta);
  return s;
}

void Progress::drawBar() {
  std::string line = status(true);
  size_t len = line.size();
  if (len < shown_)
    line.append(shown_ - len, ' ');
  std::fprintf(out_, "\r%s", line.c_str());
  std::fflush(out_);
  shown_ = len;
}

void Progress::clearBar() {
  if (shown_ == 0)
    return;
  std::fprintf(out_, "\r%s\r", std::string(shown_, ' ').c_str());
  shown_ = 0;
}

void Progress::update(int64_t batchesDone, int64_t imagesDone, double loss,
                      double accuracy) {
  done_ = batchesDone;
  images_ = imagesDone;
  loss_ = loss;
  accuracy_ = accuracy;
  double now = now_();
  elapsed_ = now - start_;
  if (mode_ == Mode::Bar) {
    if (now - lastDraw_ >= kMinRedraw || done_ >= batches_) {
      drawBar();
      lastDraw_ = now;
    }
    return;
  }
  // The epoch's last batch has no line: endEpoch's summary follows.
  if (batches_ <= 0 || done_ >= batches_)
    return;
  int64_t tenth = std::min<int64_t>(9, done_ * 10 / batches_);
  if (tenth > lastTenth_) {
    lastTenth_ = tenth;
    std::fprintf(out_, "%s\n", status(false).c_str());
    std::fflush(out_);
  }
}

void Progress::endEpoch(const std::string &summary) {
  if (mode_ == Mode::Bar) {
    std::string line = summary;
    if (line.size() < shown_)
      line.append(shown_ - line.size(), ' ');
    std::fprintf(out_, "\r%s\n", line.c_str());
    shown_ = 0;
  } else {
    std::fprintf(out_, "%s\n", summary.c_str());
  }
  std::fflush(out_);
}

void Progress::note(const std::string &line) {
  bool redraw = mode_ == Mode::Bar && shown_ > 0;
  if (mode_ == Mode::Bar)
    clearBar();
  std::fprintf(out_, "%s\n", line.c_str());
  if (redraw)
    drawBar();
  std::fflush(out_);
}

} // namespace cscc::rt
