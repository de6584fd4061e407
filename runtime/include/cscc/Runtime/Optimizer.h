//===- Optimizer.h - optimiser hyperparameters and lr schedules -*- C++ -*-===//
//
// The parameter update itself is generated code: cst-optimizer fuses one
// step of SGD or Adam into @train_update (one loop per parameter, see
// docs/compiler.md, "Optimiser update"). What the runtime supplies before
// each step is the function's `cst.hyper` argument, a tensor of 8 values
// of the model's float type, so that a schedule changes the learning rate
// (and Adam's bias corrections change with the step count) without
// recompiling:
//
//   sgd:  [lr, momentum, weight_decay, 1 - dampening, 0, 0, 0, step]
//   adam: [lr, beta1, beta2, eps, weight_decay,
//          lr / (1 - beta1^step), sqrt(1 - beta2^step), step]
//
// step is the 1-based optimiser step (PyTorch's `state["step"]` after its
// increment); dampening is 0 (PyTorch's default), so slot 3 is 1. The
// generated code reads slots 0-3 (SGD) and 1-6 (Adam); lr (Adam) and step
// are informational.
//
// Learning-rate schedules, all matching torch.optim.lr_scheduler:
//   constant   lr
//   multistep  MultiStepLR(milestones, gamma) stepped once per epoch:
//              lr * gamma^(number of milestones <= epoch)
//   cosine     CosineAnnealingLR(T_max = epochs, eta_min = min_lr) stepped
//              once per epoch:
//              min_lr + (lr - min_lr) * (1 + cos(pi * epoch / epochs)) / 2
// and an optional linear warm-up over the first `warmupEpochs` epochs,
// per optimiser step, multiplying the schedule's value: with
// W = warmupEpochs * stepsPerEpoch and g = epoch * stepsPerEpoch +
// stepInEpoch (0-based), the factor is (g + 1) / W while g < W, then 1.
// In PyTorch: LinearLR(start_factor = 1 / W, end_factor = 1,
// total_iters = W - 1) stepped after every optimiser step, chained with the
// main scheduler stepped after every epoch (chained schedulers multiply).
// So the first step uses lr / W, step W - 1 uses the full value, and after
// the warm-up the main schedule continues at its own epoch (milestones
// and the cosine's period count from epoch 0, not from the warm-up's end).
//
// Plain C++17, no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_OPTIMIZER_H
#define CSCC_RUNTIME_OPTIMIZER_H

#include "cscc/Runtime/Words.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cscc::rt {

enum class OptimizerKind { Sgd, Adam };
inline constexpr Word<OptimizerKind> kOptimizerWords[] = {
    {"sgd", OptimizerKind::Sgd}, {"adam", OptimizerKind::Adam}};

enum class ScheduleKind { Constant, Multistep, Cosine };
inline constexpr Word<ScheduleKind> kScheduleWords[] = {
    {"constant", ScheduleKind::Constant},
    {"multistep", ScheduleKind::Multistep},
    {"cosine", ScheduleKind::Cosine}};

/// The kind a word names; std::invalid_argument naming the accepted words
/// otherwise.
OptimizerKind optimizerKind(const std::string &word);
ScheduleKind scheduleKind(const std::string &word);

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::Sgd;
  double lr = 0.1, momentum = 0.9, weightDecay = 0, beta1 = 0.9,
         beta2 = 0.999, eps = 1e-8;
  bool nesterov = false;
  /// The pursuits' steps c form their own parameter group: lr (SGD) or
  /// the step size (Adam) times this (compiled in; `step_lr_scale`).
  double stepLrScale = 1;
};

/// The number of values in the hyper tensor.
constexpr int64_t kHyperSize = 8;

/// The hyper tensor's 8 values for the optimiser step number `step`
/// (1-based, as PyTorch counts) at learning rate `lr` (the scheduled one;
/// `s.lr` is not read). Throws std::invalid_argument for step < 1.
std::vector<double> optimizerHyper(const OptimizerSettings &s, double lr,
                                   int64_t step);

/// The state tensors' suffixes (a parameter NAME's state is
/// "NAME.SUFFIX", PyTorch's state names): sgd with momentum != 0
/// {"momentum_buffer"}, sgd without {}, adam {"exp_avg", "exp_avg_sq"}.
std::vector<std::string> optimizerStateNames(const OptimizerSettings &s);

struct ScheduleSettings {
  ScheduleKind kind = ScheduleKind::Constant;
  std::vector<int64_t> milestones; ///< multistep: epochs (0-based)
  double gamma = 0.1;              ///< multistep: factor per milestone
  int64_t warmupEpochs = 0;        ///< linear warm-up, per step
  int64_t epochs = 1;              ///< cosine: T_max
  double minLr = 0;                ///< cosine: eta_min
};

/// The learning rate of the optimiser step `stepInEpoch` (0-based) of
/// `epoch` (0-based), epochs having `stepsPerEpoch` steps; the formulas
/// are in the file comment. Throws std::invalid_argument for a negative
/// epoch or step, or stepsPerEpoch < 1.
double scheduledLearningRate(const ScheduleSettings &s, double baseLr,
                             int64_t epoch, int64_t stepInEpoch,
                             int64_t stepsPerEpoch);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_OPTIMIZER_H
