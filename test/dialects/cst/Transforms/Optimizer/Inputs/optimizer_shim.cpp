//===- optimizer_shim.cpp - the runtime's optimiser API for Python tests --===//
//
// C entry points over runtime/lib/Optimizer.cpp for ctypes (the lit tests
// compile this file with the runtime source into a shared library: no test
// tool and no extra build target). Errors: the functions return nonzero
// and cscc_check_error() has the exception's message.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Optimizer.h"

#include <cstring>
#include <exception>
#include <string>

using namespace cscc::rt;

namespace {
std::string lastError;
}

extern "C" {

const char *cscc_check_error() { return lastError.c_str(); }

/// out[8] = optimizerHyper({kind, momentum, ...}, lr, step).
int cscc_check_hyper(const char *kind, double momentum, double weightDecay,
                     double beta1, double beta2, double eps, int nesterov,
                     double lr, int64_t step, double *out) {
  try {
    OptimizerSettings s;
    s.kind = optimizerKind(kind);
    s.momentum = momentum;
    s.weightDecay = weightDecay;
    s.beta1 = beta1;
    s.beta2 = beta2;
    s.eps = eps;
    s.nesterov = nesterov != 0;
    std::vector<double> h = optimizerHyper(s, lr, step);
    if (h.size() != 8) {
      lastError = "optimizerHyper returned " + std::to_string(h.size()) +
                  " values";
      return 1;
    }
    std::memcpy(out, h.data(), 8 * sizeof(double));
    return 0;
  } catch (const std::exception &e) {
    lastError = e.what();
    return 1;
  }
}

/// optimizerStateNames joined by commas into buf.
int cscc_check_state_names(const char *kind, double momentum, char *buf,
                           int64_t size) {
  try {
    OptimizerSettings s;
    s.kind = optimizerKind(kind);
    s.momentum = momentum;
    std::string joined;
    for (const std::string &n : optimizerStateNames(s))
      joined += (joined.empty() ? "" : ",") + n;
    std::snprintf(buf, size, "%s", joined.c_str());
    return 0;
  } catch (const std::exception &e) {
    lastError = e.what();
    return 1;
  }
}

/// *lr = scheduledLearningRate(...).
int cscc_check_lr(const char *kind, const int64_t *milestones, int64_t count,
                  double gamma, int64_t warmupEpochs, int64_t epochs,
                  double minLr, double baseLr, int64_t epoch, int64_t stepInEpoch,
                  int64_t stepsPerEpoch, double *lr) {
  try {
    ScheduleSettings s;
    s.kind = scheduleKind(kind);
    s.milestones.assign(milestones, milestones + count);
    s.gamma = gamma;
    s.warmupEpochs = warmupEpochs;
    s.epochs = epochs;
    s.minLr = minLr;
    *lr = scheduledLearningRate(s, baseLr, epoch, stepInEpoch, stepsPerEpoch);
    return 0;
  } catch (const std::exception &e) {
    lastError = e.what();
    return 1;
  }
}

} // extern "C"
