//===- Tensor.cpp - element types and host tensors ------------------------===//
#include "cscc/Runtime/Tensor.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

namespace cscc::rt {

namespace {
struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::Bool, "BOOL", 1},       {DType::U8, "U8", 1},
    {DType::I8, "I8", 1},           {DType::U16, "U16", 2},
    {DType::I16, "I16", 2},         {DType::U32, "U32", 4},
    {DType::I32, "I32", 4},         {DType::U64, "U64", 8},
    {DType::I64, "I64", 8},         {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},       {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},         {DType::F8_E4M3, "F8_E4M3", 1},
    {DType::F8_E5M2, "F8_E5M2", 1},
};

const DTypeInfo &info(DType dt) {
  for (const DTypeInfo &i : kDTypes)
    if (i.dtype == dt)
      return i;
  throw std::invalid_argument("cscc runtime: invalid DType value " +
                              std::to_string(static_cast<int>(dt)));
}
} // namespace

size_t dtypeSize(DType dt) { return info(dt).size; }
const char *dtypeName(DType dt) { return info(dt).name; }

std::optional<DType> dtypeFromName(std::string_view name) {
  for (const DTypeInfo &i : kDTypes)
    if (name == i.name)
      return i.dtype;
  return std::nullopt;
}

std::string knownDTypeNames() {
  std::string s;
  for (const DTypeInfo &i : kDTypes) {
    if (!s.empty())
      s += ", ";
    s += i.name;
  }
  return s;
}

int64_t shapeNumel(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw std::invalid_argument("negative extent in shape " +
                                  shapeString(shape));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw std::overflow_error("shape " + shapeString(shape) +
                                " has more elements than fit in 64 bits");
    n *= d;
  }
  return n;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Tensor(DType dt, std::vector<int64_t> shp)
    : dtype(dt), shape(std::move(shp)) {
  int64_t n = shapeNumel(shape);
  size_t es = dtypeSize(dt);
  if (n != 0 && static_cast<uint64_t>(n) > std::numeric_limits<size_t>::max() / es)
    throw std::overflow_error("tensor of shape " + shapeString(shape) +
                              " is too large");
  try {
    data.assign(static_cast<size_t>(n) * es, 0);
  } catch (const std::bad_alloc &) {
    char size[32];
    std::snprintf(size, sizeof size, "%.3g GiB",
                  static_cast<double>(n) * es / (1u << 30));
    throw std::runtime_error(
        "out of memory: a " + std::string(dtypeName(dt)) + " tensor of shape " +
        shapeString(shape) + " (" + size +
        ") does not fit in this machine's memory; use a smaller batch "
        "(--batch, --batch-size) or a smaller model");
  }
}

void Tensor::checkType(DType want) const {
  if (want != dtype)
    throw std::invalid_argument(std::string("tensor has dtype ") +
                                dtypeName(dtype) + ", accessed as " +
                                dtypeName(want));
}

void Tensor::checkCount(size_t n) const {
  if (static_cast<uint64_t>(numel()) != n)
    throw std::invalid_argument("shape " + shapeString(shape) + " has " +
                                std::to_string(numel()) + " elements but " +
                                std::to_string(n) + " values were given");
}

namespace {
template <typename From, typename To>
void convertArray(const Tensor &src, Tensor &dst) {
  const From *in = reinterpret_cast<const From *>(src.data.data());
  To *out = reinterpret_cast<To *>(dst.data.data());
  size_t n = src.data.size() / sizeof(From);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<To>(in[i]);
}

template <typename To> bool convertTo(const Tensor &src, Tensor &dst) {
  switch (src.dtype) {
  case DType::F32: convertArray<float, To>(src, dst); return true;
  case DType::F64: convertArray<double, To>(src, dst); return true;
  case DType::Bool:
  case DType::U8: convertArray<uint8_t, To>(src, dst); return true;
  case DType::I8: convertArray<int8_t, To>(src, dst); return true;
  case DType::U16: convertArray<uint16_t, To>(src, dst); return true;
  case DType::I16: convertArray<int16_t, To>(src, dst); return true;
  case DType::U32: convertArray<uint32_t, To>(src, dst); return true;
  case DType::I32: convertArray<int32_t, To>(src, dst); return true;
  case DType::U64: convertArray<uint64_t, To>(src, dst); return true;
  case DType::I64: convertArray<int64_t, To>(src, dst); return true;
  default: return false;
  }
}
} // namespace

Tensor convertDType(const Tensor &t, DType to) {
  if (t.dtype == to)
    return t;
  Tensor out(to, t.shape);
  bool ok = false;
  if (to == DType::F32)
    ok = convertTo<float>(t, out);
  else if (to == DType::F64)
    ok = convertTo<double>(t, out);
  if (!ok)
    throw std::invalid_argument(std::string("cannot convert a ") +
                                dtypeName(t.dtype) + " tensor to " +
                                dtypeName(to) +
                                " (supported: F32 <-> F64, integers and BOOL "
                                "to F32/F64)");
  return out;
}

std::vector<double> toF64(const float *data, size_t n) {
  return std::vector<double>(data, data + n);
}

std::vector<float> toF32(const double *data, size_t n) {
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<float>(data[i]);
  return out;
}

std::string weightProblem(const std::string &name, const Tensor &t,
                          bool finiteOnly) {
  if (t.dtype != DType::F32 && t.dtype != DType::F64)
    return "tensor '" + name + "' is " + dtypeName(t.dtype) +
           "; weights must be F32 or F64";
  const std::string suffix = ".running_var";
  bool variance = !finiteOnly && name.size() >= suffix.size() &&
                  name.compare(name.size() - suffix.size(), suffix.size(),
                               suffix) == 0;
  int64_t n = t.numel();
  const double *f64 = t.dtype == DType::F64 ? t.as<double>() : nullptr;
  const float *f32 = t.dtype == DType::F32 ? t.as<float>() : nullptr;
  for (int64_t i = 0; i < n; ++i) {
    double v = f64 ? f64[i] : static_cast<double>(f32[i]);
    if (std::isfinite(v) && !(variance && v < 0))
      continue;
    std::string at = " at element " + std::to_string(i) + " of " +
                     std::to_string(n);
    if (std::isnan(v))
      return "tensor '" + name + "' has a NaN" + at;
    if (std::isinf(v))
      return "tensor '" + name + "' has an infinite value (" +
             (v > 0 ? "+inf" : "-inf") + ")" + at;
    if (variance && v < 0)
      return "tensor '" + name + "' is a running variance but has the "
             "negative value " + std::to_string(v) + at;
  }
  return {};
}

} // namespace cscc::rt
