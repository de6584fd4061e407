//===- Conv.cpp - shape checks, plain-loop convolutions, dispatch ---------===//
//
// double has no oneDNN convolution (oneDNN 2.6 supports f32, bf16, f16 and
// int8 only), so the f64 primitives are the plain C++ loops below; float goes
// to oneDNN (ConvOneDnn.cpp). The loops read and write every operand through
// its strides, so they are correct for any strided view; they accumulate one
// output plane (or the whole filter gradient) in a dense double buffer, with
// the innermost loop running along a row of W with the index range of valid
// (non-padding) positions computed up front, so there is no branch inside.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Conv.h"

#include "ConvOneDnn.h"
#include "cscc/Runtime/ConvTrace.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace cscc::rt {

int64_t convOutputSize(int64_t in, int64_t kernel, const ConvParams &p) {
  if (p.stride < 1 || p.dilation < 1 || kernel < 1)
    return 0;
  int64_t extent = p.dilation * (kernel - 1) + 1;
  int64_t span = in + 2 * p.padding - extent;
  if (span < 0)
    return 0;
  return span / p.stride + 1;
}

namespace {

// Operand roles of the three operations, in argument order.
struct OpInfo {
  const char *name;    // conv2d_fwd, ...
  const char *args[3]; // names of the three operands
};
const OpInfo kFwd = {"conv2d_fwd", {"x", "w", "y"}};
const OpInfo kBwdData = {"conv2d_bwd_data", {"dy", "w", "dx"}};
const OpInfo kBwdFilter = {"conv2d_bwd_filter", {"x", "dy", "dw"}};

template <typename T>
std::string header(const OpInfo &op, const TensorView<T> &a,
                   const TensorView<T> &b, const TensorView<T> &c,
                   const ConvParams &p) {
  return std::string(op.name) + "(" + op.args[0] + " " + describeView(a) +
         ", " + op.args[1] + " " + describeView(b) + ", " + op.args[2] + " " +
         describeView(c) + ", stride " + std::to_string(p.stride) +
         ", dilation " + std::to_string(p.dilation) + ", padding " +
         std::to_string(p.padding) + ", " +
         (sizeof(T) == 4 ? "f32" : "f64") + "): ";
}

std::string dims2(int64_t h, int64_t w) {
  return std::to_string(h) + "x" + std::to_string(w);
}

// signal [N, C, H, W], filter [K, C, kh, kw], code [N, K, OH, OW]; `a`, `b`,
// `c` are the operands in argument order, `out` the index of the output.
template <typename T>
void checkConv(const OpInfo &op, const TensorView<T> &a, const TensorView<T> &b,
               const TensorView<T> &c, const TensorView<T> &signal,
               const TensorView<T> &filter, const TensorView<T> &code,
               const char *signalName, const char *filterName,
               const char *codeName, const ConvParams &p) {
  auto fail = [&](const std::string &what) {
    throw std::invalid_argument(header(op, a, b, c, p) + what);
  };
  if (p.stride < 1)
    fail("stride must be at least 1");
  if (p.dilation < 1)
    fail("dilation must be at least 1 (PyTorch's convention: 1 = no holes)");
  if (p.padding < 0)
    fail("padding must not be negative");
  const TensorView<T> *ops[3] = {&a, &b, &c};
  for (int i = 0; i < 3; ++i) {
    if (!ops[i]->data && ops[i]->numel() != 0)
      fail(std::string(op.args[i]) + " has a null data pointer");
    for (int d = 0; d < 4; ++d)
      if (ops[i]->sizes[d] < 0)
        fail(std::string(op.args[i]) + " has a negative size");
  }
  int64_t N = signal.sizes[0], C = signal.sizes[1], H = signal.sizes[2],
          W = signal.sizes[3];
  int64_t K = filter.sizes[0], kh = filter.sizes[2], kw = filter.sizes[3];
  if (kh < 1 || kw < 1)
    fail(std::string("the filters ") + filterName +
         " must have a kernel of at least 1x1 (they are [K, C, kh, kw])");
  if (code.sizes[0] != N)
    fail(std::string(signalName) + " has batch " + std::to_string(N) +
         " but " + codeName + " has batch " + std::to_string(code.sizes[0]));
  if (filter.sizes[1] != C)
    fail(std::string(signalName) + " has " + std::to_string(C) +
         " channels but the filters " + filterName + " take " +
         std::to_string(filter.sizes[1]) + " ([K, C, kh, kw])");
  if (code.sizes[1] != K)
    fail(std::string(codeName) + " has " + std::to_string(code.sizes[1]) +
         " channels but there are " + std::to_string(K) + " filters in " +
         filterName + " ([K, C, kh, kw])");
  int64_t OH = convOutputSize(H, kh, p), OW = convOutputSize(W, kw, p);
  if (OH < 1 || OW < 1)
    fail("the padded " + std::string(signalName) + " (" +
         dims2(H + 2 * p.padding, W + 2 * p.padding) +
         ") is smaller than the dilated kernel (" +
         dims2(p.dilation * (kh - 1) + 1, p.dilation * (kw - 1) + 1) + ")");
  if (code.sizes[2] != OH || code.sizes[3] != OW) {
    std::string what = std::string(signalName) + " of " + dims2(H, W) +
                       " gives a " + dims2(OH, OW) + " convolution output but " +
                       codeName + " is " + dims2(code.sizes[2], code.sizes[3]);
    if (signalName == std::string("dx")) {
      // Which dx sizes give dy's size: OH = floor(span / s) + 1.
      auto lo = [&](int64_t o, int64_t k) {
        return (o - 1) * p.stride - 2 * p.padding + p.dilation * (k - 1) + 1;
      };
      int64_t hlo = lo(code.sizes[2], kh), wlo = lo(code.sizes[3], kw);
      what += "; for that dy, dx must be " +
              (p.stride == 1 ? dims2(hlo, wlo)
                             : "between " + dims2(hlo, wlo) + " and " +
                                   dims2(hlo + p.stride - 1, wlo + p.stride - 1));
    } else {
      what += " (OH = floor((H + 2p - d(k-1) - 1) / s) + 1)";
    }
    fail(what);
  }
  if (c.numel() != 0 && !nonOverlapping(c))
    fail(std::string("the output ") + op.args[2] +
         " is a view whose elements overlap (its strides alias); give it "
         "distinct elements");
}

int64_t floorDiv(int64_t a, int64_t b) { // b > 0
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The output positions o in [0, O) whose input position o*s + off lies in
// [0, I): [lo, hi).
void validRange(int64_t off, int64_t s, int64_t I, int64_t O, int64_t &lo,
                int64_t &hi) {
  lo = std::max<int64_t>(0, -floorDiv(off, s));
  hi = std::min<int64_t>(O, floorDiv(I - 1 - off, s) + 1);
  if (hi < lo)
    hi = lo;
}

template <typename T>
void fillZero(const TensorView<T> &v) {
  for (int64_t i0 = 0; i0 < v.sizes[0]; ++i0)
    for (int64_t i1 = 0; i1 < v.sizes[1]; ++i1)
      for (int64_t i2 = 0; i2 < v.sizes[2]; ++i2)
        for (int64_t i3 = 0; i3 < v.sizes[3]; ++i3)
          v.at(i0, i1, i2, i3) = T(0);
}

template <typename T>
void storePlane(const TensorView<T> &v, int64_t i0, int64_t i1,
                const std::vector<double> &acc) {
  int64_t H = v.sizes[2], W = v.sizes[3];
  for (int64_t h = 0; h < H; ++h) {
    T *row = &v.at(i0, i1, h, 0);
    const double *src = &acc[h * W];
    for (int64_t w = 0; w < W; ++w)
      row[w * v.strides[3]] = static_cast<T>(src[w]);
  }
}

template <typename T>
void forwardLoops(const TensorView<T> &x, const TensorView<T> &w,
                  const TensorView<T> &y, const ConvParams &p) {
  int64_t N = x.sizes[0], C = x.sizes[1], H = x.sizes[2], W = x.sizes[3];
  int64_t K = w.sizes[0], kh = w.sizes[2], kw = w.sizes[3];
  int64_t OH = y.sizes[2], OW = y.sizes[3];
  int64_t s = p.stride, xs3 = x.strides[3];
  std::vector<double> acc(OH * OW);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < kh; ++i) {
          int64_t hoff = i * p.dilation - p.padding, oh0, oh1;
          validRange(hoff, s, H, OH, oh0, oh1);
          for (int64_t j = 0; j < kw; ++j) {
            int64_t woff = j * p.dilation - p.padding, ow0, ow1;
            validRange(woff, s, W, OW, ow0, ow1);
            double wv = static_cast<double>(w.at(k, c, i, j));
            for (int64_t oh = oh0; oh < oh1; ++oh) {
              const T *xrow = &x.at(n, c, oh * s + hoff, 0);
              double *arow = &acc[oh * OW];
              for (int64_t ow = ow0; ow < ow1; ++ow)
                arow[ow] += wv * static_cast<double>(xrow[(ow * s + woff) * xs3]);
            }
          }
        }
      storePlane(y, n, k, acc);
    }
}

template <typename T>
void backwardDataLoops(const TensorView<T> &dy, const TensorView<T> &w,
                       const TensorView<T> &dx, const ConvParams &p) {
  int64_t N = dx.sizes[0], C = dx.sizes[1], H = dx.sizes[2], W = dx.sizes[3];
  int64_t K = w.sizes[0], kh = w.sizes[2], kw = w.sizes[3];
  int64_t OH = dy.sizes[2], OW = dy.sizes[3];
  int64_t s = p.stride, ds3 = dy.strides[3];
  std::vector<double> acc(H * W);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t k = 0; k < K; ++k)
        for (int64_t i = 0; i < kh; ++i) {
          int64_t hoff = i * p.dilation - p.padding, oh0, oh1;
          validRange(hoff, s, H, OH, oh0, oh1);
          for (int64_t j = 0; j < kw; ++j) {
            int64_t woff = j * p.dilation - p.padding, ow0, ow1;
            validRange(woff, s, W, OW, ow0, ow1);
            double wv = static_cast<double>(w.at(k, c, i, j));
            for (int64_t oh = oh0; oh < oh1; ++oh) {
              const T *dyrow = &dy.at(n, k, oh, 0);
              double *arow = &acc[(oh * s + hoff) * W];
              for (int64_t ow = ow0; ow < ow1; ++ow)
                arow[ow * s + woff] += wv * static_cast<double>(dyrow[ow * ds3]);
            }
          }
        }
      storePlane(dx, n, c, acc);
    }
}

template <typename T>
void backwardFilterLoops(const TensorView<T> &x, const TensorView<T> &dy,
                         const TensorView<T> &dw, const ConvParams &p) {
  int64_t N = x.sizes[0], C = x.sizes[1], H = x.sizes[2], W = x.sizes[3];
  int64_t K = dw.sizes[0], kh = dw.sizes[2], kw = dw.sizes[3];
  int64_t OH = dy.sizes[2], OW = dy.sizes[3];
  int64_t s = p.stride, xs3 = x.strides[3], ds3 = dy.strides[3];
  std::vector<double> acc(K * C * kh * kw, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < kh; ++i) {
          int64_t hoff = i * p.dilation - p.padding, oh0, oh1;
          validRange(hoff, s, H, OH, oh0, oh1);
          for (int64_t j = 0; j < kw; ++j) {
            int64_t woff = j * p.dilation - p.padding, ow0, ow1;
            validRange(woff, s, W, OW, ow0, ow1);
            double sum = 0.0;
            for (int64_t oh = oh0; oh < oh1; ++oh) {
              const T *dyrow = &dy.at(n, k, oh, 0);
              const T *xrow = &x.at(n, c, oh * s + hoff, 0);
              for (int64_t ow = ow0; ow < ow1; ++ow)
                sum += static_cast<double>(dyrow[ow * ds3]) *
                       static_cast<double>(xrow[(ow * s + woff) * xs3]);
            }
            acc[((k * C + c) * kh + i) * kw + j] += sum;
          }
        }
  for (int64_t k = 0; k < K; ++k)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          dw.at(k, c, i, j) =
              static_cast<T>(acc[((k * C + c) * kh + i) * kw + j]);
}

// What to do before any kernel runs: nothing (empty output), zeros (an
// empty input: every output element is an empty sum, e.g. N = 0 for the
// filter gradient, or only padding), or the real computation.
enum class Trivial { None, EmptyOutput, ZeroOutput };

template <typename T>
Trivial trivialCase(const TensorView<T> &a, const TensorView<T> &b,
                    const TensorView<T> &out) {
  if (out.numel() == 0)
    return Trivial::EmptyOutput;
  if (a.numel() == 0 || b.numel() == 0) {
    fillZero(out);
    return Trivial::ZeroOutput;
  }
  return Trivial::None;
}

} // namespace

template <typename T>
void checkConv2dForward(const TensorView<T> &x, const TensorView<T> &w,
                        const TensorView<T> &y, const ConvParams &p) {
  checkConv(kFwd, x, w, y, x, w, y, "x", "w", "y", p);
}
template <typename T>
void checkConv2dBackwardData(const TensorView<T> &dy, const TensorView<T> &w,
                             const TensorView<T> &dx, const ConvParams &p) {
  checkConv(kBwdData, dy, w, dx, dx, w, dy, "dx", "w", "dy", p);
}
template <typename T>
void checkConv2dBackwardFilter(const TensorView<T> &x, const TensorView<T> &dy,
                               const TensorView<T> &dw, const ConvParams &p) {
  checkConv(kBwdFilter, x, dy, dw, x, dw, dy, "x", "dw", "dy", p);
}

template <typename T>
void conv2dForwardLoops(const TensorView<T> &x, const TensorView<T> &w,
                        const TensorView<T> &y, const ConvParams &p) {
  checkConv2dForward(x, w, y, p);
  if (trivialCase(x, w, y) == Trivial::None)
    forwardLoops(x, w, y, p);
}
template <typename T>
void conv2dBackwardDataLoops(const TensorView<T> &dy, const TensorView<T> &w,
                             const TensorView<T> &dx, const ConvParams &p) {
  checkConv2dBackwardData(dy, w, dx, p);
  if (trivialCase(dy, w, dx) == Trivial::None)
    backwardDataLoops(dy, w, dx, p);
}
template <typename T>
void conv2dBackwardFilterLoops(const TensorView<T> &x, const TensorView<T> &dy,
                               const TensorView<T> &dw, const ConvParams &p) {
  checkConv2dBackwardFilter(x, dy, dw, p);
  if (trivialCase(x, dy, dw) == Trivial::None)
    backwardFilterLoops(x, dy, dw, p);
}

// double: the loops.
template <>
void conv2dForward<double>(const TensorView<double> &x,
                           const TensorView<double> &w,
                           const TensorView<double> &y, const ConvParams &p) {
  conv2dForwardLoops(x, w, y, p);
  traceConv(Conv2dKind::Forward, x, w, y, p);
}
template <>
void conv2dBackwardData<double>(const TensorView<double> &dy,
                                const TensorView<double> &w,
                                const TensorView<double> &dx,
                                const ConvParams &p) {
  conv2dBackwardDataLoops(dy, w, dx, p);
  traceConv(Conv2dKind::BackwardData, dy, w, dx, p);
}
template <>
void conv2dBackwardFilter<double>(const TensorView<double> &x,
                                  const TensorView<double> &dy,
                                  const TensorView<double> &dw,
                                  const ConvParams &p) {
  conv2dBackwardFilterLoops(x, dy, dw, p);
  traceConv(Conv2dKind::BackwardFilter, x, dy, dw, p);
}

// float: oneDNN. The header built here names the call in oneDNN's errors.
template <>
void conv2dForward<float>(const TensorView<float> &x,
                          const TensorView<float> &w,
                          const TensorView<float> &y, const ConvParams &p) {
  checkConv2dForward(x, w, y, p);
  traceConv(Conv2dKind::Forward, x, w, y, p);
  if (trivialCase(x, w, y) == Trivial::None)
    onednn::run(onednn::Op::Fwd, x, w, y, p, header(kFwd, x, w, y, p));
}
template <>
void conv2dBackwardData<float>(const TensorView<float> &dy,
                               const TensorView<float> &w,
                               const TensorView<float> &dx,
                               const ConvParams &p) {
  checkConv2dBackwardData(dy, w, dx, p);
  traceConv(Conv2dKind::BackwardData, dy, w, dx, p);
  if (trivialCase(dy, w, dx) == Trivial::None)
    onednn::run(onednn::Op::BwdData, dy, w, dx, p,
                header(kBwdData, dy, w, dx, p));
}
template <>
void conv2dBackwardFilter<float>(const TensorView<float> &x,
                                 const TensorView<float> &dy,
                                 const TensorView<float> &dw,
                                 const ConvParams &p) {
  checkConv2dBackwardFilter(x, dy, dw, p);
  traceConv(Conv2dKind::BackwardFilter, x, dy, dw, p);
  if (trivialCase(x, dy, dw) == Trivial::None)
    onednn::run(onednn::Op::BwdFilter, x, dy, dw, p,
                header(kBwdFilter, x, dy, dw, p));
}

namespace {
/// The name and operands, the checks and the oneDNN operation of a kind.
const OpInfo &infoOf(Conv2dKind kind) {
  switch (kind) {
  case Conv2dKind::Forward: return kFwd;
  case Conv2dKind::BackwardData: return kBwdData;
  case Conv2dKind::BackwardFilter: return kBwdFilter;
  }
  return kFwd;
}

onednn::Op oneDnnOpOf(Conv2dKind kind) {
  switch (kind) {
  case Conv2dKind::Forward: return onednn::Op::Fwd;
  case Conv2dKind::BackwardData: return onednn::Op::BwdData;
  case Conv2dKind::BackwardFilter: return onednn::Op::BwdFilter;
  }
  return onednn::Op::Fwd;
}

template <typename T>
void checkCall(const ConvCall<T> &c, const ConvParams &p) {
  switch (c.kind) {
  case Conv2dKind::Forward: checkConv2dForward(c.a, c.b, c.out, p); return;
  case Conv2dKind::BackwardData:
    checkConv2dBackwardData(c.a, c.b, c.out, p);
    return;
  case Conv2dKind::BackwardFilter:
    checkConv2dBackwardFilter(c.a, c.b, c.out, p);
    return;
  }
}

} // namespace

template <typename T>
void conv2d(Conv2dKind kind, const TensorView<T> &a, const TensorView<T> &b,
            const TensorView<T> &out, const ConvParams &p) {
  switch (kind) {
  case Conv2dKind::Forward: conv2dForward(a, b, out, p); return;
  case Conv2dKind::BackwardData: conv2dBackwardData(a, b, out, p); return;
  case Conv2dKind::BackwardFilter: conv2dBackwardFilter(a, b, out, p); return;
  }
}
template void conv2d<float>(Conv2dKind, const TensorView<float> &,
                            const TensorView<float> &,
                            const TensorView<float> &, const ConvParams &);
template void conv2d<double>(Conv2dKind, const TensorView<double> &,
                             const TensorView<double> &,
                             const TensorView<double> &, const ConvParams &);

template <>
int conv2dPair<double>(const ConvCall<double> &first,
                       const ConvCall<double> &second, const ConvParams &p) {
  conv2d(first.kind, first.a, first.b, first.out, p);
  conv2d(second.kind, second.a, second.b, second.out, p);
  return -1;
}

template <>
int conv2dPair<float>(const ConvCall<float> &first,
                      const ConvCall<float> &second, const ConvParams &p) {
  // Both checked before either runs, so that a bad second call leaves the
  // first's output untouched too.
  checkCall(first, p);
  checkCall(second, p);
  if (trivialCase(first.a, first.b, first.out) != Trivial::None ||
      trivialCase(second.a, second.b, second.out) != Trivial::None) {
    conv2d(first.kind, first.a, first.b, first.out, p);
    conv2d(second.kind, second.a, second.b, second.out, p);
    return -1;
  }
  traceConv(first.kind, first.a, first.b, first.out, p);
  traceConv(second.kind, second.a, second.b, second.out, p);
  const TensorView<float> *a[3] = {&first.a, &first.b, &first.out};
  const TensorView<float> *b[3] = {&second.a, &second.b, &second.out};
  return onednn::runPair(
      oneDnnOpOf(first.kind), a, oneDnnOpOf(second.kind), b, p,
      header(infoOf(first.kind), first.a, first.b, first.out, p),
      header(infoOf(second.kind), second.a, second.b, second.out, p));
}

std::string oneDnnImplementation(const char *op, const TensorView<float> &a,
                                 const TensorView<float> &b,
                                 const TensorView<float> &out,
                                 const ConvParams &p) {
  std::string o = op;
  if (o == "fwd") {
    checkConv2dForward(a, b, out, p);
    return onednn::implementation(onednn::Op::Fwd, a, b, out, p,
                                  header(kFwd, a, b, out, p));
  }
  if (o == "bwd_data") {
    checkConv2dBackwardData(a, b, out, p);
    return onednn::implementation(onednn::Op::BwdData, a, b, out, p,
                                  header(kBwdData, a, b, out, p));
  }
  if (o == "bwd_filter") {
    checkConv2dBackwardFilter(a, b, out, p);
    return onednn::implementation(onednn::Op::BwdFilter, a, b, out, p,
                                  header(kBwdFilter, a, b, out, p));
  }
  throw std::invalid_argument("oneDnnImplementation: unknown op '" + o +
                              "' (fwd, bwd_data, bwd_filter)");
}

#define CSCC_INSTANTIATE(T)                                                    \
  template void checkConv2dForward<T>(const TensorView<T> &,                   \
                                      const TensorView<T> &,                   \
                                      const TensorView<T> &,                   \
                                      const ConvParams &);                     \
  template void checkConv2dBackwardData<T>(const TensorView<T> &,              \
                                           const TensorView<T> &,              \
                                           const TensorView<T> &,              \
                                           const ConvParams &);                \
  template void checkConv2dBackwardFilter<T>(const TensorView<T> &,            \
                                             const TensorView<T> &,            \
                                             const TensorView<T> &,            \
                                             const ConvParams &);              \
  template void conv2dForwardLoops<T>(const TensorView<T> &,                   \
                                      const TensorView<T> &,                   \
                                      const TensorView<T> &,                   \
                                      const ConvParams &);                     \
  template void conv2dBackwardDataLoops<T>(const TensorView<T> &,              \
                                           const TensorView<T> &,              \
                                           const TensorView<T> &,              \
                                           const ConvParams &);                \
  template void conv2dBackwardFilterLoops<T>(const TensorView<T> &,            \
                                             const TensorView<T> &,            \
                                             const TensorView<T> &,            \
                                             const ConvParams &);
CSCC_INSTANTIATE(float)
CSCC_INSTANTIATE(double)
#undef CSCC_INSTANTIATE

} // namespace cscc::rt
