//===- Checkpoint.cpp - training checkpoints (weights + training state) ---===//
//
// The protocol (staging names, the .prev backup, the order of the renames)
// is described in Checkpoint.h.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Checkpoint.h"

#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <random>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace cscc::rt {

namespace {

constexpr const char *kVersion = "1";
constexpr const char *kStaged = ".staged";
constexpr const char *kPrev = ".prev";

std::function<void(const std::string &)> &testHook() {
  static std::function<void(const std::string &)> hook;
  return hook;
}

void hookPoint(const char *point) {
  if (testHook())
    testHook()(point);
}

std::string errnoText(int e) { return std::strerror(e); }

std::string joinPath(const std::string &dir, const std::string &name) {
  if (dir.empty())
    return name;
  if (dir.back() == '/')
    return dir + name;
  return dir + "/" + name;
}

bool isRegular(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool lexists(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

/// Names in `dir` (no "." or ".."), sorted; empty when unreadable.
std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return names;
  while (struct dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..")
      names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool startsWith(const std::string &s, const std::string &prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool validTag(const std::string &tag) {
  if (tag.empty())
    return false;
  for (char ch : tag)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' ||
          ch == '_'))
      return false;
  return true;
}

void checkTag(const std::string &tag, const char *what) {
  if (!validTag(tag))
    throw std::runtime_error(std::string(what) + " checkpoint: invalid tag '" +
                             tag +
                             "'; a tag is letters, digits, '-' and '_' "
                             "(e.g. 'last', 'best', 'epoch-3')");
}

/// mkdir -p; throws with the failing component.
void makeDirectories(const std::string &dir, const std::string &context) {
  if (dir.empty())
    return;
  size_t at = 0;
  for (;;) {
    at = dir.find('/', at + 1);
    std::string part = dir.substr(0, at);
    if (!part.empty() && part != "/") {
      if (::mkdir(part.c_str(), 0777) != 0) {
        int e = errno;
        struct stat st;
        if (e == EEXIST && ::stat(part.c_str(), &st) == 0) {
          if (!S_ISDIR(st.st_mode))
            throw std::runtime_error(context + "'" + part +
                                     "' exists and is not a directory; "
                                     "remove it or choose another directory");
        } else {
          throw std::runtime_error(context + "cannot create directory '" +
                                   part + "': " + errnoText(e));
        }
      }
    }
    if (at == std::string::npos)
      break;
  }
}

void fsyncDirectory(const std::string &dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

/// Only the metadata of a safetensors file, reading just its header;
/// nullopt for anything unreadable or malformed (callers that need the
/// reason read the whole file with readSafetensors).
std::optional<std::map<std::string, std::string>>
peekMetadata(const std::string &path) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return std::nullopt;
  uint8_t len[8];
  std::optional<std::map<std::string, std::string>> out;
  if (std::fread(len, 1, 8, f) == 8) {
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i)
      n |= static_cast<uint64_t>(len[i]) << (8 * i);
    if (n <= 100'000'000) {
      std::string header(n, '\0');
      if (std::fread(header.data(), 1, n, f) == n) {
        try {
          auto h = nlohmann::json::parse(header);
          std::map<std::string, std::string> meta;
          if (h.is_object() && h.contains("__metadata__"))
            for (auto &[k, v] : h["__metadata__"].items())
              if (v.is_string())
                meta[k] = v.get<std::string>();
          out = std::move(meta);
        } catch (const std::exception &) {
        }
      }
    }
  }
  std::fclose(f);
  return out;
}

/// The identity of a file of a pair: its step and save id.
struct PairKey {
  std::string step, id;
  bool operator==(const PairKey &o) const {
    return step == o.step && id == o.id;
  }
  bool operator!=(const PairKey &o) const { return !(*this == o); }
};

std::optional<PairKey> peekKey(const std::string &path) {
  auto m = peekMetadata(path);
  if (!m || !m->count("cscc.step") || !m->count("cscc.save_id"))
    return std::nullopt;
  return PairKey{m->at("cscc.step"), m->at("cscc.save_id")};
}

std::string newSaveId() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

std::string formatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// "checkpoints in 'DIR': a, b" / "'DIR' has no checkpoints (files: ...)".
std::string describeDirectory(const std::string &dir,
                              const std::string &exceptTag) {
  std::vector<std::string> tags = listCheckpoints(dir);
  tags.erase(std::remove(tags.begin(), tags.end(), exceptTag), tags.end());
  auto join = [](const std::vector<std::string> &v) {
    std::string s;
    for (const auto &x : v)
      s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!tags.empty())
    return "other checkpoints in '" + dir + "': " + join(tags);
  std::vector<std::string> files = listDir(dir);
  if (files.empty())
    return "'" + dir + "' is empty";
  if (files.size() > 20) {
    size_t more = files.size() - 20;
    files.resize(20);
    files.push_back("... (" + std::to_string(more) + " more)");
  }
  return "'" + dir + "' has no other checkpoint (its files: " + join(files) +
         ")";
}

/// For a checkpoint that exists but cannot be used: where else to go.
std::string otherCheckpoints(const std::string &dir, const std::string &tag) {
  std::vector<std::string> tags = listCheckpoints(dir);
  tags.erase(std::remove(tags.begin(), tags.end(), tag), tags.end());
  if (tags.empty())
    return "'" + dir + "' has no other checkpoint to resume from";
  std::string s;
  for (const auto &t : tags)
    s += (s.empty() ? "" : ", ") + t;
  return "other checkpoints in '" + dir + "': " + s;
}

// Metadata accessors for loading: errors name the file and the key.
const std::string &requireKey(const std::map<std::string, std::string> &meta,
                              const std::string &key, const std::string &file,
                              const std::string &context) {
  auto it = meta.find(key);
  if (it == meta.end())
    throw std::runtime_error(
        context + "'" + file + "' has no metadata '" + key +
        "', which cscc writes into every checkpoint file; it was not "
        "written by cscc's checkpoint writer (a weights file alone, e.g. "
        "from 'cscc init' or PyTorch, cannot resume training)");
  return it->second;
}

[[noreturn]] void badValue(const std::string &key, const std::string &value,
                           const std::string &file, const char *want,
                           const std::string &context) {
  throw std::runtime_error(context + "'" + file + "': metadata '" + key +
                           "' is '" + value + "', not " + want +
                           "; the file is corrupt");
}

int64_t metaInt(const std::map<std::string, std::string> &meta,
                const std::string &key, const std::string &file,
                const std::string &context) {
  const std::string &v = requireKey(meta, key, file, context);
  char *end = nullptr;
  errno = 0;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end || errno)
    badValue(key, v, file, "an integer", context);
  return x;
}

uint64_t metaUnsigned(const std::map<std::string, std::string> &meta,
                      const std::string &key, const std::string &file,
                      const std::string &context) {
  const std::string &v = requireKey(meta, key, file, context);
  char *end = nullptr;
  errno = 0;
  unsigned long long x = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || v[0] == '-' || *end || errno)
    badValue(key, v, file, "a non-negative integer", context);
  return x;
}

double metaDouble(const std::map<std::string, std::string> &meta,
                  const std::string &key, const std::string &file,
                  const std::string &context) {
  const std::string &v = requireKey(meta, key, file, context);
  char *end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end)
    badValue(key, v, file, "a number", context);
  return x;
}

void checkVersion(const std::map<std::string, std::string> &meta,
                  const std::string &file, const std::string &context) {
  const std::string &v = requireKey(meta, "cscc.version", file, context);
  if (v != kVersion)
    throw std::runtime_error(context + "'" + file +
                             "' is checkpoint format version '" + v +
                             "', this cscc reads version " + kVersion +
                             "; load it with the cscc that wrote it");
}

/// Undoes a crash between the two renames of a save: the new training
/// file beside the old weights, whose own training file is in .prev.
void repairInterruptedSave(const std::string &w, const std::string &t,
                           const std::string &prev) {
  if (!isRegular(w) || !isRegular(t) || !isRegular(prev))
    return;
  auto kw = peekKey(w), kt = peekKey(t), kp = peekKey(prev);
  if (kw && kt && kp && *kw != *kt && *kw == *kp)
    ::rename(prev.c_str(), t.c_str());
}

} // namespace

std::string checkpointWeightsPath(const std::string &dir,
                                  const std::string &tag) {
  return joinPath(dir, tag + ".safetensors");
}

std::string checkpointTrainPath(const std::string &dir,
                                const std::string &tag) {
  return joinPath(dir, tag + ".train.safetensors");
}

void setCheckpointTestHook(
    std::function<void(const std::string &point)> hook) {
  testHook() = std::move(hook);
}

bool checkpointExists(const std::string &dir, const std::string &tag) {
  return validTag(tag) && isRegular(checkpointWeightsPath(dir, tag)) &&
         isRegular(checkpointTrainPath(dir, tag));
}

std::vector<std::string> listCheckpoints(const std::string &dir) {
  std::vector<std::string> tags;
  const std::string suffix = ".train.safetensors";
  for (const std::string &name : listDir(dir)) {
    if (!endsWith(name, suffix))
      continue;
    std::string tag = name.substr(0, name.size() - suffix.size());
    if (checkpointExists(dir, tag))
      tags.push_back(tag);
  }
  return tags;
}

void saveCheckpoint(const std::string &dir, const std::string &tag,
                    const Checkpoint &c) {
  checkTag(tag, "cannot save");
  const std::string context =
      "cannot save checkpoint '" + tag + "' in '" + dir + "': ";
  makeDirectories(dir, context);

  const std::string w = checkpointWeightsPath(dir, tag);
  const std::string t = checkpointTrainPath(dir, tag);
  const std::string ws = w + kStaged, ts = t + kStaged, prev = t + kPrev;

  // 1. Repair a pair torn by a crash, then remove stale files of this tag.
  repairInterruptedSave(w, t, prev);
  for (const std::string &name : listDir(dir)) {
    std::string path = joinPath(dir, name);
    bool stale = startsWith(name, tag + ".safetensors.tmp") ||
                 startsWith(name, tag + ".train.safetensors.tmp") ||
                 startsWith(path, ws) || startsWith(path, ts) ||
                 path == prev;
    if (stale && isRegular(path))
      ::unlink(path.c_str());
  }
  for (const std::string &p : {w, t}) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      throw std::runtime_error(
          context + "'" + p + "' is in the way: it is " +
          (S_ISDIR(st.st_mode) ? "a directory" : "not a regular file") +
          ", not a checkpoint file; remove it or save elsewhere");
  }

  // What a failed save leaves: the previous checkpoint, or none (a run's
  // first save).
  const bool hadPrevious = isRegular(w) || isRegular(t);
  const std::string unchanged =
      hadPrevious ? "; the previous checkpoint is unchanged"
                  : "; no checkpoint '" + tag + "' was written (there was "
                    "none before this save)";

  // 2. Both files under staging names.
  std::string id = newSaveId();
  std::map<std::string, std::string> common = {
      {"cscc.version", kVersion},
      {"cscc.step", std::to_string(c.state.step)},
      {"cscc.epoch", std::to_string(c.state.epoch)},
      {"cscc.save_id", id}};
  std::map<std::string, std::string> wmeta = common, tmeta = common;
  wmeta["format"] = "pt";
  tmeta["format"] = "cscc-train";
  tmeta["cscc.seed"] = std::to_string(c.state.seed);
  tmeta["cscc.rng_state"] = c.state.rngState;
  tmeta["cscc.best_accuracy"] = formatDouble(c.state.bestAccuracy);
  tmeta["cscc.best_epoch"] = std::to_string(c.state.bestEpoch);
  for (const auto &[k, v] : c.state.extra) {
    wmeta["extra." + k] = v;
    tmeta["extra." + k] = v;
  }
  try {
    writeSafetensors(ts, c.optimizer, tmeta);
    writeSafetensors(ws, c.weights, wmeta);
  } catch (const std::exception &e) {
    ::unlink(ts.c_str());
    ::unlink(ws.c_str());
    throw std::runtime_error(context + e.what() + unchanged);
  }
  hookPoint("staged");

  // 3. Keep the old training file until the weights are replaced.
  bool backedUp = false;
  if (isRegular(t))
    backedUp = ::link(t.c_str(), prev.c_str()) == 0;

  // 4. The training file first, the weights last.
  if (::rename(ts.c_str(), t.c_str()) != 0) {
    int e = errno;
    ::unlink(ts.c_str());
    ::unlink(ws.c_str());
    if (backedUp)
      ::unlink(prev.c_str());
    throw std::runtime_error(context + "cannot rename '" + ts + "' to '" + t +
                             "': " + errnoText(e) + unchanged);
  }
  hookPoint("between");
  if (::rename(ws.c_str(), w.c_str()) != 0) {
    int e = errno;
    ::unlink(ws.c_str());
    bool restored = backedUp ? ::rename(prev.c_str(), t.c_str()) == 0
                             : ::unlink(t.c_str()) == 0;
    throw std::runtime_error(
        context + "cannot rename '" + ws + "' to '" + w + "': " +
        errnoText(e) +
        (restored ? unchanged
                  : "; the checkpoint is now incomplete, save it again"));
  }
  fsyncDirectory(dir);
  hookPoint("renamed");

  // 5.
  if (backedUp)
    ::unlink(prev.c_str());
}

Checkpoint loadCheckpoint(const std::string &dir, const std::string &tag) {
  checkTag(tag, "cannot load");
  const std::string context =
      "cannot load checkpoint '" + tag + "' from '" + dir + "': ";
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    int e = errno;
    throw std::runtime_error(
        context + "the directory " +
        (e == ENOENT ? std::string("does not exist")
                     : "cannot be read: " + errnoText(e)) +
        "; check the path");
  }
  if (!S_ISDIR(st.st_mode))
    throw std::runtime_error(context + "'" + dir +
                             "' is not a directory; give the directory "
                             "that holds the checkpoint files");

  const std::string w = checkpointWeightsPath(dir, tag);
  const std::string t = checkpointTrainPath(dir, tag);
  const std::string prev = t + kPrev;
  if (!lexists(w))
    throw std::runtime_error(context + "'" + w + "' does not exist; " +
                             describeDirectory(dir, tag));
  if (!lexists(t))
    throw std::runtime_error(
        context + "'" + t + "' does not exist, only the weights '" + w +
        "': without the training state (optimiser, epoch, random state) "
        "training cannot resume from it, the weights alone can only be "
        "evaluated or used as initial weights; " +
        otherCheckpoints(dir, tag));

  auto read = [&](const std::string &path) {
    try {
      return readSafetensors(path);
    } catch (const std::exception &e) {
      throw std::runtime_error(context + e.what() + "; " +
                               otherCheckpoints(dir, tag));
    }
  };
  TensorFile wf = read(w);
  checkVersion(wf.metadata, w, context);
  PairKey kw{std::to_string(metaInt(wf.metadata, "cscc.step", w, context)),
             requireKey(wf.metadata, "cscc.save_id", w, context)};

  TensorFile tf = read(t);
  checkVersion(tf.metadata, t, context);
  PairKey kt{std::to_string(metaInt(tf.metadata, "cscc.step", t, context)),
             requireKey(tf.metadata, "cscc.save_id", t, context)};

  Checkpoint c;
  std::string trainFile = t;
  if (kw != kt) {
    // A crash between the renames of a save: the old weights' training file
    // is the .prev backup.
    std::optional<PairKey> kp = isRegular(prev) ? peekKey(prev) : std::nullopt;
    if (kp && *kp == kw) {
      tf = read(prev);
      trainFile = prev;
      c.recovered = "checkpoint '" + tag + "' in '" + dir +
                    "': a save of step " + kt.step +
                    " was interrupted between writing its two files; loaded "
                    "the previous checkpoint (step " + kw.step + ")";
    } else {
      std::string what =
          kw.step != kt.step
              ? "'" + w + "' is from step " + kw.step + " but '" + t +
                    "' is from step " + kt.step
              : "'" + w + "' and '" + t + "' are both from step " + kw.step +
                    " but from different saves (save ids " + kw.id + " and " +
                    kt.id + ")";
      throw std::runtime_error(
          context + "the pair is torn: " + what +
          "; the two files must come from the same save (a file copied from "
          "another run, or a crash while saving): restore the matching file "
          "or resume from another checkpoint; " +
          otherCheckpoints(dir, tag));
    }
  }

  TrainState &s = c.state;
  const auto &m = tf.metadata;
  checkVersion(m, trainFile, context);
  s.step = metaInt(m, "cscc.step", trainFile, context);
  s.epoch = metaInt(m, "cscc.epoch", trainFile, context);
  s.seed = metaUnsigned(m, "cscc.seed", trainFile, context);
  s.rngState = requireKey(m, "cscc.rng_state", trainFile, context);
  if (!s.rngState.empty()) {
    try {
      Rng probe;
      probe.setState(s.rngState);
    } catch (const std::exception &) {
      throw std::runtime_error(context + "'" + trainFile +
                               "': metadata 'cscc.rng_state' is not a random "
                               "generator state (Rng::state()); the file is "
                               "corrupt");
    }
  }
  s.bestAccuracy = metaDouble(m, "cscc.best_accuracy", trainFile, context);
  s.bestEpoch = metaInt(m, "cscc.best_epoch", trainFile, context);
  // The training state must agree with itself: every finished epoch took at
  // least one step, and the best accuracy is an accuracy of a finished
  // epoch (or -1 with best epoch -1 before the first epoch ends).
  auto inconsistent = [&](const std::string &what) {
    throw std::runtime_error(context + "'" + trainFile + "': " + what +
                             "; the metadata is corrupt or was edited: "
                             "restore the file or resume from another "
                             "checkpoint; " + otherCheckpoints(dir, tag));
  };
  if (s.step < 0 || s.epoch < 0)
    inconsistent("metadata 'cscc.step' (" + std::to_string(s.step) +
                 ") and 'cscc.epoch' (" + std::to_string(s.epoch) +
                 ") must not be negative");
  if (s.epoch > s.step)
    inconsistent("metadata 'cscc.epoch' is " + std::to_string(s.epoch) +
                 " but 'cscc.step' is " + std::to_string(s.step) +
                 ", and every epoch takes at least one step");
  bool noBest = s.bestAccuracy == -1 && s.bestEpoch == -1;
  if (!noBest && !(s.bestAccuracy >= 0 && s.bestAccuracy <= 1))
    inconsistent("metadata 'cscc.best_accuracy' is " +
                 requireKey(m, "cscc.best_accuracy", trainFile, context) +
                 ", not an accuracy in [0, 1]");
  if (!noBest && !(s.bestEpoch >= 1 && s.bestEpoch <= s.epoch))
    inconsistent("metadata 'cscc.best_epoch' is " +
                 std::to_string(s.bestEpoch) + ", not a finished epoch (1 to " +
                 std::to_string(s.epoch) + ")");
  for (const auto &[k, v] : m)
    if (startsWith(k, "extra."))
      s.extra[k.substr(6)] = v;
  c.weights = std::move(wf.tensors);
  c.optimizer = std::move(tf.tensors);
  return c;
}

} // namespace cscc::rt
