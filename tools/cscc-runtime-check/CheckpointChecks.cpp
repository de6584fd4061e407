//===- CheckpointChecks.cpp - cscc-runtime-check: checkpoints ---------------===//
//
// Checkpoint saving, loading and listing, driven from lit tests. Their data
// come from a small closed-form formula (checkpointValue, repeated
// independently in the tests' Python helpers), so that a test can compute
// what a file must hold without trusting this program.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include "cscc/Runtime/Checkpoint.h"
#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>
#include <unistd.h>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

// Checkpoints
//===----------------------------------------------------------------------===//

// Element i of the k-th tensor: splitmix64 of seed * 1000003 + k * 65536 + i
// (mod 2^64), its top 53 bits as u in [0, 1), then 2u - 1.
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

double checkpointValue(uint64_t seed, uint64_t k, uint64_t i) {
  uint64_t h = splitmix64(seed * 1000003ull + k * 65536ull + i);
  return static_cast<double>(h >> 11) * 0x1p-53 * 2 - 1;
}

struct Spec {
  const char *name;
  std::vector<int64_t> shape;
  int kind; // 0: the weights' dtype; 1: F64; 2: I64 holding the step
  bool positive = false; // 0.5 + |v| (variances)
};

// The model: PyTorch names of a Conv2d, a BatchNorm2d without
// num_batches_tracked (cscc has none), a Linear and a scalar parameter.
const std::vector<Spec> kWeights = {
    {"conv0.weight", {4, 2, 3, 3}, 0},  {"conv0.bias", {4}, 0},
    {"bn1.weight", {4}, 0},             {"bn1.bias", {4}, 0},
    {"bn1.running_mean", {4}, 0},       {"bn1.running_var", {4}, 0, true},
    {"linear2.weight", {3, 4}, 0},      {"linear2.bias", {3}, 0},
    {"g0.c", {}, 0}};
// Optimiser tensors: k continues after the weights.
const std::vector<Spec> kOptimizer = {
    {"conv0.weight.momentum_buffer", {4, 2, 3, 3}, 0},
    {"conv0.bias.momentum_buffer", {4}, 0},
    {"bn1.weight.momentum_buffer", {4}, 0},
    {"bn1.bias.momentum_buffer", {4}, 0},
    {"linear2.weight.exp_avg", {3, 4}, 1},
    {"linear2.weight.exp_avg_sq", {3, 4}, 1, true},
    {"linear2.bias.momentum_buffer", {3}, 0},
    {"g0.c.momentum_buffer", {}, 0},
    {"step", {}, 2}};

Tensor makeTensor(const Spec &s, uint64_t seed, uint64_t k, DType dt,
                  int64_t step) {
  int64_t n = shapeNumel(s.shape);
  if (s.kind == 2)
    return Tensor::fromValues<int64_t>(s.shape, std::vector<int64_t>(n, step));
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) {
    v[i] = checkpointValue(seed, k, static_cast<uint64_t>(i));
    if (s.positive)
      v[i] = 0.5 + std::fabs(v[i]);
  }
  if (s.kind == 1 || dt == DType::F64)
    return Tensor::fromValues<double>(s.shape, v);
  return Tensor::fromValues<float>(s.shape, toF32(v.data(), v.size()));
}

int cmdCheckpointWrite(int argc, char **argv) {
  CommandLine a = CommandLine::fromArgv(argc, argv, 1);
  a.allowOnly({"--seed", "--dtype", "--epoch", "--step", "--best-accuracy",
           "--best-epoch", "--extra", "--crash-at", "--big"});
  a.expectPositionals(2, "checkpoint-write DIR TAG");
  uint64_t seed = static_cast<uint64_t>(parseInteger(a.get("--seed", "0"), "seed"));
  DType dt = parseDType(a.get("--dtype", "f32"));
  Checkpoint c;
  c.state.step = parseInteger(a.get("--step", "300"), "step");
  // By default 3 epochs, or fewer when there are fewer steps (every epoch
  // takes at least one step: the loader checks that).
  c.state.epoch = parseInteger(
      a.get("--epoch", std::to_string(std::min<int64_t>(c.state.step, 3))),
      "epoch");
  c.state.seed = seed;
  Rng rng(seed);
  for (int i = 0; i < 5; ++i)
    rng.normal(); // an odd number of normals: a pending spare in the state
  c.state.rngState = rng.state();
  // By default a best epoch among the finished ones (the loader checks
  // that), none before the first epoch ends.
  bool finished = c.state.epoch >= 1;
  c.state.bestAccuracy = parseReal(
      a.get("--best-accuracy", finished ? "0.8125" : "-1"), "best accuracy");
  c.state.bestEpoch = parseInteger(
      a.get("--best-epoch",
            finished ? std::to_string(std::min<int64_t>(c.state.epoch, 2))
                     : "-1"),
      "best epoch");
  for (const std::string &kv : a.all("--extra")) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error("--extra wants KEY=VALUE, not '" + kv + "'");
    c.state.extra[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  uint64_t k = 0;
  for (const Spec &s : kWeights)
    c.weights[s.name] = makeTensor(s, seed, k++, dt, c.state.step);
  for (const Spec &s : kOptimizer)
    c.optimizer[s.name] = makeTensor(s, seed, k++, dt, c.state.step);
  if (a.has("--big")) {
    // A large tensor (and its momentum), so that saving takes a while: the
    // kill test stops writers at random moments.
    int64_t n = parseInteger(a.get("--big"), "big");
    float v = static_cast<float>(seed);
    c.weights["big.weight"] =
        Tensor::fromValues<float>({n}, std::vector<float>(n, v));
    c.optimizer["big.weight.momentum_buffer"] =
        Tensor::fromValues<float>({n}, std::vector<float>(n, -v));
  }
  if (a.has("--crash-at")) {
    std::string at = a.get("--crash-at");
    if (at != "staged" && at != "between" && at != "renamed")
      throw std::runtime_error("unknown --crash-at '" + at +
                               "' (staged, between, renamed)");
    setCheckpointTestHook([at](const std::string &point) {
      if (point == at) {
        std::fprintf(stderr, "simulated crash at '%s'\n", point.c_str());
        std::fflush(stderr);
        ::_exit(75);
      }
    });
  }
  saveCheckpoint(a.positionals()[0], a.positionals()[1], c);
  std::printf("saved %s/%s: %zu weights, %zu optimizer tensors, step %lld\n",
              a.positionals()[0].c_str(), a.positionals()[1].c_str(), c.weights.size(),
              c.optimizer.size(), static_cast<long long>(c.state.step));
  return 0;
}

// Every value of a tensor as double (integers exactly as integers).
std::string valueText(const Tensor &t, int64_t i) {
  char buf[64];
  switch (t.dtype) {
  case DType::F32:
    std::snprintf(buf, sizeof buf, "%.17g",
                  static_cast<double>(t.as<float>()[i]));
    break;
  case DType::F64:
    std::snprintf(buf, sizeof buf, "%.17g", t.as<double>()[i]);
    break;
  case DType::I64:
    std::snprintf(buf, sizeof buf, "%lld",
                  static_cast<long long>(t.as<int64_t>()[i]));
    break;
  default: {
    Tensor d = convertDType(t, DType::F64);
    std::snprintf(buf, sizeof buf, "%.17g", d.as<double>()[i]);
  }
  }
  return buf;
}

void printTensors(const char *kind, const std::map<std::string, Tensor> &m,
                  bool values) {
  for (const auto &[name, t] : m) {
    double sum = 0;
    bool summable = t.dtype == DType::F32 || t.dtype == DType::F64 ||
                    t.dtype == DType::I64;
    if (summable)
      for (int64_t i = 0; i < t.numel(); ++i)
        sum += std::strtod(valueText(t, i).c_str(), nullptr);
    std::printf("%s %s %s %s", kind, name.c_str(), dtypeName(t.dtype),
                shapeString(t.shape).c_str());
    if (summable)
      std::printf(" sum %.17g", sum);
    if (values) {
      std::printf(" values");
      for (int64_t i = 0; i < t.numel(); ++i)
        std::printf(" %s", valueText(t, i).c_str());
    }
    std::printf("\n");
  }
}

int cmdCheckpointRead(int argc, char **argv) {
  CommandLine a = CommandLine::fromArgv(argc, argv, 1, {"--values"});
  a.allowOnly({"--values"});
  a.expectPositionals(2, "checkpoint-read DIR TAG");
  Checkpoint c = loadCheckpoint(a.positionals()[0], a.positionals()[1]);
  if (!c.recovered.empty())
    std::printf("recovered: %s\n", c.recovered.c_str());
  const TrainState &s = c.state;
  std::printf("state epoch %lld\n", static_cast<long long>(s.epoch));
  std::printf("state step %lld\n", static_cast<long long>(s.step));
  std::printf("state seed %llu\n", static_cast<unsigned long long>(s.seed));
  std::printf("state rng_state %s\n", s.rngState.c_str());
  std::printf("state best_accuracy %.17g\n", s.bestAccuracy);
  std::printf("state best_epoch %lld\n", static_cast<long long>(s.bestEpoch));
  for (const auto &[k, v] : s.extra)
    std::printf("extra %s = %s\n", k.c_str(), v.c_str());
  // The random state restores: the next normal of a generator set to it.
  if (s.rngState.empty()) {
    std::printf("state rng_next_normal none\n");
  } else {
    Rng rng;
    rng.setState(s.rngState); // loadCheckpoint checked it
    std::printf("state rng_next_normal %.17g\n", rng.normal());
  }
  bool values = a.has("--values");
  printTensors("weight", c.weights, values);
  printTensors("optimizer", c.optimizer, values);
  return 0;
}

int cmdCheckpointList(int argc, char **argv) {
  CommandLine a = CommandLine::fromArgv(argc, argv, 1);
  a.allowOnly({});
  a.expectPositionals(1, "checkpoint-list DIR");
  std::vector<std::string> tags = listCheckpoints(a.positionals()[0]);
  std::printf("checkpoints:");
  for (const auto &t : tags)
    std::printf(" %s", t.c_str());
  std::printf("\n");
  for (const char *t : {"last", "best"})
    std::printf("exists %s %s\n", t,
                checkpointExists(a.positionals()[0], t) ? "yes" : "no");
  return 0;
}

} // namespace

CheckFamily runtime_check::checkpointChecks() {
  CheckFamily family;
  family.usage = R"(
training runtime (checkpoints, metrics, curves, progress):
  checkpoint-write DIR TAG [--seed S] [--dtype f32|f64] [--epoch E]
                   [--step N] [--best-accuracy A] [--best-epoch E]
                   [--extra KEY=VALUE]... [--crash-at staged|between|renamed]
                   [--big N]
      save a checkpoint of a small model (conv0, bn1, linear2, g0.c) whose
      values are checkpointValue(seed, k, i) (see TrainingChecks.cpp);
      --crash-at exits with status 75 at that point of the save; --big adds
      big.weight [N] = seed and its momentum buffer = -seed (F32)
  checkpoint-read DIR TAG [--values]
      load a checkpoint; print its state, then each tensor's name, dtype,
      shape and sum (--values: every value, %.17g)
  checkpoint-list DIR                 the tags with both files, and whether
                                      checkpointExists for each
)";
  family.checks = {
      {"checkpoint-write", cmdCheckpointWrite},
      {"checkpoint-read", cmdCheckpointRead},
      {"checkpoint-list", cmdCheckpointList},
  };
  return family;
}
