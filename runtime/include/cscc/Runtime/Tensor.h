//===- Tensor.h - element types and a host tensor of bytes -------*- C++ -*-===//
//
// The runtime's file formats (safetensors, .npy) and weight initialisation
// share one plain host tensor: an element type, a shape and the raw bytes in
// C order (row-major), little-endian. No MLIR, no device memory.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_TENSOR_H
#define CSCC_RUNTIME_TENSOR_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The formats are little-endian and the runtime copies bytes as they are.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "cscc's runtime assumes a little-endian host"
#endif

namespace cscc::rt {

/// Element types: every safetensors dtype (names as in the safetensors
/// format). .npy supports all but BF16 and the two 8-bit floats.
enum class DType {
  Bool, U8, I8, U16, I16, U32, I32, U64, I64, F16, BF16, F32, F64,
  F8_E4M3, F8_E5M2
};

/// Bytes per element.
size_t dtypeSize(DType dt);
/// The safetensors name: "F32", "I64", "BOOL", ...
const char *dtypeName(DType dt);
/// Inverse of dtypeName (exact, case-sensitive); nullopt when unknown.
std::optional<DType> dtypeFromName(std::string_view name);
/// "BOOL, U8, I8, ..." for error messages.
std::string knownDTypeNames();

/// Maps a C++ element type to its DType (float, double, int64_t, int32_t,
/// uint8_t, ...).
template <typename T> constexpr DType dtypeOf();
template <> constexpr DType dtypeOf<float>() { return DType::F32; }
template <> constexpr DType dtypeOf<double>() { return DType::F64; }
template <> constexpr DType dtypeOf<int64_t>() { return DType::I64; }
template <> constexpr DType dtypeOf<int32_t>() { return DType::I32; }
template <> constexpr DType dtypeOf<int16_t>() { return DType::I16; }
template <> constexpr DType dtypeOf<int8_t>() { return DType::I8; }
template <> constexpr DType dtypeOf<uint64_t>() { return DType::U64; }
template <> constexpr DType dtypeOf<uint32_t>() { return DType::U32; }
template <> constexpr DType dtypeOf<uint16_t>() { return DType::U16; }
template <> constexpr DType dtypeOf<uint8_t>() { return DType::U8; }

/// Product of a shape's extents (1 for a scalar, shape {}); throws
/// std::overflow_error when it does not fit in int64_t, and
/// std::invalid_argument for a negative extent.
int64_t shapeNumel(const std::vector<int64_t> &shape);
/// "[2, 3, 4]".
std::string shapeString(const std::vector<int64_t> &shape);

/// A host tensor: dtype, shape, and numel * dtypeSize bytes, C order,
/// little-endian.
struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  Tensor() = default;
  /// A zero-filled tensor.
  Tensor(DType dt, std::vector<int64_t> shape);

  int64_t numel() const { return shapeNumel(shape); }
  size_t byteSize() const { return data.size(); }

  /// Typed access; throws std::invalid_argument when T does not match dtype.
  template <typename T> T *as() {
    checkType(dtypeOf<T>());
    return reinterpret_cast<T *>(data.data());
  }
  template <typename T> const T *as() const {
    checkType(dtypeOf<T>());
    return reinterpret_cast<const T *>(data.data());
  }

  /// A tensor of the given dtype copied from typed values (values.size() must
  /// equal the shape's numel).
  template <typename T>
  static Tensor fromValues(std::vector<int64_t> shape,
                           const std::vector<T> &values) {
    Tensor t(dtypeOf<T>(), std::move(shape));
    t.checkCount(values.size());
    if (!values.empty())
      std::copy(reinterpret_cast<const uint8_t *>(values.data()),
                reinterpret_cast<const uint8_t *>(values.data() + values.size()),
                t.data.begin());
    return t;
  }

private:
  void checkType(DType want) const;
  void checkCount(size_t n) const;
};

/// Converts between element types: F32 <-> F64 (rounding to nearest), and
/// any integer or BOOL type to F32/F64. Converting to the same dtype copies.
/// Throws std::invalid_argument for other pairs (F16, BF16, F8, float to
/// integer).
Tensor convertDType(const Tensor &t, DType to);

/// F32 <-> F64 on plain arrays.
std::vector<double> toF64(const float *data, size_t n);
std::vector<float> toF32(const double *data, size_t n);

/// Why `t`, the weight or running statistic `name` (PyTorch names), cannot
/// be used as one: it is not F32 or F64, an element is NaN or infinite, or
/// an element of a running variance (`*.running_var`) is negative. Empty
/// when it can. The one rule of every command that reads weights (run,
/// grad, eval, predict, train --resume) and of the trainer before it
/// writes a checkpoint; optimiser state is checked with `finiteOnly`.
std::string weightProblem(const std::string &name, const Tensor &t,
                          bool finiteOnly = false);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_TENSOR_H
