//===- Trainer.cpp - train, evaluate and predict with a compiled model ----===//
//
// The training loop calls the compiled @train_update once per batch: it runs
// the forward pass in train mode, the generated backward pass and the
// generated optimiser update, and returns the new parameters, optimiser
// state and running statistics, which replace the old ones (buffer swaps,
// no copies). Accuracy is always measured with @evaluate: eval mode, running
// statistics.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Trainer.h"
#include "cscc/Runtime/Checkpoint.h"
#include "cscc/Runtime/CommandLine.h"
#include "cscc/Runtime/ConvTrace.h"
#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Metrics.h"
#include "cscc/Runtime/Npy.h"
#include "cscc/Runtime/Program.h"
#include "cscc/Runtime/Replicas.h"
#include "cscc/Runtime/Safetensors.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cscc::rt {

const char *kTrainFlagsHelp = R"(training flags (override the model's train section):
  --epochs N            epochs to train
  --batch N             images per optimiser step
  --lr X                base learning rate
  --momentum X          SGD momentum
  --weight-decay X      L2 weight decay (added to the gradient)
  --beta1 X --beta2 X --eps X   Adam
  --step-lr-scale X     the pursuits' steps c learn at X times the rate
                        (their own parameter group; compiled in; default 1)
  --schedule constant|multistep|cosine
  --milestones E1,E2,.. multistep: epochs where the rate is multiplied by
  --gamma X             gamma (default 0.1)
  --min-lr X            cosine: the rate it anneals to (default 0)
  --warmup N            epochs of linear warm-up (per step)
  --data KIND           fashion_mnist | mnist | cifar10 | cifar100 | svhn |
                        simulated
  --data-path DIR       the data set's directory
  --data-seed N         simulated data: its seed (also --data-classes,
                        --data-train, --data-test: classes and set sizes;
                        --data-dim D --data-noise S: the paper's Gaussian
                        centres, signals of D values, noise deviation S)
  --augment LIST        e.g. crop:4,flip (or none)
  --normalize true|false  per-channel normalisation from the training set
  --analyze-codes true|false  after every epoch, each pursuit's code on the
                        first 256 test images: zeros, ||X - D G|| / ||X||,
                        unsuccessfully rebuilt dimensions (metrics.jsonl;
                        compiled in)
  --bn-sync true|false  under mpirun: batch norm with the statistics of the
                        global batch, all processes' shares together
                        (default: each process its own share's; compiled in)
  --allreduce-bucket-kb N  under mpirun: gradients all-reduced in buckets of
                        at least N KiB, each begun as soon as the backward
                        pass has produced it; 0: one all-reduce after the
                        backward pass (default 1024; compiled in)
  --validation F        hold out this fraction of the training set
  --seed N              initial weights, data order and augmentation
  --step-init lipschitz|scaled|ones  a fresh model's iterated pursuits
                        without bn = prox: c = 1/L of each dictionary
                        (default; L = 2 lambda_max(D^T D) on the compiled
                        D^T D), filters scaled so that c lambda_max(D^T D)
                        = 0.95 with c near 1, or c = 1
  --run-dir DIR         checkpoints, metrics.jsonl, curves.svg
                        (default runs/MODEL)
  --resume DIR          continue the run in DIR (weights, optimiser state,
                        epoch, step, random state, data order)
  --checkpoint-every N  also save RUN_DIR/last every N steps, mid-epoch
                        (default: at the end of each epoch only)
  --stop-after N        save RUN_DIR/last and stop after N steps in all
                        (e.g. a job with a time limit; --resume goes on).
                        Ctrl-C (SIGINT) or SIGTERM does the same after the
                        current step; a second Ctrl-C stops at once
  --check-replicas N    under mpirun: every N steps, check that all
                        processes hold bitwise the same weights (a debug aid)
  --limit-train N       train on the first N training images only
  --limit-test N        evaluate on the first N test images only
  --eval-batch N        images per evaluation call (default 256)
  --progress auto|bar|plain
eval / predict:
  --bn-stats running|batch  eval: batch norm with the running statistics
                        (default, eval mode) or each test batch's own
                        statistics (train mode), to compare the two
  --weights FILE        weights (.safetensors; default RUN_DIR/best.safetensors)
  --input X.npy         predict: images [N, C, H, W] (uint8 pixels, or
                        floats in [0, 1])
  -o OUT.npy            predict: write the logits
)";

namespace {

[[noreturn]] void fail(const std::string &msg) { throw std::runtime_error(msg); }

double parseNumber(const std::string &key, const std::string &v) {
  try {
    size_t pos = 0;
    double d = std::stod(v, &pos);
    if (pos == v.size() && std::isfinite(d))
      return d;
  } catch (const std::exception &) {
  }
  fail("'" + key + "' expects a number, got '" + v + "'");
}

/// A number in [lo, hi) (momentum, Adam's betas).
double parseInRange(const std::string &key, const std::string &v, double lo,
                    double hi) {
  double d = parseNumber(key, v);
  if (!(d >= lo && d < hi)) {
    std::ostringstream msg;
    msg << "'" << key << "' must be in [" << lo << ", " << hi << "), got '"
        << v << "'";
    fail(msg.str());
  }
  return d;
}

int64_t parseCount(const std::string &key, const std::string &v,
                   int64_t min) {
  double d = parseNumber(key, v);
  if (d != std::floor(d) || d < static_cast<double>(min) || d > 1e15)
    fail("'" + key + "' expects an integer >= " + std::to_string(min) +
         ", got '" + v + "'");
  return static_cast<int64_t>(d);
}

bool parseBool(const std::string &key, const std::string &v) {
  if (v == "true" || v == "1")
    return true;
  if (v == "false" || v == "0")
    return false;
  fail("'" + key + "' expects true or false, got '" + v + "'");
}

void applySetting(TrainSettings &s, const std::string &key,
                  const std::string &v) {
  if (key == "epochs")
    s.epochs = parseCount(key, v, 1);
  else if (key == "batch")
    s.batch = parseCount(key, v, 1);
  else if (key == "eval_batch")
    s.evalBatch = parseCount(key, v, 1);
  else if (key == "optimizer") {
    std::optional<OptimizerKind> kind = lookupWord(kOptimizerWords, v);
    if (!kind)
      fail("'optimizer' is " + wordList(kOptimizerWords) + ", got '" + v +
           "'");
    s.optimizer.kind = *kind;
  } else if (key == "lr") {
    s.optimizer.lr = parseNumber(key, v);
    if (s.optimizer.lr <= 0)
      fail("'lr' must be positive, got '" + v + "'");
  } else if (key == "momentum")
    s.optimizer.momentum = parseInRange(key, v, 0, 1);
  else if (key == "nesterov")
    s.optimizer.nesterov = parseBool(key, v);
  else if (key == "weight_decay") {
    s.optimizer.weightDecay = parseNumber(key, v);
    if (!(s.optimizer.weightDecay >= 0))
      fail("'weight_decay' must be 0 or more, got '" + v + "'");
  } else if (key == "beta1")
    s.optimizer.beta1 = parseInRange(key, v, 0, 1);
  else if (key == "beta2")
    s.optimizer.beta2 = parseInRange(key, v, 0, 1);
  else if (key == "eps") {
    s.optimizer.eps = parseNumber(key, v);
    if (!(s.optimizer.eps > 0))
      fail("'eps' must be positive, got '" + v + "'");
  }
  else if (key == "step_lr_scale") {
    s.optimizer.stepLrScale = parseNumber(key, v);
    if (!(s.optimizer.stepLrScale > 0))
      fail("'step_lr_scale' must be positive, got '" + v + "'");
  } else if (key == "schedule") {
    std::optional<ScheduleKind> kind = lookupWord(kScheduleWords, v);
    if (!kind)
      fail("'schedule' is " + wordList(kScheduleWords) + ", got '" + v + "'");
    s.schedule.kind = *kind;
  } else if (key == "milestones") {
    s.schedule.milestones.clear();
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ','))
      if (!item.empty()) {
        int64_t e = parseCount(key, item, 1);
        if (!s.schedule.milestones.empty() && e <= s.schedule.milestones.back())
          fail("'milestones' must increase (epochs where the rate drops), "
               "got '" + v + "'");
        s.schedule.milestones.push_back(e);
      }
  } else if (key == "gamma") {
    s.schedule.gamma = parseNumber(key, v);
    if (!(s.schedule.gamma > 0))
      fail("'gamma' must be positive, got '" + v + "'");
  }
  else if (key == "warmup")
    s.schedule.warmupEpochs = parseCount(key, v, 0);
  else if (key == "step_init")
    s.stepInit = parseStepInit(v, "'step_init'");
  else if (key == "data") {
    static const char *kinds[] = {"fashion_mnist", "mnist", "cifar10",
                                  "cifar100", "svhn", "simulated"};
    if (std::find(std::begin(kinds), std::end(kinds), v) != std::end(kinds)) {
      s.data.kind = v;
      return;
    }
    // A directory: its files say which kind it is.
    if (std::optional<std::string> kind = detectDataKind(v)) {
      s.data.kind = *kind;
      s.data.path = v;
      return;
    }
    std::error_code ec;
    bool dir = std::filesystem::is_directory(v, ec);
    bool pathLike = dir || v.find('/') != std::string::npos ||
                    std::filesystem::exists(v, ec);
    if (pathLike)
      fail("'data' is a kind (fashion_mnist, mnist, cifar10, cifar100, svhn "
           "or simulated) or a directory of one, but '" + v + "' " +
           (dir ? "holds none of the files cscc reads (IDX "
                  "train-images-idx3-ubyte[.gz], CIFAR-10 data_batch_1.bin, "
                  "CIFAR-100 train.bin, SVHN train_32x32.mat)"
                : "is not a directory") +
           "; name the kind and the directory, e.g. --data mnist "
           "--data-path DIR");
    fail("'data' is fashion_mnist, mnist, cifar10, cifar100, svhn or "
         "simulated, got '" + v + "' (or a directory that holds one of them; "
         "the kind and a directory: --data mnist --data-path DIR)");
  } else if (key == "data_path")
    s.data.path = v;
  else if (key == "data_seed")
    s.data.seed = static_cast<uint64_t>(parseCount(key, v, 0));
  else if (key == "data_classes")
    s.data.simulatedClasses = parseCount(key, v, 2);
  else if (key == "data_train")
    s.data.simulatedTrain = parseCount(key, v, 1);
  else if (key == "data_test")
    s.data.simulatedTest = parseCount(key, v, 1);
  else if (key == "data_dim")
    s.data.simulatedDim = parseCount(key, v, 1);
  else if (key == "data_noise") {
    s.data.simulatedNoise = parseNumber(key, v);
    if (s.data.simulatedNoise < 0)
      fail("'data_noise' is a standard deviation >= 0, got '" + v + "'");
  }
  else if (key == "min_lr") {
    s.schedule.minLr = parseNumber(key, v);
    if (s.schedule.minLr < 0)
      fail("'min_lr' is a learning rate >= 0, got '" + v + "'");
  }
  else if (key == "augment") {
    s.augment = Augmentation{};
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (item.empty() || item == "none")
        continue;
      if (item == "flip")
        s.augment.flip = true;
      else if (item.rfind("crop:", 0) == 0)
        s.augment.cropPadding = parseCount("augment crop", item.substr(5), 0);
      else
        fail("'augment' takes crop:P and flip (comma-separated), got '" +
             item + "'");
    }
  } else if (key == "normalize")
    s.normalize = parseBool(key, v);
  else if (key == "analyze_codes")
    s.analyzeCodes = parseBool(key, v);
  else if (key == "bn_sync")
    s.bnSync = parseBool(key, v);
  else if (key == "allreduce_bucket_kb")
    s.allreduceBucketKb = parseCount(key, v, 0);
  else if (key == "validation") {
    s.validation = parseNumber(key, v);
    if (s.validation < 0 || s.validation >= 1)
      fail("'validation' is a fraction in [0, 1), got '" + v + "'");
  } else if (key == "seed")
    s.seed = static_cast<uint64_t>(parseCount(key, v, 0));
  else if (key == "run_dir")
    s.runDir = v;
  else if (key == "resume")
    s.resume = v;
  else if (key == "weights")
    s.weights = v;
  else if (key == "input")
    s.input = v;
  else if (key == "o" || key == "output")
    s.output = v;
  else if (key == "limit_train")
    s.limitTrain = parseCount(key, v, 1);
  else if (key == "limit_test")
    s.limitTest = parseCount(key, v, 1);
  else if (key == "checkpoint_every")
    s.checkpointEvery = parseCount(key, v, 1);
  else if (key == "stop_after")
    s.stopAfter = parseCount(key, v, 1);
  else if (key == "check_replicas")
    s.checkReplicas = parseCount(key, v, 1);
  else if (key == "progress") {
    if (v == "auto")
      s.progress = Progress::Mode::Auto;
    else if (v == "bar")
      s.progress = Progress::Mode::Bar;
    else if (v == "plain")
      s.progress = Progress::Mode::Plain;
    else
      fail("'progress' is auto, bar or plain, got '" + v + "'");
  } else if (key == "bn_stats") {
    if (v != "running" && v != "batch")
      fail("'bn-stats' is running or batch, got '" + v + "'");
    s.batchStatsEval = v == "batch";
  } else
    fail("unknown setting '" + key + "' (see --help)");
}

} // namespace

TrainSettings parseTrainSettings(const std::map<std::string, std::string> &model,
                                 const std::vector<std::string> &args,
                                 const std::string &modelName) {
  TrainSettings s;
  for (const auto &[k, v] : model) {
    try {
      applySetting(s, k, v);
    } catch (const std::runtime_error &e) {
      fail(std::string("the model's train section: ") + e.what());
    }
  }
  // The section's directory belongs to the section's kind: `--data KIND`
  // naming another kind (without --data-path) takes that kind's default
  // directory, not e.g. a cifar10 section's path for fashion_mnist.
  const std::string sectionKind = s.data.kind, sectionPath = s.data.path;
  bool pathFlag = false;
  CommandLine flags(args);
  if (!flags.positionals().empty())
    fail("unexpected argument '" + flags.positionals().front() +
         "' (flags are --key value)");
  for (const CommandLineOption &flag : flags.options()) {
    if (flag.name != "-o" && flag.name.rfind("--", 0) != 0)
      fail("unexpected argument '" + flag.name + "' (flags are --key value)");
    std::string key = flag.name.substr(flag.name.find_first_not_of('-'));
    std::replace(key.begin(), key.end(), '-', '_');
    pathFlag = pathFlag || key == "data_path";
    try {
      applySetting(s, key, flag.value);
    } catch (const std::runtime_error &e) {
      fail("flag " + flag.name + ": " + e.what());
    }
  }
  if (s.data.kind != sectionKind && s.data.path == sectionPath && !pathFlag)
    s.data.path.clear();
  // A flag the final optimiser, schedule or data set does not use would be accepted
  // without effect: an error, as --min-lr without the cosine schedule.
  for (const CommandLineOption &flag : flags.options()) {
    std::string key = flag.name.substr(flag.name.find_first_not_of('-'));
    std::replace(key.begin(), key.end(), '-', '_');
    bool adamOnly = key == "beta1" || key == "beta2" || key == "eps";
    bool sgdOnly = key == "momentum" || key == "nesterov";
    bool multistepOnly = key == "milestones" || key == "gamma";
    bool simulatedOnly = key == "data_seed" || key == "data_classes" ||
                         key == "data_train" || key == "data_test" ||
                         key == "data_dim" || key == "data_noise";
    if (simulatedOnly && !isGeneratedData(s.data))
      fail("flag " + flag.name + " applies to simulated data, and the data "
           "set is " + s.data.kind + ": drop it, or add --data simulated "
           "(--limit-train and --limit-test take subsets of a real one)");
    switch (s.optimizer.kind) {
    case OptimizerKind::Sgd:
      if (adamOnly)
        fail("flag " + flag.name + " is Adam's, and the optimiser is sgd: "
             "drop it, or add --optimizer adam");
      break;
    case OptimizerKind::Adam:
      if (sgdOnly)
        fail("flag " + flag.name + " is SGD's, and the optimiser is adam: "
             "drop it, or add --optimizer sgd");
      break;
    }
    switch (s.schedule.kind) {
    case ScheduleKind::Multistep:
      break;
    case ScheduleKind::Constant:
    case ScheduleKind::Cosine:
      if (multistepOnly)
        fail("flag " + flag.name + " applies to the multistep schedule, and "
             "the schedule is " +
             std::string(wordOf(kScheduleWords, s.schedule.kind)) +
             ": drop it, or add --schedule multistep");
      break;
    }
  }
  if (s.runDir.empty())
    s.runDir = s.resume.empty() ? "runs/" + modelName : s.resume;
  s.schedule.epochs = s.epochs;
  switch (s.schedule.kind) {
  case ScheduleKind::Multistep:
    if (s.schedule.milestones.empty())
      fail("the multistep schedule needs its milestones: add --milestones "
           "E1,E2,.. (the epochs where the rate is multiplied by gamma)");
    break;
  case ScheduleKind::Constant:
  case ScheduleKind::Cosine:
    break;
  }
  if (s.schedule.minLr != 0 && s.schedule.kind != ScheduleKind::Cosine)
    fail("min_lr applies to the cosine schedule only, and the schedule is " +
         std::string(wordOf(kScheduleWords, s.schedule.kind)) +
         ": use --schedule cosine or drop min_lr");
  if (s.schedule.minLr > s.optimizer.lr) {
    std::ostringstream msg;
    msg << "min_lr (" << s.schedule.minLr << ") is above the learning rate ("
        << s.optimizer.lr
        << "): the cosine schedule anneals from lr down to min_lr";
    fail(msg.str());
  }
  return s;
}

namespace {

/// The model's tensors between calls: parameters and running statistics
/// (by name, in the functions' argument order), optimiser state.
struct ModelTensors {
  std::map<std::string, Tensor> weights;
  std::map<std::string, Tensor> optimizer;
};

std::vector<int64_t> withBatch(std::vector<int64_t> shape, int64_t n) {
  if (!shape.empty() && shape[0] == -1)
    shape[0] = n;
  return shape;
}

DType floatType(const ProgramInfo &info) {
  return info.f64 ? DType::F64 : DType::F32;
}

double scalarOf(const Tensor &t) {
  return t.dtype == DType::F64 ? t.as<double>()[0] : t.as<float>()[0];
}

/// Correct predictions in logits [N, K(, 1, 1)]: the first maximum.
int64_t countCorrect(const Tensor &logits, const Tensor &labels) {
  int64_t n = logits.shape[0], k = logits.numel() / std::max<int64_t>(n, 1);
  const int64_t *l = labels.as<int64_t>();
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    double bestV = -INFINITY;
    for (int64_t j = 0; j < k; ++j) {
      double v = logits.dtype == DType::F64 ? logits.as<double>()[i * k + j]
                                            : logits.as<float>()[i * k + j];
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    correct += best == l[i];
  }
  return correct;
}

const FunctionInfo &functionInfo(const Program &p, const std::string &name) {
  const FunctionInfo *f = p.info.find(name);
  if (!f || !p.functions.count(name))
    fail("the compiled model has no '" + name + "' function");
  return *f;
}

/// Calls `fn` on a batch: arguments from the batch and `tensors` by role,
/// results into fresh tensors (returned in result order).
std::vector<Tensor> callOnBatch(Program &program, const std::string &name,
                                const Batch &batch, ModelTensors &tensors,
                                Tensor *hyper) {
  const FunctionInfo &fi = functionInfo(program, name);
  int64_t n = batch.images.shape[0];
  std::vector<BufferRef> args;
  for (const TensorInfo &a : fi.args) {
    switch (a.role) {
    case Role::Input:
      args.push_back({const_cast<uint8_t *>(batch.images.data.data()),
                      batch.images.shape});
      break;
    case Role::Labels:
      args.push_back({const_cast<uint8_t *>(batch.labels.data.data()),
                      batch.labels.shape});
      break;
    case Role::Param:
    case Role::State: {
      Tensor &t = tensors.weights.at(a.name);
      args.push_back({t.data.data(), t.shape});
      break;
    }
    case Role::OptState: {
      Tensor &t = tensors.optimizer.at(a.name);
      args.push_back({t.data.data(), t.shape});
      break;
    }
    case Role::Hyper:
      if (!hyper)
        fail("internal: '" + name + "' needs optimiser hyperparameters");
      args.push_back({hyper->data.data(), hyper->shape});
      break;
    default:
      fail("internal: argument role " + std::string(roleName(a.role)));
    }
  }
  DType dt = batch.images.dtype;
  std::vector<Tensor> results;
  std::vector<BufferRef> refs;
  results.reserve(fi.results.size());
  for (const TensorInfo &r : fi.results)
    results.emplace_back(dt, withBatch(r.shape, n));
  for (Tensor &r : results)
    refs.push_back({r.data.data(), r.shape});
  program.functions.at(name)(args, refs);
  return results;
}

size_t resultIndex(const FunctionInfo &fi, Role role) {
  for (size_t i = 0; i < fi.results.size(); ++i)
    if (fi.results[i].role == role)
      return i;
  fail("the compiled '" + fi.name + "' returns no " + roleName(role));
}

/// Fresh weights as `cscc init --seed` makes them, and zero optimiser
/// state.
ModelTensors initialTensors(const ProgramInfo &info, uint64_t seed) {
  const FunctionInfo *fi = info.find("train_update");
  if (!fi)
    fi = info.find("evaluate");
  if (!fi)
    fail("the compiled model has neither train_update nor evaluate");
  ModelTensors t;
  Rng rng(seed);
  for (const TensorInfo &a : fi->args) {
    if (a.role == Role::Param || a.role == Role::State)
      t.weights[a.name] = initTensor(a.init, a.shape, rng, floatType(info));
    else if (a.role == Role::OptState)
      t.optimizer[a.name] = Tensor(floatType(info), a.shape);
  }
  return t;
}

/// Replaces the model's weights by a file's, checking names and shapes.
void loadWeightsInto(ModelTensors &t, const TensorFile &file,
                     const std::string &path, DType dt) {
  for (auto &[name, w] : t.weights) {
    const Tensor *src = file.find(name);
    if (!src)
      fail("weights '" + path + "' have no tensor '" + name +
           "'; they are not weights of this model (compare 'summary "
           "--weights')");
    if (src->shape != w.shape)
      fail("weights '" + path + "': '" + name + "' has shape " +
           shapeString(src->shape) + ", the model needs " +
           shapeString(w.shape));
    // The same rule as `cscc run` (Tensor.h): F32 or F64, finite, running
    // variances >= 0.
    if (std::string why = weightProblem(name, *src); !why.empty())
      fail("weights '" + path + "': " + why);
    w = convertDType(*src, dt);
  }
  for (const auto &[name, _] : file.tensors)
    if (!t.weights.count(name))
      fail("weights '" + path + "' have a tensor '" + name +
           "' the model does not have");
}

std::string joinDoubles(const std::vector<double> &v) {
  std::ostringstream os;
  os.precision(17);
  for (size_t i = 0; i < v.size(); ++i)
    os << (i ? "," : "") << v[i];
  return os.str();
}

/// The numbers of a comma-separated list; nullopt unless every item is a
/// finite number.
std::optional<std::vector<double>> splitDoubles(const std::string &s) {
  std::vector<double> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char *end = nullptr;
    double x = std::strtod(item.c_str(), &end);
    if (item.empty() || *end || !std::isfinite(x))
      return std::nullopt;
    v.push_back(x);
  }
  return v;
}

/// The normalisation a checkpoint records (metadata extra.normalize_mean
/// and extra.normalize_std, given as `mean` and `std_`, null when absent):
/// both or neither, one finite number per input channel, every std > 0.
/// Leaves `outMean` and `outStd` empty when there is none.
void readNormalization(const ProgramInfo &info, const std::string *mean,
                       const std::string *std_, const std::string &where,
                       std::vector<double> &outMean,
                       std::vector<double> &outStd) {
  outMean.clear();
  outStd.clear();
  if (!mean && !std_)
    return;
  auto corrupt = [&](const std::string &what) {
    fail("checkpoint '" + where + "': " + what +
         "; the metadata is corrupt or was edited: restore the file (or "
         "remove both keys to normalise with the training set's statistics)");
  };
  if (!mean || !std_)
    corrupt(std::string("metadata 'extra.normalize_") +
            (mean ? "mean' has no 'extra.normalize_std'"
                  : "std' has no 'extra.normalize_mean'") +
            " beside it");
  size_t channels = info.inputShape.empty() ? 1 : info.inputShape[0];
  std::string want = std::to_string(channels) + " comma-separated " +
                     (channels == 1 ? "number" : "numbers") +
                     " (one per input channel)";
  std::optional<std::vector<double>> m = splitDoubles(*mean);
  std::optional<std::vector<double>> d = splitDoubles(*std_);
  // An empty pair: no normalisation recorded.
  if (m && d && m->empty() && d->empty())
    return;
  if (!m || m->size() != channels)
    corrupt("metadata 'extra.normalize_mean' is '" + *mean + "', not " + want);
  if (!d || d->size() != channels ||
      std::any_of(d->begin(), d->end(), [](double x) { return !(x > 0); }))
    corrupt("metadata 'extra.normalize_std' is '" + *std_ + "', not " + want +
            " > 0");
  outMean = std::move(*m);
  outStd = std::move(*d);
}

struct EvalResult {
  double loss = NAN, accuracy = NAN;
  std::vector<std::pair<std::string, double>> sparsity;
};

/// Eval mode (running statistics) over `indices` of `data`.
EvalResult evaluate(Program &program, ModelTensors &tensors,
                    const Dataset &data, const std::vector<int64_t> &indices,
                    const Normalization &norm, const TrainSettings &s,
                    const std::string &function = "evaluate") {
  const FunctionInfo &fi = functionInfo(program, function);
  size_t lossAt = resultIndex(fi, Role::Loss);
  // Data-parallel: eval mode treats every image alone, so each process
  // takes its share of every batch and the sums are added up. (With batch
  // statistics, a share would change the statistics: each process
  // evaluates all of it.)
  Replicas &replicas = Replicas::world();
  bool split = replicas.distributed() && function == "evaluate";
  BatchLoader loader(data, indices, s.evalBatch, /*shuffle=*/false, s.seed,
                     0, norm, Augmentation{}, floatType(program.info),
                     /*prefetch=*/3, /*firstBatch=*/0,
                     split ? replicas.rank() : 0, split ? replicas.size() : 1);
  double lossSum = 0;
  int64_t correct = 0, seen = 0;
  size_t codes = 0;
  for (const TensorInfo &t : fi.results)
    codes += t.role == Role::Other;
  std::vector<double> zeroFraction(codes, 0.0);
  Batch batch;
  while (loader.next(batch)) {
    if (batch.images.shape[0] == 0)
      continue; // this process's share of a batch smaller than the group
    std::vector<Tensor> r =
        callOnBatch(program, function, batch, tensors, nullptr);
    int64_t n = batch.images.shape[0];
    lossSum += scalarOf(r[lossAt]) * n;
    correct += countCorrect(r[0], batch.labels);
    // Codes' fractions of zeros (role Other, named by the code).
    size_t k = 0;
    for (size_t i = 0; i < fi.results.size(); ++i)
      if (fi.results[i].role == Role::Other)
        zeroFraction[k++] += scalarOf(r[i]) * n;
    seen += n;
  }
  if (split) {
    std::vector<double> sums{lossSum, static_cast<double>(correct),
                             static_cast<double>(seen)};
    sums.insert(sums.end(), zeroFraction.begin(), zeroFraction.end());
    replicas.sum(sums.data(), static_cast<int64_t>(sums.size()));
    lossSum = sums[0];
    correct = static_cast<int64_t>(sums[1]);
    seen = static_cast<int64_t>(sums[2]);
    std::copy(sums.begin() + 3, sums.end(), zeroFraction.begin());
  }
  EvalResult e;
  if (seen == 0)
    return e;
  e.loss = lossSum / seen;
  e.accuracy = static_cast<double>(correct) / seen;
  size_t k = 0;
  for (const TensorInfo &t : fi.results)
    if (t.role == Role::Other)
      e.sparsity.push_back({t.name, zeroFraction[k++] / seen});
  return e;
}

struct Data {
  DataSplits splits;
  std::vector<int64_t> train, validation, test;
  Normalization norm;
};

/// The first `count` test images of `data`, normalised as evaluation's;
/// nothing when the test split is empty.
std::optional<Tensor> firstTestImages(const ProgramInfo &info,
                                      const Data &data,
                                      const TrainSettings &s, int64_t count) {
  std::vector<int64_t> first(
      data.test.begin(),
      data.test.begin() + std::min<size_t>(data.test.size(), count));
  if (first.empty())
    return std::nullopt;
  BatchLoader loader(data.splits.test, first, int64_t(first.size()),
                     /*shuffle=*/false, s.seed, 0, data.norm, Augmentation{},
                     floatType(info));
  Batch batch;
  if (!loader.next(batch))
    return std::nullopt;
  return batch.images;
}

/// `analyze_codes`: every layer-wise pursuit's code on the first
/// kAnalyzedImages test images (normalised as evaluation's), eval mode.
std::vector<ReconstructionStats> analyzeCodes(Program &program,
                                              ModelTensors &tensors,
                                              const Data &data,
                                              const TrainSettings &s) {
  if (program.info.pursuitCodes.empty())
    return {};
  std::optional<Tensor> images =
      firstTestImages(program.info, data, s, kAnalyzedImages);
  if (!images)
    return {};
  return measureReconstruction(program, program.info.pursuitCodes,
                               tensors.weights, *images, s.evalBatch);
}

Data prepareData(const ProgramInfo &info, const TrainSettings &s,
                 const std::vector<double> *savedMean = nullptr,
                 const std::vector<double> *savedStd = nullptr) {
  Data d;
  DataSpec spec = s.data;
  if (info.inputShape.size() == 3) // simulated data: the model's images
    spec.simulatedShape = info.inputShape;
  d.splits = loadData(spec);
  const Tensor &img = d.splits.train.images;
  std::vector<int64_t> shape(img.shape.begin() + 1, img.shape.end());
  if (shape != info.inputShape)
    fail("the data set " + d.splits.description + " has images of shape " +
         shapeString(shape) + "; the model '" + info.model + "' takes " +
         shapeString(info.inputShape) + " (pick another --data or change "
         "the model's input)");
  if (d.splits.train.classes > info.classes && info.classes > 0)
    fail("the data set " + d.splits.description + " has " +
         std::to_string(d.splits.train.classes) + " classes; the model '" +
         info.model + "' predicts " + std::to_string(info.classes));
  int64_t nTrain = img.shape[0];
  if (s.limitTrain > 0)
    nTrain = std::min(nTrain, s.limitTrain);
  auto [train, val] = validationSplit(nTrain, s.validation, s.seed);
  d.train = std::move(train);
  d.validation = std::move(val);
  int64_t nTest = d.splits.test.images.shape[0];
  if (s.limitTest > 0)
    nTest = std::min(nTest, s.limitTest);
  for (int64_t i = 0; i < nTest; ++i)
    d.test.push_back(i);
  int64_t channels = info.inputShape.empty() ? 1 : info.inputShape[0];
  if (savedMean && savedStd && !savedMean->empty()) {
    d.norm.mean = *savedMean;
    d.norm.std = *savedStd;
  } else if (s.normalize) {
    d.norm = channelStatistics(d.splits.train, d.train);
  } else {
    d.norm.mean.assign(channels, 0.0);
    d.norm.std.assign(channels, 1.0);
  }
  return d;
}

std::string fixed(double v, int digits = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

/// The signal that asked training to stop (SIGINT, SIGTERM), 0 for none.
/// The handler only stores it (async-signal-safe); the loop checks it
/// after each step, saves a checkpoint and returns. SA_RESETHAND restores
/// the default action, so a second Ctrl-C stops the process at once.
std::atomic<int> gStopSignal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void onStopSignal(int sig) { gStopSignal.store(sig); }

/// Installs the handlers for the training loop and puts the previous ones
/// back when it ends (a JIT host or a test harness keeps its own).
class StopSignals {
public:
  StopSignals() {
    gStopSignal.store(0);
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    sigaction(SIGINT, &sa, &oldInt_);
    sigaction(SIGTERM, &sa, &oldTerm_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &oldInt_, nullptr);
    sigaction(SIGTERM, &oldTerm_, nullptr);
  }
  StopSignals(const StopSignals &) = delete;
  StopSignals &operator=(const StopSignals &) = delete;

private:
  struct sigaction oldInt_ {}, oldTerm_ {};
};

/// A checkpoint taken inside an epoch records how far the epoch got, so
/// --resume replays the rest of it exactly (the batches after it are the
/// same: DataLoader.h) and reports the whole epoch's loss and accuracy.
/// Kept in TrainState::extra under these keys; absent at epoch ends.
struct EpochProgress {
  int64_t batches = 0; ///< batches done in the unfinished epoch
  int64_t batchSize = 0;
  double lossSum = 0;  ///< sum of loss * images over those batches
  int64_t correct = 0, seen = 0;
  double seconds = 0;  ///< training time spent in the epoch so far

  static constexpr const char *kKeys[] = {
      "epoch_batches", "epoch_batch_size", "epoch_loss_sum",
      "epoch_correct", "epoch_seen",       "epoch_seconds"};

  void store(TrainState &st) const {
    st.extra["epoch_batches"] = std::to_string(batches);
    st.extra["epoch_batch_size"] = std::to_string(batchSize);
    st.extra["epoch_loss_sum"] = joinDoubles({lossSum});
    st.extra["epoch_correct"] = std::to_string(correct);
    st.extra["epoch_seen"] = std::to_string(seen);
    st.extra["epoch_seconds"] = joinDoubles({seconds});
  }
  static void clear(TrainState &st) {
    for (const char *k : kKeys)
      st.extra.erase(k);
  }
  /// The progress saved in `st` (batches 0 when it was an epoch's end).
  /// Throws when the keys are partial or malformed.
  static EpochProgress load(const TrainState &st, const std::string &where) {
    EpochProgress p;
    size_t present = 0;
    for (const char *k : kKeys)
      present += st.extra.count(k);
    if (present == 0)
      return p;
    try {
      if (present != std::size(kKeys))
        throw std::invalid_argument("partial");
      p.batches = std::stoll(st.extra.at("epoch_batches"));
      p.batchSize = std::stoll(st.extra.at("epoch_batch_size"));
      p.lossSum = std::stod(st.extra.at("epoch_loss_sum"));
      p.correct = std::stoll(st.extra.at("epoch_correct"));
      p.seen = std::stoll(st.extra.at("epoch_seen"));
      p.seconds = std::stod(st.extra.at("epoch_seconds"));
    } catch (const std::exception &) {
      fail("checkpoint '" + where + "': the mid-epoch progress (metadata "
           "extra.epoch_*) is incomplete or malformed; resume from a copy "
           "of the run or start it again");
    }
    if (p.batches < 1 || p.batchSize < 1 || p.seen < 0 || p.correct < 0 ||
        p.correct > p.seen)
      fail("checkpoint '" + where + "': the mid-epoch progress (metadata "
           "extra.epoch_*) is out of range");
    return p;
  }
};

/// A fresh model's steps from its dictionaries' Lipschitz constants
/// (`init` Lipschitz; Ones leaves them), then, fresh or loaded, a warning
/// for every dictionary whose c L is 2 or more.
void checkSteps(Program &program, std::map<std::string, Tensor> &weights,
                StepInit init) {
  if (program.info.dictionaries.empty())
    return;
  const EigenOptions eigen = eigenOptionsFor(init);
  std::vector<LipschitzEstimate> estimates =
      estimateLipschitz(program, weights, eigen);
  switch (init) {
  case StepInit::Lipschitz: {
    double lo = INFINITY, hi = 0;
    for (const LipschitzEstimate &e : estimates)
      lo = std::min(lo, e.lipschitz), hi = std::max(hi, e.lipschitz);
    setStepsFromLipschitz(estimates, weights);
    std::cout << "steps: c = 1/L, L = 2 lambda_max(D^T D) of the compiled "
                 "D^T D: "
              << lo;
    if (hi != lo)
      std::cout << " to " << hi;
    std::cout << " over " << estimates.size() << " dictionar"
              << (estimates.size() == 1 ? "y" : "ies");
    std::cout << "\n";
    break;
  }
  case StepInit::Scaled: {
    scaleDictionaries(program, estimates, weights, eigen);
    double lo = INFINITY, hi = 0;
    for (const LipschitzEstimate &e : estimates)
      lo = std::min(lo, e.filterScale), hi = std::max(hi, e.filterScale);
    std::cout << "steps: filters scaled by " << lo << " to " << hi
              << " and c lambda_max(D^T D) = " << kStable << " over "
              << estimates.size() << " dictionaries\n";
    break;
  }
  case StepInit::Ones:
    break;
  }
  // (Under mpirun every process computes the same estimates: rank 0 warns.)
  if (Replicas::world().rank() != 0)
    return;
  for (const std::string &line : unstableSteps(estimates))
    std::cerr << "warning: " << line
              << ": its unfolded iterations may diverge (start from "
                 "--step-init lipschitz or scaled, or add batch norm)\n";
}

/// While alive, std::cout writes nowhere: the processes of a data-parallel
/// run other than rank 0 train silently (their errors still reach stderr).
class SilencedOutput {
public:
  explicit SilencedOutput(bool silence) {
    if (silence)
      old_ = std::cout.rdbuf(nullptr); // a stream without a buffer drops
  }                                    // what it is given
  ~SilencedOutput() {
    if (old_) {
      std::cout.rdbuf(old_);
      std::cout.clear();
    }
  }
  SilencedOutput(const SilencedOutput &) = delete;
  SilencedOutput &operator=(const SilencedOutput &) = delete;

private:
  std::streambuf *old_ = nullptr;
};

/// Rank 0's weights and optimiser state on every process (fresh weights
/// are the same everywhere already, being seeded; this makes it a fact).
void broadcastTensors(Replicas &replicas, ModelTensors &tensors) {
  for (auto *group : {&tensors.weights, &tensors.optimizer})
    for (auto &[name, t] : *group)
      replicas.broadcast(t.data.data(), t.data.size());
}

/// FNV-1a over the bytes of every weight and optimiser state tensor but
/// those named in `skip`, in name order: equal on two processes iff (up to
/// a collision) they hold bitwise the same model.
uint64_t modelFingerprint(const ModelTensors &tensors,
                          const std::set<std::string> &skip) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const auto *group : {&tensors.weights, &tensors.optimizer})
    for (const auto &[name, t] : *group)
      if (!skip.count(name))
        for (uint8_t byte : t.data) {
          h ^= byte;
          h *= 0x100000001b3ull;
        }
  return h;
}

int trainCommand(Program &program, const TrainSettings &s) {
  const ProgramInfo &info = program.info;
  // Data-parallel training under mpirun: every process runs this loop on
  // its share of each batch; rank 0 alone prints and writes.
  Replicas &replicas = Replicas::world();
  const bool writer = replicas.rank() == 0;
  if (replicas.distributed() && !info.dataParallel)
    fail("this model was compiled without data-parallel training (its "
         "target does not average gradients over processes); train it in "
         "one process, without mpirun, or build it for --target cpu or "
         "cuda");
  SilencedOutput silenced(!writer);
  const FunctionInfo &fi = functionInfo(program, "train_update");
  auto describe = [](OptimizerKind kind, bool nesterov) {
    return std::string(wordOf(kOptimizerWords, kind)) +
           (kind == OptimizerKind::Sgd && nesterov ? " with Nesterov momentum"
                                                   : "");
  };
  bool nesterov = s.optimizer.kind == OptimizerKind::Sgd && s.optimizer.nesterov;
  if (s.optimizer.kind != info.optimizer || nesterov != info.nesterov)
    fail("this model was compiled for " +
         describe(info.optimizer, info.nesterov) + "; the settings ask for " +
         describe(s.optimizer.kind, nesterov) +
         " (compile it again with those settings)");
  if (s.optimizer.stepLrScale != info.stepLrScale) {
    std::ostringstream m;
    m << "this model was compiled with step_lr_scale " << info.stepLrScale
      << "; the settings ask for " << s.optimizer.stepLrScale
      << " (compile it again with those settings)";
    fail(m.str());
  }
  if (s.bnSync != info.bnSync)
    fail(std::string("this model was compiled with bn_sync = ") +
         (info.bnSync ? "true" : "false") + "; the settings ask for " +
         (s.bnSync ? "true" : "false") +
         " (compile it again with those settings)");
  if (info.dataParallel && s.allreduceBucketKb != info.allreduceBucketKb)
    fail("this model was compiled with allreduce_bucket_kb = " +
         std::to_string(info.allreduceBucketKb) + "; the settings ask for " +
         std::to_string(s.allreduceBucketKb) +
         " (compile it again with those settings)");
  if (s.analyzeCodes && !info.find("pursuit_codes"))
    fail("this model was compiled without analyze_codes (each pursuit's "
         "code after every epoch); build it from a train section with "
         "analyze_codes = true, or train with cscc train --analyze-codes "
         "true");
  if (nesterov && s.optimizer.momentum == 0)
    fail("Nesterov momentum needs a momentum > 0, but --momentum is 0 "
         "(Nesterov's update acts on the momentum buffer); give --momentum "
         "a value in (0, 1)");
  DType dt = floatType(info);
  namespace fs = std::filesystem;

  // Weights and optimiser state: fresh, or from the run to resume.
  ModelTensors tensors = initialTensors(info, s.seed);
  TrainState state;
  state.seed = s.seed;
  std::vector<double> savedMean, savedStd;
  if (!s.resume.empty()) {
    Checkpoint c = loadCheckpoint(s.resume, "last");
    if (!c.recovered.empty() && writer)
      std::cerr << "warning: " << c.recovered << "\n";
    std::string where = (fs::path(s.resume) / "last.safetensors").string();
    TensorFile file;
    file.tensors = c.weights;
    loadWeightsInto(tensors, file, where, dt);
    for (auto &[name, t] : tensors.optimizer) {
      auto it = c.optimizer.find(name);
      if (it == c.optimizer.end() || it->second.shape != t.shape)
        fail("checkpoint '" + s.resume + "' has no optimiser state '" + name +
             "' of shape " + shapeString(t.shape) +
             "; it was written with another optimiser (resume with the "
             "same settings)");
      if (std::string why = weightProblem(name, it->second, true);
          !why.empty())
        fail("checkpoint '" + s.resume + "': optimiser state " + why);
      t = convertDType(it->second, dt);
    }
    state = c.state;
    if (state.seed != s.seed)
      fail("checkpoint '" + s.resume + "' was trained with --seed " +
           std::to_string(state.seed) + "; resume with the same seed");
    auto extra = [&](const char *k) {
      auto it = state.extra.find(k);
      return it == state.extra.end() ? nullptr : &it->second;
    };
    readNormalization(info, extra("normalize_mean"), extra("normalize_std"),
                      (fs::path(s.resume) / "last.train.safetensors").string(),
                      savedMean, savedStd);
    if (state.epoch >= s.epochs) {
      std::cout << "run '" << s.resume << "' already finished " << state.epoch
                << " of " << s.epochs << " epochs; nothing to train (raise "
                << "--epochs to continue)\n";
      return 0;
    }
  }
  Data data = prepareData(info, s, &savedMean, &savedStd);
  checkSteps(program, tensors.weights, s.resume.empty() ? s.stepInit
                                                          : StepInit::Ones);
  broadcastTensors(replicas, tensors);
  state.extra["model"] = info.model;
  state.extra["normalize_mean"] = joinDoubles(data.norm.mean);
  state.extra["normalize_std"] = joinDoubles(data.norm.std);

  int64_t stepsPerEpoch =
      (static_cast<int64_t>(data.train.size()) + s.batch - 1) / s.batch;
  if (replicas.distributed()) {
    // Every process takes part in every step's collectives, so each needs
    // at least one image of every batch.
    int64_t last = static_cast<int64_t>(data.train.size()) -
                   (stepsPerEpoch - 1) * s.batch;
    if (std::min(s.batch, last) < replicas.size())
      fail("data-parallel training on " + std::to_string(replicas.size()) +
           " processes needs at least one image per process in every "
           "batch, but " +
           (s.batch < replicas.size()
                ? "the batch is " + std::to_string(s.batch)
                : "the last batch of each epoch has " + std::to_string(last) +
                      " (" + std::to_string(data.train.size()) +
                      " training images, batch " + std::to_string(s.batch) +
                      ")") +
           "; raise --batch, change --limit-train, or start fewer processes");
  }

  // Rank 0 writes the run directory; the others only read (--resume).
  std::optional<MetricsLog> metrics;
  if (writer) {
    fs::create_directories(s.runDir);
    metrics.emplace(s.runDir, !s.resume.empty(), state.epoch);
  }
  // The others' progress goes nowhere.
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> devNull(
      writer ? nullptr : std::fopen("/dev/null", "w"), &std::fclose);
  if (!writer && !devNull)
    fail("cannot open /dev/null for the progress of " + replicas.where());
  Progress progress(writer ? stdout : devNull.get(), s.progress);
  std::cout << "training " << info.model << " on " << data.splits.description
            << ": " << data.train.size() << " images ("
            << data.validation.size() << " held out), " << s.epochs
            << " epochs of " << stepsPerEpoch << " steps, batch " << s.batch
            << ", " << wordOf(kOptimizerWords, s.optimizer.kind) << " lr "
            << s.optimizer.lr << ", " << wordOf(kScheduleWords, s.schedule.kind)
            << " schedule; run directory " << s.runDir
            << (replicas.distributed()
                    ? "; " + std::to_string(replicas.size()) +
                          " processes (data parallel), each a share of "
                          "every batch"
                    : std::string())
            << "\n";
  EpochProgress resumed = EpochProgress::load(state, s.resume);
  EpochProgress::clear(state);
  if (resumed.batches > 0 && resumed.batchSize != s.batch)
    fail("run '" + s.resume + "' stopped inside epoch " +
         std::to_string(state.epoch + 1) + " with batch " +
         std::to_string(resumed.batchSize) + "; resume it with --batch " +
         std::to_string(resumed.batchSize));
  if (resumed.batches >= stepsPerEpoch)
    fail("run '" + s.resume + "' stopped after batch " +
         std::to_string(resumed.batches) + " of epoch " +
         std::to_string(state.epoch + 1) + ", which now has " +
         std::to_string(stepsPerEpoch) + " batches; resume with the run's "
         "data settings (--limit-train, --validation, --data)");
  // The step count agrees with the epochs and batches done (each epoch of
  // this run has stepsPerEpoch steps): otherwise the metadata was edited, or
  // the data settings changed, and the learning-rate schedule and the
  // optimiser's step count would not be those of the run.
  if (!s.resume.empty()) {
    __int128 expected =
        static_cast<__int128>(state.epoch) * stepsPerEpoch + resumed.batches;
    if (expected != state.step)
      fail("run '" + s.resume + "': its checkpoint is at step " +
           std::to_string(state.step) + " after " +
           std::to_string(state.epoch) + " epochs" +
           (resumed.batches > 0 ? " and " + std::to_string(resumed.batches) +
                                      " batches of epoch " +
                                      std::to_string(state.epoch + 1)
                                : std::string()) +
           ", but an epoch of this run has " + std::to_string(stepsPerEpoch) +
           " steps, which makes " +
           (expected <= INT64_MAX
                ? "step " + std::to_string(static_cast<int64_t>(expected))
                : std::string("more than 2^63 steps")) +
           "; the metadata (cscc.step, cscc.epoch, extra.epoch_batches) was "
           "edited, or the data settings changed: resume with the run's "
           "data settings (--limit-train, --validation, --data, --batch)");
  }
  if (!s.resume.empty())
    std::cout << "resuming after epoch " << state.epoch
              << (resumed.batches > 0
                      ? " and " + std::to_string(resumed.batches) +
                            " batches of epoch " +
                            std::to_string(state.epoch + 1)
                      : std::string())
              << " (step " << state.step << ")\n";
  std::cout.flush();

  // A run can diverge without a NaN training loss (train mode normalises
  // with the batch's statistics while the running ones overflow; weights
  // grow without bound). Weights, running statistics and optimiser state
  // are checked before every checkpoint is written, so that the checkpoint
  // a stopped run names is a good one.
  auto lastGood = [&] {
    return checkpointExists(s.runDir, "last")
               ? "; the last good checkpoint is " +
                     (fs::path(s.runDir) / "last.safetensors").string() +
                     " (continue with --resume " + s.runDir + ")"
               : std::string("; no checkpoint was written yet");
  };
  auto diverged = [&](const std::string &what, int64_t epoch) {
    fail("training diverged: " + what + " after step " +
         std::to_string(state.step) + " (epoch " + std::to_string(epoch + 1) +
         "); training stopped without writing a checkpoint" + lastGood() +
         ". Lower --lr or add --warmup");
  };
  auto checkFinite = [&](int64_t epoch) {
    std::string why;
    for (const auto &[name, t] : tensors.weights)
      if (why.empty())
        why = weightProblem(name, t);
    for (const auto &[name, t] : tensors.optimizer)
      if (why.empty())
        if (std::string w = weightProblem(name, t, true); !w.empty())
          why = "optimiser state " + w;
    if (why.empty())
      return;
    progress.endEpoch("");
    diverged(why, epoch);
  };
  // Saves RUN_DIR/last inside an epoch (no evaluation; the best checkpoint
  // is chosen at epoch ends only).
  auto saveMidEpoch = [&](const EpochProgress &p) {
    checkFinite(state.epoch);
    if (!writer)
      return;
    Checkpoint c;
    c.weights = tensors.weights;
    c.optimizer = tensors.optimizer;
    c.state = state;
    p.store(c.state);
    saveCheckpoint(s.runDir, "last", c);
  };
  auto stoppedMessage = [&](const std::string &why, const std::string &at) {
    return why + ": stopped after step " + std::to_string(state.step) + " (" +
           at + "); checkpoint " +
           (fs::path(s.runDir) / "last.safetensors").string() +
           "; continue with --resume " + s.runDir;
  };
  // --check-replicas: the generated update is the same on every process
  // only if their gradients were averaged to the same bits.
  // Batch norm's running statistics are each process's own (its shares'
  // statistics; rank 0's are saved), so they are left out, unless batch
  // norm is synchronised.
  std::set<std::string> runningStatistics;
  for (const TensorInfo &a : fi.args)
    if (a.role == Role::State && !info.bnSync)
      runningStatistics.insert(a.name);
  auto checkReplicaWeights = [&] {
    if (!replicas.same(modelFingerprint(tensors, runningStatistics)))
      fail("data-parallel training: the processes' weights differ after "
           "step " + std::to_string(state.step) +
           "; their all-reduce did not give every process the same "
           "result. Report this with the MPI library and its settings");
  };
  // A test's way to make one process's weights differ (by one bit of the
  // first weight after step 1), so that the check above is seen to fail.
  const int desyncRank = [] {
    const char *v = std::getenv("CSCC_TEST_DESYNC_RANK");
    return v ? std::atoi(v) : -1;
  }();
  // The stop signal the processes agree on (the largest any received),
  // read once per decision: a signal to one process stops all of them
  // after the same step. One process: the signal it received, if any.
  // (After a step it comes with the loss's collective, below.)
  auto agreedSignal = [&] { return replicas.max(gStopSignal.load()); };
  auto stopRequested = [&](int sig) {
    return sig != 0 || (s.stopAfter > 0 && state.step >= s.stopAfter);
  };
  auto stopReason = [&](int sig) -> std::pair<std::string, int> {
    if (sig != 0)
      return {std::string(sig == SIGINT ? "interrupted (SIGINT)"
                                        : "terminated (SIGTERM)"),
              128 + sig};
    return {"--stop-after " + std::to_string(s.stopAfter) + " reached", 0};
  };
  if (s.stopAfter > 0 && state.step >= s.stopAfter) {
    std::cout << "run '" << s.runDir << "' is at step " << state.step
              << ", --stop-after " << s.stopAfter
              << " is reached; nothing to train (raise --stop-after)\n";
    return 0;
  }
  StopSignals signals;

  size_t lossAt = resultIndex(fi, Role::Loss);
  Tensor hyper(dt, {8});
  for (const TensorInfo &a : fi.args)
    if (a.role == Role::Hyper)
      hyper = Tensor(dt, a.shape);

  const int64_t firstEpoch = state.epoch;
  for (int64_t epoch = firstEpoch; epoch < s.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    // The epoch's running state, which a mid-epoch checkpoint saves; a run
    // resumed inside this epoch starts from it, after its last batch.
    const EpochProgress done =
        epoch == firstEpoch ? resumed : EpochProgress{};
    EpochProgress run = done;
    run.batchSize = s.batch;
    BatchLoader loader(data.splits.train, data.train, s.batch,
                       /*shuffle=*/true, s.seed, epoch, data.norm, s.augment,
                       dt, /*prefetch=*/3, done.batches, replicas.rank(),
                       replicas.size());
    progress.startEpoch(epoch + 1, s.epochs, loader.batches(), done.batches);
    replicas.resetTraffic();
    double lr = s.optimizer.lr;
    auto secondsSoFar = [&] {
      return done.seconds + std::chrono::duration<double>(
                                std::chrono::steady_clock::now() - start)
                                .count();
    };
    Batch batch;
    while (loader.next(batch)) {
      lr = scheduledLearningRate(s.schedule, s.optimizer.lr, epoch,
                                 run.batches, stepsPerEpoch);
      std::vector<double> h = optimizerHyper(s.optimizer, lr, state.step + 1);
      for (int64_t i = 0; i < hyper.numel() && i < (int64_t)h.size(); ++i) {
        if (dt == DType::F64)
          hyper.as<double>()[i] = h[i];
        else
          hyper.as<float>()[i] = static_cast<float>(h[i]);
      }
      int64_t n = batch.images.shape[0];
      replicas.setShare(n, batch.globalSize);
      traceStepBegin(state.step + 1); // CSCC_CONV_TRACE
      std::vector<Tensor> r =
          callOnBatch(program, "train_update", batch, tensors, &hyper);
      traceStepEnd(state.step + 1);
      double loss = scalarOf(r[lossAt]);
      int64_t correct = countCorrect(r[0], batch.labels);
      // The step's decisions (a NaN, a stop) must be the same on every
      // process: one collective gives them the global batch's loss and
      // accuracy and the stop signal (the largest any process received,
      // SIGTERM over SIGINT: each counted, so that a sum carries it).
      int sig = gStopSignal.load();
      if (replicas.distributed()) {
        double sums[5] = {loss * n, static_cast<double>(correct),
                          static_cast<double>(n),
                          static_cast<double>(sig == SIGINT),
                          static_cast<double>(sig == SIGTERM)};
        replicas.sum(sums, 5);
        n = batch.globalSize;
        loss = sums[0] / sums[2];
        correct = static_cast<int64_t>(sums[1]);
        sig = sums[4] > 0 ? SIGTERM : sums[3] > 0 ? SIGINT : 0;
      }
      if (!std::isfinite(loss)) {
        progress.endEpoch("");
        fail("the loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite") +
             " at step " + std::to_string(state.step + 1) + " (epoch " +
             std::to_string(epoch + 1) + ", batch " +
             std::to_string(run.batches + 1) + "); training stopped" +
             lastGood() + ". Lower --lr or add --warmup");
      }
      // The new values replace the old ones.
      for (size_t i = 0; i < fi.results.size(); ++i) {
        const TensorInfo &ri = fi.results[i];
        if (ri.role == Role::NewParam || ri.role == Role::NewState)
          std::swap(tensors.weights.at(ri.name), r[i]);
        else if (ri.role == Role::NewOptState)
          std::swap(tensors.optimizer.at(ri.name), r[i]);
      }
      if (state.step == 0 && replicas.distributed() &&
          desyncRank == replicas.rank() && !tensors.weights.empty()) {
        // The lowest bit of the first element's second-highest byte (a
        // mantissa bit, 2^-4 relative in f64, 2^-7 in f32): a difference
        // in its lowest bit could round away in the next update.
        Tensor &t = tensors.weights.begin()->second;
        t.data[dtypeSize(t.dtype) - 2] ^= 1;
      }
      run.lossSum += loss * n;
      run.correct += correct;
      run.seen += n;
      ++run.batches;
      ++state.step;
      progress.update(run.batches, run.seen - done.seen,
                      run.lossSum / run.seen,
                      static_cast<double>(run.correct) / run.seen);
      // Inside the epoch: a checkpoint every --checkpoint-every steps, and
      // one before stopping when asked to. (At its end the epoch's own
      // checkpoint follows the evaluation.)
      if (s.checkReplicas > 0 && state.step % s.checkReplicas == 0)
        checkReplicaWeights();
      bool stop = stopRequested(sig);
      bool periodic =
          s.checkpointEvery > 0 && state.step % s.checkpointEvery == 0;
      if ((stop || periodic) && run.batches < loader.batches()) {
        run.seconds = secondsSoFar();
        saveMidEpoch(run);
        if (stop) {
          auto [why, code] = stopReason(sig);
          progress.endEpoch(stoppedMessage(
              why, "batch " + std::to_string(run.batches) + " of " +
                       std::to_string(loader.batches()) + " in epoch " +
                       std::to_string(epoch + 1)));
          replicas.barrier(); // rank 0 has written the checkpoint
          return code;
        }
      }
    }
    double trainSeconds = secondsSoFar();
    // Data parallel: what this epoch's steps spent in collectives (rank
    // 0's view; waiting for a slower process counts).
    const Replicas::Traffic traffic = replicas.traffic();
    const int64_t epochSteps = run.batches - done.batches;

    EpochRecord rec;
    rec.epoch = epoch + 1;
    rec.step = state.step;
    rec.lr = lr;
    rec.seconds = trainSeconds;
    rec.imagesPerSecond = (run.seen - done.seen) /
                          std::max(trainSeconds - done.seconds, 1e-9);
    rec.trainLoss = run.lossSum / std::max<int64_t>(run.seen, 1);
    rec.trainAccuracy =
        static_cast<double>(run.correct) / std::max<int64_t>(run.seen, 1);
    if (!data.validation.empty()) {
      EvalResult v = evaluate(program, tensors, data.splits.train,
                              data.validation, data.norm, s);
      rec.valLoss = v.loss;
      rec.valAccuracy = v.accuracy;
    }
    EvalResult t = evaluate(program, tensors, data.splits.test, data.test,
                            data.norm, s);
    rec.testLoss = t.loss;
    rec.testAccuracy = t.accuracy;
    rec.sparsity = t.sparsity;
    if (s.analyzeCodes)
      rec.codes = analyzeCodes(program, tensors, data, s);
    // Before anything of this epoch is written (metrics, curves,
    // checkpoints): eval mode uses the running statistics, so a finite
    // training loss can hide a diverged model.
    for (auto [what, v] : {std::pair<const char *, double>{"test", rec.testLoss},
                           {"validation", rec.valLoss}})
      if ((std::string(what) == "test" || !data.validation.empty()) &&
          !std::isfinite(v)) {
        progress.endEpoch("");
        diverged(std::string("the ") + what + " loss is " +
                     (std::isnan(v) ? "NaN" : "infinite") +
                     " (eval mode, running statistics) while the training "
                     "loss is " + fixed(rec.trainLoss),
                 epoch);
      }
    checkFinite(epoch);
    progress.endEpoch(
        "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(s.epochs) +
        ": train loss " + fixed(rec.trainLoss) + " acc " +
        fixed(rec.trainAccuracy) +
        (data.validation.empty() ? ""
                                 : ", val loss " + fixed(rec.valLoss) +
                                       " acc " + fixed(rec.valAccuracy)) +
        ", test loss " + fixed(rec.testLoss) + " acc " +
        fixed(rec.testAccuracy) + ", " + fixed(rec.imagesPerSecond, 0) +
        " img/s, " + fixed(trainSeconds, 1) + " s" +
        (replicas.distributed() && epochSteps > 0
             ? "; collectives " +
                   fixed(1e3 * traffic.seconds / epochSteps, 2) +
                   " ms per step (" +
                   fixed(100 * traffic.seconds /
                             std::max(trainSeconds - done.seconds, 1e-9),
                         1) +
                   "% of the time, " +
                   std::to_string(traffic.calls / epochSteps) + " calls, " +
                   fixed(traffic.bytes / epochSteps / 1e6, 3) + " MB)"
             : std::string()));
    if (writer) {
      metrics->append(rec);
      writeCurves((fs::path(s.runDir) / "curves.svg").string(),
                  metrics->records(), info.model);
    }

    // Checkpoints: the last, and the best by validation accuracy (test
    // accuracy when nothing is held out).
    state.epoch = epoch + 1;
    double score = data.validation.empty() ? rec.testAccuracy : rec.valAccuracy;
    Checkpoint c;
    c.weights = tensors.weights;
    c.optimizer = tensors.optimizer;
    bool best = score > state.bestAccuracy;
    if (best) {
      state.bestAccuracy = score;
      state.bestEpoch = epoch + 1;
    }
    c.state = state;
    if (writer) {
      if (best)
        saveCheckpoint(s.runDir, "best", c);
      saveCheckpoint(s.runDir, "last", c);
    }
    int sig = agreedSignal();
    if (stopRequested(sig) && epoch + 1 < s.epochs) {
      auto [why, code] = stopReason(sig);
      std::cout << stoppedMessage(why, "the end of epoch " +
                                           std::to_string(epoch + 1))
                << "\n";
      replicas.barrier(); // rank 0 has written the checkpoints
      return code;
    }
  }
  // The final model's test accuracy (eval mode, running statistics).
  if (writer)
    std::cout << "test accuracy: "
              << fixed(metrics->records().back().testAccuracy) << "\n";
  return 0;
}

/// The weights for eval/predict: --weights, else the run's best.
/// The normalisation a weights file's metadata records (readNormalization).
void savedNormalization(const ProgramInfo &info, const TensorFile &file,
                        const std::string &path, std::vector<double> &mean,
                        std::vector<double> &std_) {
  auto extra = [&](const char *k) {
    auto it = file.metadata.find(k);
    return it == file.metadata.end() ? nullptr : &it->second;
  };
  readNormalization(info, extra("extra.normalize_mean"),
                    extra("extra.normalize_std"), path, mean, std_);
}

ModelTensors weightsFor(const Program &program, const TrainSettings &s,
                        std::vector<double> &mean, std::vector<double> &std_) {
  namespace fs = std::filesystem;
  std::string path = s.weights.empty()
                         ? (fs::path(s.runDir) / "best.safetensors").string()
                         : s.weights;
  if (!fs::exists(path))
    fail("no weights '" + path + "'" +
         (s.weights.empty() ? " (train first, or name them with --weights)"
                            : ""));
  TensorFile file = readSafetensors(path);
  ModelTensors t = initialTensors(program.info, 0);
  t.optimizer.clear();
  loadWeightsInto(t, file, path, floatType(program.info));
  savedNormalization(program.info, file, path, mean, std_);
  return t;
}

int evalCommand(Program &program, const TrainSettings &s) {
  // Under mpirun: each process evaluates its share; rank 0 prints.
  SilencedOutput silenced(Replicas::world().rank() != 0);
  std::vector<double> mean, std_;
  ModelTensors t = weightsFor(program, s, mean, std_);
  Data data = prepareData(program.info, s, &mean, &std_);
  EvalResult e = evaluate(program, t, data.splits.test, data.test, data.norm,
                          s, s.batchStatsEval ? "evaluate_batch_stats"
                                              : "evaluate");
  if (s.batchStatsEval)
    std::cout << "batch norm: each test batch's own statistics (batch "
              << s.evalBatch << ")\n";
  std::cout << "test loss: " << fixed(e.loss) << "\n";
  for (const auto &[name, z] : e.sparsity)
    std::cout << "sparsity " << name << ": " << fixed(z) << "\n";
  std::cout << "test accuracy: " << fixed(e.accuracy) << "\n";
  return 0;
}

int predictCommand(Program &program, const TrainSettings &s) {
  if (Replicas::world().distributed())
    fail("predict runs in one process (it writes one file); run it without "
         "mpirun");
  if (s.input.empty())
    fail("predict needs --input X.npy (images [N, C, H, W])");
  std::vector<double> mean, std_;
  ModelTensors t = weightsFor(program, s, mean, std_);
  Tensor x = readNpy(s.input);
  std::vector<int64_t> want = program.info.inputShape;
  if (x.shape.size() != want.size() + 1 ||
      !std::equal(want.begin(), want.end(), x.shape.begin() + 1))
    fail("input '" + s.input + "' has shape " + shapeString(x.shape) +
         "; the model takes [N, " +
         shapeString(want).substr(1));
  // Pixels: uint8 (0-255, as the data sets store them) or floats in [0, 1]
  // (`cscc run` takes floats only; other integer types are refused by both).
  if (x.dtype != DType::U8 && x.dtype != DType::F32 && x.dtype != DType::F64)
    fail("input '" + s.input + "' is " + dtypeName(x.dtype) +
         "; use uint8 pixels (0-255) or float32/float64 in [0, 1]");
  // Pixels to [0, 1], then the training normalisation.
  Tensor f64 = convertDType(x, DType::F64);
  double scale = x.dtype == DType::U8 ? 1.0 / 255 : 1.0;
  int64_t n = x.shape[0], c = want[0], hw = f64.numel() / std::max<int64_t>(n * c, 1);
  double *p = f64.as<double>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t k = 0; k < hw; ++k) {
        double &v = p[(i * c + ch) * hw + k];
        v *= scale;
        if (!mean.empty())
          v = (v - mean[ch]) / std_[ch];
      }
  Batch b;
  b.images = convertDType(f64, floatType(program.info));
  b.labels = Tensor(DType::I64, {n});
  std::vector<Tensor> r = callOnBatch(program, "evaluate", b, t, nullptr);
  if (!s.output.empty())
    writeNpy(s.output, r[0]);
  int64_t k = r[0].numel() / std::max<int64_t>(n, 1);
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    for (int64_t j = 1; j < k; ++j) {
      double a = r[0].dtype == DType::F64 ? r[0].as<double>()[i * k + j]
                                          : r[0].as<float>()[i * k + j];
      double bb = r[0].dtype == DType::F64 ? r[0].as<double>()[i * k + best]
                                           : r[0].as<float>()[i * k + best];
      if (a > bb)
        best = j;
    }
    std::cout << best << "\n";
  }
  return 0;
}

} // namespace

Tensor evaluationImages(const ProgramInfo &info, const TrainSettings &s,
                        int64_t count) {
  std::vector<double> mean, std_;
  if (!s.weights.empty())
    savedNormalization(info, readSafetensors(s.weights), s.weights, mean,
                       std_);
  Data data = prepareData(info, s, &mean, &std_);
  std::optional<Tensor> images = firstTestImages(info, data, s, count);
  if (!images)
    fail("the data set " + data.splits.description + " has no test images");
  return *images;
}

std::optional<ProgramCommand> programCommandNamed(const std::string &name) {
  if (name == "train")
    return ProgramCommand::Train;
  if (name == "eval")
    return ProgramCommand::Eval;
  if (name == "predict")
    return ProgramCommand::Predict;
  if (name == "summary")
    return ProgramCommand::Summary;
  return std::nullopt;
}

int runProgramCommand(Program &program, const std::string &commandName,
                      const std::vector<std::string> &args) {
  std::optional<ProgramCommand> command = programCommandNamed(commandName);
  if (!command)
    fail("unknown command '" + commandName +
         "'; the commands are train, eval, predict and summary");
  if (*command == ProgramCommand::Summary) {
    std::cout << program.info.summary;
    return 0;
  }
  CommandLine flags(args, {"--help", "-h"});
  if (flags.has("--help") || flags.has("-h")) {
    std::cout << kTrainFlagsHelp;
    return 0;
  }
  // Joins the other processes when mpirun started this one (Replicas.h).
  Replicas &replicas = Replicas::world();
  try {
    TrainSettings s =
        parseTrainSettings(program.info.train, args, program.info.model);
    switch (*command) {
    case ProgramCommand::Train:
      return trainCommand(program, s);
    case ProgramCommand::Eval:
      return evalCommand(program, s);
    case ProgramCommand::Predict:
      return predictCommand(program, s);
    case ProgramCommand::Summary:
      break;
    }
    return 0;
  } catch (const std::exception &e) {
    if (!replicas.distributed())
      throw;
    // The others may be waiting in a collective for this process: end them
    // all, after saying which process stopped and why.
    std::fprintf(stderr, "error (%s): %s\n", replicas.where().c_str(),
                 e.what());
    replicas.abortAll(1);
  }
}

} // namespace cscc::rt
