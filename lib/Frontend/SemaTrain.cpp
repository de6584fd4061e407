//===- SemaTrain.cpp - The train section ----------------------------------===//
//
// The train section's settings, checked and kept close to the source form
// (Model.h's TrainConfig); data set, optimizer, schedule and augmentations
// are kinds (Kinds.h).
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

#include <algorithm>
#include <cmath>

namespace cscc {
namespace sema {

void Elaborator::runTrain(const TrainDecl &t) {
  static const std::vector<std::string> keys = {
      "data",   "optimizer", "schedule",  "warmup",     "epochs",
      "batch",  "augment",   "normalize", "validation", "seed",
      "analyze_codes", "step_init", "bn_sync", "allreduce_bucket_kb"};
  TrainConfig &c = model.train;
  std::map<std::string, Location> seen;
  auto numArgs = [&](const Expr &call, const std::string &name,
                     const std::vector<std::string> &names, size_t required,
                     std::map<std::string, double> &out) {
    auto a = bindArgs(call, name, names, required);
    for (const auto &[k, v] : a) {
      if (v->kind == Expr::Kind::List && k == "milestones")
        continue; // read by the schedule itself
      out[k] = evalReal(*v);
    }
    return a;
  };
  for (const auto &s : t.settings) {
    if (std::find(keys.begin(), keys.end(), s.key) == keys.end())
      throw CompileError(s.loc, "unknown train setting '" + s.key + "'" +
                                    didYouMean(s.key, keys),
                         "settings are " + joinWords(keys));
    if (seen.count(s.key)) {
      CompileError err(s.loc, "train setting '" + s.key + "' is set twice");
      err.notes.push_back({seen[s.key], "first set here"});
      throw err;
    }
    seen[s.key] = s.loc;
    const Expr &v = *s.value;
    const std::string head =
        v.kind == Expr::Kind::Name || v.kind == Expr::Kind::Call ? v.text : "";
    if (s.key == "data") {
      std::optional<DataSet> set = parseKind<DataSet>(head);
      if (!set)
        throw CompileError(v.loc, "unknown data set '" + exprToString(v) + "'" +
                                      didYouMean(head, kindWords<DataSet>()),
                           "data sets are " + joinWords(kindWords<DataSet>()));
      c.data = *set;
      // A data set read from files: its directory, needed unless the
      // runtime has a built-in location for it.
      auto readDirectory = [&](bool builtIn) {
        if (v.kind == Expr::Kind::Call) {
          auto a = bindArgs(v, head, {"dir"}, 1);
          if (a["dir"]->kind != Expr::Kind::String)
            throw CompileError(a["dir"]->loc, "the data directory is a string",
                               "write " + head + "(\"/path/to/data\")");
          c.dataPath = a["dir"]->text;
        } else if (!builtIn) {
          throw CompileError(v.loc, "data set '" + head + "' needs a directory",
                             "write " + head + "(\"/path/to/data\"); only "
                             "fashion_mnist has a built-in location");
        }
      };
      switch (*set) {
      case DataSet::Simulated:
        if (v.kind == Expr::Kind::Call)
          numArgs(v, head, {"seed", "classes", "dim", "train", "test", "noise"},
                  0, c.dataArgs);
        break;
      case DataSet::FashionMnist:
        readDirectory(true);
        break;
      case DataSet::Mnist:
      case DataSet::Cifar10:
      case DataSet::Cifar100:
      case DataSet::Svhn:
        readDirectory(false);
        break;
      }
    } else if (s.key == "optimizer") {
      std::optional<Optimizer> opt = parseKind<Optimizer>(head);
      if (!opt)
        throw CompileError(v.loc, "unknown optimizer '" + exprToString(v) +
                                      "'" +
                                      didYouMean(head, kindWords<Optimizer>()),
                           "optimizers are " +
                               joinWords(kindWords<Optimizer>(), "and"));
      c.optimizer = *opt;
      c.optimizerArgs.clear();
      c.optimizerArgLocs.clear();
      if (v.kind == Expr::Kind::Call) {
        switch (*opt) {
        case Optimizer::Sgd:
          numArgs(v, head,
                  {"lr", "momentum", "nesterov", "weight_decay",
                   "step_lr_scale"},
                  0, c.optimizerArgs);
          break;
        case Optimizer::Adam:
          numArgs(v, head,
                  {"lr", "beta1", "beta2", "eps", "weight_decay",
                   "step_lr_scale"},
                  0, c.optimizerArgs);
          break;
        }
      }
      for (const auto &[k, val] : c.optimizerArgs) {
        bool ok = (k == "lr" || k == "step_lr_scale") ? val > 0
                  : (k == "momentum" || k == "beta1" || k == "beta2")
                      ? (val >= 0 && val < 1)
                  : k == "eps" ? val > 0
                               : val >= 0;
        if (!ok || !std::isfinite(val)) {
          Location at = v.loc;
          for (const auto &arg : v.args)
            if (arg.name == k)
              at = arg.value->loc;
          std::ostringstream shown;
          shown << val;
          std::string help =
              k == "lr"    ? "the learning rate must be positive"
              : k == "step_lr_scale"
                  ? "the steps' rate factor must be positive (1: the "
                    "common rate)"
              : k == "eps" ? "eps must be positive"
              : (k == "momentum" || k == "beta1" || k == "beta2")
                  ? k + " lies in [0, 1)"
                  : k + " must be >= 0";
          throw CompileError(at, "invalid " + k + " = " + shown.str() +
                                     " for " + head,
                             help);
        }
      }
      for (const auto &arg : v.args)
        if (c.optimizerArgs.count(arg.name))
          c.optimizerArgLocs[arg.name] = arg.value->loc;
      // Nesterov's update acts on the momentum buffer (PyTorch refuses it
      // without momentum too); a written sgd(...) has momentum 0 unless it
      // says otherwise.
      switch (*opt) {
      case Optimizer::Sgd:
        if (c.optimizerArgs.count("nesterov") &&
            c.optimizerArgs.at("nesterov") != 0 &&
            (!c.optimizerArgs.count("momentum") ||
             c.optimizerArgs.at("momentum") == 0))
          throw CompileError(
              c.optimizerArgLocs.at("nesterov"),
              "nesterov = true needs a momentum > 0, but momentum is " +
                  std::string(c.optimizerArgs.count("momentum")
                                  ? "0"
                                  : "not given (0 in a written sgd(...))"),
              "Nesterov's update acts on the momentum buffer: add momentum "
              "= 0.9, or remove nesterov");
        break;
      case Optimizer::Adam:
        break;
      }
    } else if (s.key == "schedule") {
      std::optional<Schedule> sched = parseKind<Schedule>(head);
      if (!sched)
        throw CompileError(v.loc, "unknown schedule '" + exprToString(v) + "'" +
                                      didYouMean(head, kindWords<Schedule>()),
                           "schedules are " +
                               joinWords(kindWords<Schedule>()));
      c.schedule = *sched;
      switch (*sched) {
      case Schedule::Multistep: {
        if (v.kind != Expr::Kind::Call)
          throw CompileError(v.loc, "multistep needs its milestones",
                             "write multistep(milestones = [100, 150], gamma "
                             "= 0.1)");
        auto a = numArgs(v, head, {"milestones", "gamma"}, 1, c.scheduleArgs);
        const Expr &m = *a["milestones"];
        if (m.kind != Expr::Kind::List)
          throw CompileError(m.loc, "milestones are a list of epochs",
                             "write milestones = [100, 150]");
        int64_t prev = 0;
        for (const auto &el : m.elems) {
          int64_t ep = evalIntAtLeast(*el, "a milestone", 1);
          if (ep <= prev)
            throw CompileError(el->loc, "milestones must increase");
          prev = ep;
          c.milestones.push_back(ep);
        }
        break;
      }
      case Schedule::Constant:
      case Schedule::Cosine:
        if (v.kind == Expr::Kind::Call)
          numArgs(v, head, {"min_lr"}, 0, c.scheduleArgs);
        break;
      }
    } else if (s.key == "warmup") {
      c.warmup = evalIntAtLeast(v, "warmup", 0);
    } else if (s.key == "epochs") {
      c.epochs = evalIntAtLeast(v, "epochs", 1);
    } else if (s.key == "batch") {
      c.batch = evalIntAtLeast(v, "batch", 1);
    } else if (s.key == "seed") {
      c.seed = evalInt(v, "seed");
    } else if (s.key == "step_init") {
      c.stepInit = evalKind<StepInit>(v, "step_init");
    } else if (s.key == "analyze_codes") {
      c.analyzeCodes = evalBool(v, "analyze_codes");
    } else if (s.key == "bn_sync") {
      c.bnSync = evalBool(v, "bn_sync");
    } else if (s.key == "allreduce_bucket_kb") {
      c.allreduceBucketKb = evalIntAtLeast(v, "allreduce_bucket_kb", 0);
    } else if (s.key == "normalize") {
      c.normalize = evalBool(v, "normalize");
    } else if (s.key == "validation") {
      c.validation = evalReal(v);
      if (!(c.validation >= 0 && c.validation < 1))
        throw CompileError(v.loc, "validation is a fraction in [0, 1)");
    } else if (s.key == "augment") {
      if (v.kind != Expr::Kind::List)
        throw CompileError(v.loc, "augment is a list", "write augment = "
                                                       "[crop(4), flip]");
      for (const auto &el : v.elems) {
        std::string h = el->kind == Expr::Kind::Name || el->kind == Expr::Kind::Call
                            ? el->text
                            : "";
        std::optional<Augment> aug = parseKind<Augment>(h);
        if (!aug)
          throw CompileError(el->loc, "unknown augmentation '" +
                                          exprToString(*el) + "'" +
                                          didYouMean(h, kindWords<Augment>()),
                             "augmentations are crop(padding) and flip");
        bool call = el->kind == Expr::Kind::Call;
        switch (*aug) {
        case Augment::Crop: {
          if (!call)
            throw CompileError(el->loc, "'crop' needs its padding",
                               "write crop(4) for a random crop after "
                               "padding by 4 pixels");
          auto a = bindArgs(*el, "crop", {"padding"}, 1);
          c.augment.push_back(
              {*aug, evalIntAtLeast(*a["padding"], "crop padding", 0)});
          break;
        }
        case Augment::Flip:
          if (call)
            throw CompileError(el->loc, "'flip' takes no arguments",
                               "write flip");
          c.augment.push_back({*aug, 0});
          break;
        }
      }
    }
  }
}

} // namespace sema
} // namespace cscc
