//===- Optimizer.cpp - optimiser hyperparameters and lr schedules ---------===//
//
// Each formula is written in the order PyTorch evaluates it (torch.optim.Adam
// single-tensor step, the lr_scheduler closed forms), so that in float64
// the values agree to the last bit or nearly.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Optimizer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace cscc::rt {

namespace {
/// Python's math.pi.
constexpr double kPi = 3.141592653589793238462643383279502884;
} // namespace

OptimizerKind optimizerKind(const std::string &word) {
  if (std::optional<OptimizerKind> k = lookupWord(kOptimizerWords, word))
    return *k;
  throw std::invalid_argument("unknown optimizer '" + word + "'; expected " +
                              wordList(kOptimizerWords));
}

ScheduleKind scheduleKind(const std::string &word) {
  if (std::optional<ScheduleKind> k = lookupWord(kScheduleWords, word))
    return *k;
  throw std::invalid_argument("unknown learning-rate schedule '" + word +
                              "'; expected " + wordList(kScheduleWords));
}

std::vector<double> optimizerHyper(const OptimizerSettings &s, double lr,
                                   int64_t step) {
  if (step < 1)
    throw std::invalid_argument("optimizer step " + std::to_string(step) +
                                " is not 1-based (the first step is 1)");
  std::vector<double> h(kHyperSize, 0.0);
  h[7] = static_cast<double>(step);
  switch (s.kind) {
  case OptimizerKind::Sgd:
    h[0] = lr;
    h[1] = s.momentum;
    h[2] = s.weightDecay;
    h[3] = 1.0; // 1 - dampening; dampening 0 (PyTorch's default)
    return h;
  case OptimizerKind::Adam: {
    double t = static_cast<double>(step);
    double biasCorrection1 = 1 - std::pow(s.beta1, t);
    double biasCorrection2 = 1 - std::pow(s.beta2, t);
    h[0] = lr;
    h[1] = s.beta1;
    h[2] = s.beta2;
    h[3] = s.eps;
    h[4] = s.weightDecay;
    h[5] = lr / biasCorrection1;          // step_size
    h[6] = std::sqrt(biasCorrection2);    // bias_correction2_sqrt
    return h;
  }
  }
  throw std::logic_error("unknown optimizer kind");
}

std::vector<std::string> optimizerStateNames(const OptimizerSettings &s) {
  switch (s.kind) {
  case OptimizerKind::Sgd:
    return s.momentum != 0 ? std::vector<std::string>{"momentum_buffer"}
                           : std::vector<std::string>{};
  case OptimizerKind::Adam:
    return {"exp_avg", "exp_avg_sq"};
  }
  throw std::logic_error("unknown optimizer kind");
}

double scheduledLearningRate(const ScheduleSettings &s, double baseLr,
                             int64_t epoch, int64_t stepInEpoch,
                             int64_t stepsPerEpoch) {
  if (epoch < 0 || stepInEpoch < 0 || stepsPerEpoch < 1)
    throw std::invalid_argument(
        "learning-rate schedule: epoch " + std::to_string(epoch) + ", step " +
        std::to_string(stepInEpoch) + " of " + std::to_string(stepsPerEpoch) +
        " per epoch (expected epoch, step >= 0 and at least one step per "
        "epoch)");
  double lr = baseLr;
  switch (s.kind) {
  case ScheduleKind::Constant:
    break;
  case ScheduleKind::Multistep: {
    // MultiStepLR: at each milestone passed, lr * gamma ** (its count).
    std::map<int64_t, int64_t> counts;
    for (int64_t m : s.milestones)
      ++counts[m];
    for (auto [m, n] : counts)
      if (m <= epoch)
        lr = lr * std::pow(s.gamma, static_cast<double>(n));
    break;
  }
  case ScheduleKind::Cosine: {
    // CosineAnnealingLR's closed form.
    double tMax = static_cast<double>(std::max<int64_t>(s.epochs, 1));
    lr = s.minLr + (baseLr - s.minLr) *
                       (1 + std::cos(kPi * static_cast<double>(epoch) / tMax)) /
                       2;
    break;
  }
  }
  int64_t warmupSteps = s.warmupEpochs * stepsPerEpoch;
  int64_t global = epoch * stepsPerEpoch + stepInEpoch;
  if (global < warmupSteps)
    lr = lr * static_cast<double>(global + 1) / static_cast<double>(warmupSteps);
  return lr;
}

} // namespace cscc::rt
