//===- Program.cpp - ProgramInfo to and from JSON -------------------------===//
#include "cscc/Runtime/Program.h"

#include <nlohmann/json.hpp>

#include <climits>
#include <malloc.h>

#include <stdexcept>

using json = nlohmann::json;

namespace cscc::rt {

void keepFreedMemoryForGeneratedCode() {
  // glibc serves blocks above M_MMAP_THRESHOLD with mmap (munmap on free)
  // and returns the heap's free top to the system (trimming), so each
  // training step page-faulted all its buffers in again: 34.6 million
  // minor faults and 87 s of system time in the README model's 3-epoch run
  // (bench/results/parallel-loops.md).
  static const bool done = [] {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    return true;
  }();
  (void)done;
}

static const char *const kRoleNames[] = {
    "input",     "labels",   "param", "state",    "opt_state",
    "hyper",     "logits",   "loss",  "new_state", "grad",
    "new_param", "new_opt_state", "other"};

const char *roleName(Role role) {
  return kRoleNames[static_cast<int>(role)];
}

static Role roleFromName(const std::string &name) {
  for (int i = 0; i <= static_cast<int>(Role::Other); ++i)
    if (name == kRoleNames[i])
      return static_cast<Role>(i);
  throw std::runtime_error("unknown tensor role '" + name + "'");
}

std::vector<int64_t> denseMemRefDescriptor(const BufferRef &b) {
  size_t rank = b.shape.size();
  std::vector<int64_t> d(3 + 2 * rank);
  d[0] = d[1] = reinterpret_cast<int64_t>(b.data);
  d[2] = 0;
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    d[3 + i] = b.shape[i];
    d[3 + rank + i] = stride;
    stride *= b.shape[i];
  }
  return d;
}

const FunctionInfo *ProgramInfo::find(const std::string &name) const {
  for (const FunctionInfo &f : functions)
    if (f.name == name)
      return &f;
  return nullptr;
}

static json tensorsToJson(const std::vector<TensorInfo> &ts) {
  json a = json::array();
  for (const TensorInfo &t : ts)
    a.push_back({{"name", t.name},
                 {"shape", t.shape},
                 {"init", t.init},
                 {"role", roleName(t.role)}});
  return a;
}

static std::vector<TensorInfo> tensorsFromJson(const json &a) {
  std::vector<TensorInfo> ts;
  for (const json &j : a) {
    TensorInfo t;
    t.name = j.at("name").get<std::string>();
    t.shape = j.at("shape").get<std::vector<int64_t>>();
    t.init = j.at("init").get<std::string>();
    t.role = roleFromName(j.at("role").get<std::string>());
    ts.push_back(std::move(t));
  }
  return ts;
}

std::string ProgramInfo::toJson() const {
  json j;
  j["model"] = model;
  j["f64"] = f64;
  j["input_shape"] = inputShape;
  j["classes"] = classes;
  j["optimizer"] = wordOf(kOptimizerWords, optimizer);
  j["nesterov"] = nesterov;
  j["step_lr_scale"] = stepLrScale;
  j["data_parallel"] = dataParallel;
  j["bn_sync"] = bnSync;
  j["allreduce_bucket_kb"] = allreduceBucketKb;
  j["summary"] = summary;
  j["train"] = train;
  json fs = json::array();
  for (const FunctionInfo &f : functions)
    fs.push_back({{"name", f.name},
                  {"args", tensorsToJson(f.args)},
                  {"results", tensorsToJson(f.results)}});
  j["functions"] = fs;
  json ds = json::array();
  for (const DictionaryInfo &d : dictionaries)
    ds.push_back(
        {{"name", d.name}, {"step", d.step}, {"function", d.function}});
  j["dictionaries"] = ds;
  json pcs = json::array();
  for (const PursuitCodes &c : pursuitCodes)
    pcs.push_back({{"name", c.name},
                   {"synthesis", c.synthesis},
                   {"step", c.step},
                   {"threshold", c.threshold},
                   {"threshold_channels", c.thresholdChannels},
                   {"signal_result", c.signalResult},
                   {"code_result", c.codeResult}});
  j["pursuit_codes"] = pcs;
  return j.dump();
}

ProgramInfo ProgramInfo::fromJson(const std::string &text) {
  try {
    json j = json::parse(text);
    ProgramInfo p;
    p.model = j.at("model").get<std::string>();
    p.f64 = j.at("f64").get<bool>();
    p.inputShape = j.at("input_shape").get<std::vector<int64_t>>();
    p.classes = j.at("classes").get<int64_t>();
    p.optimizer = optimizerKind(j.at("optimizer").get<std::string>());
    p.nesterov = j.at("nesterov").get<bool>();
    p.stepLrScale = j.at("step_lr_scale").get<double>();
    p.dataParallel = j.value("data_parallel", false);
    p.bnSync = j.value("bn_sync", false);
    p.allreduceBucketKb = j.value("allreduce_bucket_kb", int64_t(0));
    p.summary = j.at("summary").get<std::string>();
    p.train = j.at("train").get<std::map<std::string, std::string>>();
    for (const json &f : j.at("functions")) {
      FunctionInfo fi;
      fi.name = f.at("name").get<std::string>();
      fi.args = tensorsFromJson(f.at("args"));
      fi.results = tensorsFromJson(f.at("results"));
      p.functions.push_back(std::move(fi));
    }
    for (const json &d : j.at("dictionaries")) {
      DictionaryInfo di;
      di.name = d.at("name").get<std::string>();
      di.step = d.at("step").get<std::string>();
      di.function = d.at("function").get<std::string>();
      if (!p.find(di.function))
        throw std::runtime_error("the program description names a "
                                 "function '" + di.function +
                                 "' it does not describe (rebuild the "
                                 "executable with this cscc)");
      p.dictionaries.push_back(std::move(di));
    }
    for (const json &c : j.at("pursuit_codes")) {
      PursuitCodes pc;
      pc.name = c.at("name").get<std::string>();
      pc.synthesis = c.at("synthesis").get<std::string>();
      pc.step = c.at("step").get<std::string>();
      pc.threshold = c.at("threshold").get<std::string>();
      pc.thresholdChannels =
          c.at("threshold_channels").get<std::vector<int64_t>>();
      pc.signalResult = c.at("signal_result").get<unsigned>();
      pc.codeResult = c.at("code_result").get<unsigned>();
      if (!p.find(pc.synthesis) || !p.find("pursuit_codes"))
        throw std::runtime_error("the program description names a "
                                 "function '" + pc.synthesis +
                                 "' it does not describe (rebuild the "
                                 "executable with this cscc)");
      p.pursuitCodes.push_back(std::move(pc));
    }
    return p;
  } catch (const json::exception &e) {
    throw std::runtime_error(std::string("the program description is not "
                                         "valid (rebuild the executable "
                                         "with this cscc): ") +
                             e.what());
  }
}

} // namespace cscc::rt
