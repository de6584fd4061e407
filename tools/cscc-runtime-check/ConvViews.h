//===- ConvViews.h - operands in strided views ------------------------------=*- C++ -*-===//
//
// conv places each operand in a larger buffer (channel slices, margins,
// channels-last, a reversed last dimension) to check that the entry points
// honour the strides they are given.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CHECK_CONVVIEWS_H
#define CSCC_RUNTIME_CHECK_CONVVIEWS_H

#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/MemRef.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace runtime_check {

using cscc::rt::MemRefDescriptor;
using cscc::rt::TensorView;


struct Placement {
  int64_t c0 = 0, cAfter = 0, margin = 0;
  bool nhwc = false, reverseW = false;
};

// An operand stored in a larger buffer as a strided view.
template <typename T> struct Stored {
  std::vector<T> buf;
  TensorView<T> view;
  int64_t offset = 0;

  MemRefDescriptor<T, 4> memref() {
    MemRefDescriptor<T, 4> m;
    m.allocated = buf.data();
    m.aligned = buf.data();
    m.offset = offset;
    for (int d = 0; d < 4; ++d)
      m.sizes[d] = view.sizes[d], m.strides[d] = view.strides[d];
    return m;
  }
};

template <typename T>
Stored<T> place(const int64_t sizes[4], const Placement &pl, T fill) {
  int64_t N = sizes[0], C = sizes[1] + pl.c0 + pl.cAfter,
          H = sizes[2] + 2 * pl.margin, W = sizes[3] + 2 * pl.margin;
  int64_t st[4];
  if (pl.nhwc)
    st[1] = 1, st[3] = C, st[2] = W * C, st[0] = H * W * C;
  else
    st[3] = 1, st[2] = W, st[1] = H * W, st[0] = C * H * W;
  Stored<T> s;
  s.buf.assign(static_cast<size_t>(std::max<int64_t>(N * C * H * W, 1)), fill);
  int64_t w0 = pl.margin;
  if (pl.reverseW) {
    w0 = pl.margin + sizes[3] - 1;
    if (sizes[3] == 0)
      w0 = pl.margin;
  }
  s.offset = pl.c0 * st[1] + pl.margin * st[2] + w0 * st[3];
  s.view.data = s.buf.data() + s.offset;
  for (int d = 0; d < 4; ++d)
    s.view.sizes[d] = sizes[d], s.view.strides[d] = st[d];
  if (pl.reverseW)
    s.view.strides[3] = -st[3];
  return s;
}

template <typename T> void fillFrom(const TensorView<T> &v, const T *src) {
  for (int64_t a = 0; a < v.sizes[0]; ++a)
    for (int64_t b = 0; b < v.sizes[1]; ++b)
      for (int64_t c = 0; c < v.sizes[2]; ++c)
        for (int64_t d = 0; d < v.sizes[3]; ++d)
          v.at(a, b, c, d) = *src++;
}

template <typename T> void copyOut(const TensorView<T> &v, T *dst) {
  for (int64_t a = 0; a < v.sizes[0]; ++a)
    for (int64_t b = 0; b < v.sizes[1]; ++b)
      for (int64_t c = 0; c < v.sizes[2]; ++c)
        for (int64_t d = 0; d < v.sizes[3]; ++d)
          *dst++ = v.at(a, b, c, d);
}

} // namespace runtime_check

#endif // CSCC_RUNTIME_CHECK_CONVVIEWS_H
