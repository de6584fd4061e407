//===- ConvABI.cpp - extern "C" convolution entry points ------------------===//
#include "cscc/Runtime/ConvABI.h"

#include "cscc/Runtime/Conv.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

using namespace cscc::rt;

namespace {

template <typename T>
using Fn = void (*)(const TensorView<T> &, const TensorView<T> &,
                    const TensorView<T> &, const ConvParams &);

// Runs one convolution; any exception becomes a message and abort(), since
// the caller is generated code without unwinding.
template <typename T>
void callOrAbort(const char *name, Fn<T> fn, MemRefDescriptor<T, 4> *a,
                 MemRefDescriptor<T, 4> *b, MemRefDescriptor<T, 4> *c,
                 int64_t stride, int64_t dilation, int64_t padding) {
  try {
    if (!a || !b || !c) {
      std::fprintf(stderr,
                   "cscc runtime: error: %s: called with a null memref "
                   "descriptor pointer\n",
                   name);
      std::fflush(stderr);
      std::abort();
    }
    ConvParams p;
    p.stride = stride, p.dilation = dilation, p.padding = padding;
    fn(TensorView<T>::fromMemRef(*a), TensorView<T>::fromMemRef(*b),
       TensorView<T>::fromMemRef(*c), p);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "cscc runtime: error: %s\n", e.what());
    std::fflush(stderr);
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "cscc runtime: error: %s: unknown exception\n", name);
    std::fflush(stderr);
    std::abort();
  }
}

} // namespace

extern "C" {

void _mlir_ciface_cscc_conv2d_fwd_f32(MemRefDescriptor<float, 4> *x,
                                      MemRefDescriptor<float, 4> *w,
                                      MemRefDescriptor<float, 4> *y,
                                      int64_t stride, int64_t dilation,
                                      int64_t padding) {
  callOrAbort<float>("conv2d_fwd (f32)", conv2dForward<float>, x, w, y,
                     stride, dilation, padding);
}
void _mlir_ciface_cscc_conv2d_bwd_data_f32(MemRefDescriptor<float, 4> *dy,
                                           MemRefDescriptor<float, 4> *w,
                                           MemRefDescriptor<float, 4> *dx,
                                           int64_t stride, int64_t dilation,
                                           int64_t padding) {
  callOrAbort<float>("conv2d_bwd_data (f32)", conv2dBackwardData<float>, dy,
                     w, dx, stride, dilation, padding);
}
void _mlir_ciface_cscc_conv2d_bwd_filter_f32(MemRefDescriptor<float, 4> *x,
                                             MemRefDescriptor<float, 4> *dy,
                                             MemRefDescriptor<float, 4> *dw,
                                             int64_t stride, int64_t dilation,
                                             int64_t padding) {
  callOrAbort<float>("conv2d_bwd_filter (f32)", conv2dBackwardFilter<float>,
                     x, dy, dw, stride, dilation, padding);
}

void _mlir_ciface_cscc_conv2d_fwd_f64(MemRefDescriptor<double, 4> *x,
                                      MemRefDescriptor<double, 4> *w,
                                      MemRefDescriptor<double, 4> *y,
                                      int64_t stride, int64_t dilation,
                                      int64_t padding) {
  callOrAbort<double>("conv2d_fwd (f64)", conv2dForward<double>, x, w, y,
                      stride, dilation, padding);
}
void _mlir_ciface_cscc_conv2d_bwd_data_f64(MemRefDescriptor<double, 4> *dy,
                                           MemRefDescriptor<double, 4> *w,
                                           MemRefDescriptor<double, 4> *dx,
                                           int64_t stride, int64_t dilation,
                                           int64_t padding) {
  callOrAbort<double>("conv2d_bwd_data (f64)", conv2dBackwardData<double>, dy,
                      w, dx, stride, dilation, padding);
}
void _mlir_ciface_cscc_conv2d_bwd_filter_f64(MemRefDescriptor<double, 4> *x,
                                             MemRefDescriptor<double, 4> *dy,
                                             MemRefDescriptor<double, 4> *dw,
                                             int64_t stride, int64_t dilation,
                                             int64_t padding) {
  callOrAbort<double>("conv2d_bwd_filter (f64)",
                      conv2dBackwardFilter<double>, x, dy, dw, stride,
                      dilation, padding);
}

} // extern "C"

const std::vector<RuntimeSymbol> &cscc::rt::convolutionSymbols() {
  static const std::vector<RuntimeSymbol> symbols = {
#define CSCC_SYMBOL(name) {#name, reinterpret_cast<void *>(&name)}
      CSCC_SYMBOL(_mlir_ciface_cscc_conv2d_fwd_f32),
      CSCC_SYMBOL(_mlir_ciface_cscc_conv2d_bwd_data_f32),
      CSCC_SYMBOL(_mlir_ciface_cscc_conv2d_bwd_filter_f32),
      CSCC_SYMBOL(_mlir_ciface_cscc_conv2d_fwd_f64),
      CSCC_SYMBOL(_mlir_ciface_cscc_conv2d_bwd_data_f64),
      CSCC_SYMBOL(_mlir_ciface_cscc_conv2d_bwd_filter_f64),
#undef CSCC_SYMBOL
  };
  return symbols;
}
