//===- MemRef.h - MLIR memref descriptors and strided 4-D views --*- C++ -*-===//
//
// MemRefDescriptor is the layout of MLIR's ranked memref descriptor, as passed
// by pointer to functions with `llvm.emit_c_interface` (_mlir_ciface_*).
// TensorView is the runtime's own 4-D strided view (NCHW / KCkk), built from a
// descriptor or from a dense buffer.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_MEMREF_H
#define CSCC_RUNTIME_MEMREF_H

#include <cstdint>
#include <string>

namespace cscc::rt {

/// MLIR's ranked memref descriptor: the element at index (i0, ..., iR-1) is
/// aligned[offset + sum_d i_d * strides[d]] (strides in elements).
template <typename T, int R> struct MemRefDescriptor {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[R];
  int64_t strides[R];
};

/// A 4-D strided view: element (i0, i1, i2, i3) is
/// data[i0*strides[0] + i1*strides[1] + i2*strides[2] + i3*strides[3]].
/// `data` already includes the descriptor's offset. Inputs are only read.
template <typename T> struct TensorView {
  T *data = nullptr;
  int64_t sizes[4] = {0, 0, 0, 0};
  int64_t strides[4] = {0, 0, 0, 0};

  T &at(int64_t i0, int64_t i1, int64_t i2, int64_t i3) const {
    return data[i0 * strides[0] + i1 * strides[1] + i2 * strides[2] +
                i3 * strides[3]];
  }
  int64_t numel() const { return sizes[0] * sizes[1] * sizes[2] * sizes[3]; }

  /// True when the strides are the dense C-order ones (dimensions of extent 1
  /// may have any stride).
  bool isDense() const {
    int64_t expect = 1;
    for (int d = 3; d >= 0; --d) {
      if (sizes[d] != 1 && strides[d] != expect)
        return false;
      expect *= sizes[d];
    }
    return true;
  }

  /// A dense C-order view of a buffer.
  static TensorView dense(T *data, int64_t n, int64_t c, int64_t h, int64_t w) {
    TensorView v;
    v.data = data;
    v.sizes[0] = n, v.sizes[1] = c, v.sizes[2] = h, v.sizes[3] = w;
    v.strides[3] = 1, v.strides[2] = w, v.strides[1] = h * w,
    v.strides[0] = c * h * w;
    return v;
  }

  /// The view of a rank-4 memref descriptor (data = aligned + offset).
  static TensorView fromMemRef(const MemRefDescriptor<T, 4> &m) {
    TensorView v;
    v.data = m.aligned + m.offset;
    for (int d = 0; d < 4; ++d) {
      v.sizes[d] = m.sizes[d];
      v.strides[d] = m.strides[d];
    }
    return v;
  }
};

/// "[2, 3, 8, 8]" (sizes), and with non-dense strides " strides [..]".
template <typename T> std::string describeView(const TensorView<T> &v) {
  std::string s = "[";
  for (int d = 0; d < 4; ++d)
    s += (d ? ", " : "") + std::to_string(v.sizes[d]);
  s += "]";
  if (!v.isDense()) {
    s += " strides [";
    for (int d = 0; d < 4; ++d)
      s += (d ? ", " : "") + std::to_string(v.strides[d]);
    s += "]";
  }
  return s;
}

} // namespace cscc::rt

#endif // CSCC_RUNTIME_MEMREF_H
