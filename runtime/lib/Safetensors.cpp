//===- Safetensors.cpp - read and write .safetensors files ----------------===//
#include "cscc/Runtime/Safetensors.h"

#include "cscc/Runtime/FileIO.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace cscc::rt {

namespace {

using json = nlohmann::json;

// The reference implementation's limit on the header.
constexpr uint64_t kMaxHeader = 100'000'000;

[[noreturn]] void fail(const std::string &file, const std::string &what) {
  throw std::runtime_error("safetensors file '" + file + "': " + what);
}

const char *kRewrite =
    "the file is corrupt or was not written by a safetensors writer";

std::string offsetsText(uint64_t b, uint64_t e) {
  return "[" + std::to_string(b) + ", " + std::to_string(e) + "]";
}

// The order of the tensors' data: element size, largest first, then name
// (the reference implementation's order), so that with the data section
// starting 8-byte aligned every tensor is aligned to its element size.
std::vector<const std::pair<const std::string, Tensor> *>
dataOrder(const TensorFile &file) {
  std::vector<const std::pair<const std::string, Tensor> *> order;
  for (const auto &kv : file.tensors)
    order.push_back(&kv);
  std::stable_sort(order.begin(), order.end(), [](auto *a, auto *b) {
    return dtypeSize(a->second.dtype) > dtypeSize(b->second.dtype);
  });
  return order;
}

// Builds the padded header for `file`, the data back to back in dataOrder.
std::string buildHeader(const TensorFile &file) {
  json h = json::object();
  uint64_t offset = 0;
  for (const auto *kv : dataOrder(file)) {
    const std::string &name = kv->first;
    const Tensor &t = kv->second;
    if (name == "__metadata__")
      throw std::invalid_argument(
          "safetensors: a tensor cannot be named '__metadata__'");
    uint64_t expect = static_cast<uint64_t>(t.numel()) * dtypeSize(t.dtype);
    if (t.data.size() != expect)
      throw std::invalid_argument(
          "safetensors: tensor '" + name + "' has " +
          std::to_string(t.data.size()) + " bytes but " + dtypeName(t.dtype) +
          " " + shapeString(t.shape) + " needs " + std::to_string(expect));
    json entry = json::object();
    entry["dtype"] = dtypeName(t.dtype);
    entry["shape"] = t.shape;
    entry["data_offsets"] = {offset, offset + expect};
    h[name] = std::move(entry);
    offset += expect;
  }
  if (!file.metadata.empty())
    h["__metadata__"] = file.metadata;
  std::string text = h.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

std::array<uint8_t, 8> lengthBytes(uint64_t n) {
  std::array<uint8_t, 8> b;
  for (int i = 0; i < 8; ++i)
    b[i] = static_cast<uint8_t>(n >> (8 * i));
  return b;
}

uint64_t jsonUnsigned(const json &v, const std::string &file,
                      const std::string &what) {
  if (!v.is_number_unsigned())
    fail(file, what + " must be a non-negative integer, not " + v.dump() +
                   "; " + kRewrite);
  return v.get<uint64_t>();
}

} // namespace

const Tensor *TensorFile::find(const std::string &name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

const Tensor &TensorFile::get(const std::string &name) const {
  if (const Tensor *t = find(name))
    return *t;
  std::string names;
  for (const auto &kv : tensors)
    names += (names.empty() ? "" : ", ") + kv.first;
  throw std::runtime_error("no tensor named '" + name + "' (the file has: " +
                           (names.empty() ? "none" : names) + ")");
}

std::vector<uint8_t> serializeSafetensors(const TensorFile &file) {
  std::string header = buildHeader(file);
  auto len = lengthBytes(header.size());
  size_t total = len.size() + header.size();
  auto order = dataOrder(file);
  for (const auto *kv : order)
    total += kv->second.data.size();
  std::vector<uint8_t> out(total);
  uint8_t *at = out.data();
  std::memcpy(at, len.data(), len.size());
  at += len.size();
  std::memcpy(at, header.data(), header.size());
  at += header.size();
  for (const auto *kv : order) {
    if (!kv->second.data.empty())
      std::memcpy(at, kv->second.data.data(), kv->second.data.size());
    at += kv->second.data.size();
  }
  return out;
}

void writeSafetensors(const std::string &path, const TensorFile &file) {
  std::string header;
  try {
    header = buildHeader(file);
  } catch (const std::invalid_argument &e) {
    throw std::runtime_error("cannot write '" + path + "': " + e.what());
  }
  auto len = lengthBytes(header.size());
  std::vector<ByteChunk> chunks = {{len.data(), len.size()},
                                   {header.data(), header.size()}};
  for (const auto *kv : dataOrder(file))
    chunks.push_back({kv->second.data.data(), kv->second.data.size()});
  writeFileAtomic(path, chunks);
}

void writeSafetensors(const std::string &path,
                      const std::map<std::string, Tensor> &tensors,
                      const std::map<std::string, std::string> &metadata) {
  TensorFile f;
  f.tensors = tensors;
  f.metadata = metadata;
  writeSafetensors(path, f);
}

TensorFile parseSafetensors(const std::vector<uint8_t> &bytes,
                            const std::string &file) {
  if (bytes.size() < 8)
    fail(file, "the file is " + std::to_string(bytes.size()) +
                   " bytes, shorter than the 8-byte header length that "
                   "starts a safetensors file; it is truncated or not a "
                   "safetensors file");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  uint64_t rest = bytes.size() - 8;
  if (n > rest)
    fail(file, "the header length is " + std::to_string(n) +
                   " bytes but only " + std::to_string(rest) +
                   " bytes follow it; the file is truncated or not a "
                   "safetensors file");
  if (n > kMaxHeader)
    fail(file, "the header length is " + std::to_string(n) +
                   " bytes, more than the format's limit of 100 MB; the "
                   "file is corrupt or not a safetensors file");
  if (n < 2 || bytes[8] != '{')
    fail(file, "the header does not start with '{' (a JSON object); the "
               "file is corrupt or not a safetensors file");
  json h;
  try {
    h = json::parse(bytes.begin() + 8, bytes.begin() + 8 + n);
  } catch (const json::exception &e) {
    fail(file, std::string("the header is not valid JSON (") + e.what() +
                   "); the file is corrupt or not a safetensors file");
  }
  if (!h.is_object())
    fail(file, "the header is not a JSON object; the file is corrupt or not "
               "a safetensors file");

  TensorFile out;
  const uint8_t *data = bytes.data() + 8 + n;
  uint64_t dataSize = rest - n;
  struct Span {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const std::string &name = it.key();
    const json &v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object())
        fail(file, "__metadata__ must be a JSON object of strings; " +
                       std::string(kRewrite));
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          fail(file, "__metadata__ entry '" + m.key() +
                         "' is not a string (metadata maps strings to "
                         "strings); " + kRewrite);
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    std::string where = "tensor '" + name + "'";
    if (!v.is_object())
      fail(file, where + " is not a JSON object with dtype, shape and "
                         "data_offsets; " + kRewrite);
    for (auto k = v.begin(); k != v.end(); ++k)
      if (k.key() != "dtype" && k.key() != "shape" &&
          k.key() != "data_offsets")
        fail(file, where + " has an unknown key '" + k.key() +
                       "' (expected dtype, shape, data_offsets); " + kRewrite);
    if (!v.contains("dtype") || !v["dtype"].is_string())
      fail(file, where + " has no dtype string; " + kRewrite);
    std::string dtName = v["dtype"].get<std::string>();
    std::optional<DType> dt = dtypeFromName(dtName);
    if (!dt)
      fail(file, where + " has an unknown dtype '" + dtName +
                     "' (known: " + knownDTypeNames() + ")");
    if (!v.contains("shape") || !v["shape"].is_array())
      fail(file, where + " has no shape array; " + kRewrite);
    Tensor t;
    t.dtype = *dt;
    for (const json &d : v["shape"]) {
      uint64_t e = jsonUnsigned(d, file, where + ": each shape extent");
      if (e > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(file, where + ": shape extent " + std::to_string(e) +
                       " is too large; " + kRewrite);
      t.shape.push_back(static_cast<int64_t>(e));
    }
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() ||
        v["data_offsets"].size() != 2)
      fail(file, where + " has no data_offsets [begin, end]; " + kRewrite);
    uint64_t b = jsonUnsigned(v["data_offsets"][0], file,
                              where + ": data_offsets begin");
    uint64_t e = jsonUnsigned(v["data_offsets"][1], file,
                              where + ": data_offsets end");
    if (b > e)
      fail(file, where + ": data_offsets " + offsetsText(b, e) +
                     " end before they begin; " + kRewrite);
    if (e > dataSize)
      fail(file, where + ": data_offsets " + offsetsText(b, e) +
                     " lie outside the data section of " +
                     std::to_string(dataSize) +
                     " bytes; the file is truncated or corrupt");
    int64_t numel;
    try {
      numel = shapeNumel(t.shape);
    } catch (const std::exception &ex) {
      fail(file, where + ": " + ex.what() + "; " + kRewrite);
    }
    uint64_t need = static_cast<uint64_t>(numel);
    uint64_t es = dtypeSize(*dt);
    if (need > std::numeric_limits<uint64_t>::max() / es || need * es != e - b)
      fail(file, where + ": data_offsets " + offsetsText(b, e) + " span " +
                     std::to_string(e - b) + " bytes but " + dtName + " " +
                     shapeString(t.shape) + " needs " +
                     (need > std::numeric_limits<uint64_t>::max() / es
                          ? std::string("more than 2^64")
                          : std::to_string(need * es)) +
                     "; " + kRewrite);
    t.data.assign(data + b, data + e);
    spans.push_back({b, e, name});
    out.tensors.emplace(name, std::move(t));
  }
  // The tensors must tile the data section: sorted by offset, each starts
  // where the previous ended, the last ends at the end of the file.
  std::sort(spans.begin(), spans.end(), [](const Span &x, const Span &y) {
    return x.begin != y.begin ? x.begin < y.begin : x.end < y.end;
  });
  uint64_t at = 0;
  const Span *prev = nullptr;
  for (const Span &s : spans) {
    if (s.begin < at)
      fail(file, "tensors '" + prev->name + "' " +
                     offsetsText(prev->begin, prev->end) + " and '" + s.name +
                     "' " + offsetsText(s.begin, s.end) + " overlap; " +
                     kRewrite);
    if (s.begin > at)
      fail(file, "bytes [" + std::to_string(at) + ", " +
                     std::to_string(s.begin) +
                     ") of the data section belong to no tensor (before '" +
                     s.name + "'); " + kRewrite);
    at = s.end;
    prev = &s;
  }
  if (at != dataSize)
    fail(file, "the tensors cover " + std::to_string(at) +
                   " bytes but the data section has " +
                   std::to_string(dataSize) +
                   " (bytes after the last tensor); " + kRewrite);
  return out;
}

TensorFile readSafetensors(const std::string &path) {
  return parseSafetensors(readFileBytes(path), path);
}

} // namespace cscc::rt
