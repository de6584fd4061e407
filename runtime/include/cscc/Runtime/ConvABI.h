//===- ConvABI.h - convolution entry points for generated code ---*- C++ -*-===//
//
// The symbols the compiler's generated code calls: MLIR functions declared
// with `llvm.emit_c_interface` pass rank-4 memrefs as pointers to
// MemRefDescriptor (cscc/Runtime/MemRef.h). Semantics as in Conv.h:
//   fwd:        y[N,K,OH,OW]  = conv2d(x[N,C,H,W], w[K,C,k,k])
//   bwd_data:   dx[N,C,H,W]   = F^T dy[N,K,OH,OW] (H, W taken from dx)
//   bwd_filter: dw[K,C,k,k]   = filter gradient from x and dy
// The output is overwritten. stride, dilation (PyTorch's: 1 = dense) and
// symmetric padding are passed by value.
//
// Exceptions cannot cross generated code: a shape error or a oneDNN failure
// prints "cscc runtime: error: <op>(<operands and shapes>): <what>" to stderr
// and calls std::abort().
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CONVABI_H
#define CSCC_RUNTIME_CONVABI_H

#include "cscc/Runtime/MemRef.h"

#include <cstdint>
#include <vector>

namespace cscc::rt {
/// A runtime entry point by name, for a JIT that resolves the generated
/// code's calls in this process (e.g. mlir::ExecutionEngine::registerSymbols);
/// referencing this list also keeps a static link from dropping them.
struct RuntimeSymbol {
  const char *name;
  void *address;
};
/// The six convolution entry points below.
const std::vector<RuntimeSymbol> &convolutionSymbols();
} // namespace cscc::rt

extern "C" {

void _mlir_ciface_cscc_conv2d_fwd_f32(
    cscc::rt::MemRefDescriptor<float, 4> *x,
    cscc::rt::MemRefDescriptor<float, 4> *w,
    cscc::rt::MemRefDescriptor<float, 4> *y, int64_t stride, int64_t dilation,
    int64_t padding);
void _mlir_ciface_cscc_conv2d_bwd_data_f32(
    cscc::rt::MemRefDescriptor<float, 4> *dy,
    cscc::rt::MemRefDescriptor<float, 4> *w,
    cscc::rt::MemRefDescriptor<float, 4> *dx, int64_t stride, int64_t dilation,
    int64_t padding);
void _mlir_ciface_cscc_conv2d_bwd_filter_f32(
    cscc::rt::MemRefDescriptor<float, 4> *x,
    cscc::rt::MemRefDescriptor<float, 4> *dy,
    cscc::rt::MemRefDescriptor<float, 4> *dw, int64_t stride,
    int64_t dilation, int64_t padding);

void _mlir_ciface_cscc_conv2d_fwd_f64(
    cscc::rt::MemRefDescriptor<double, 4> *x,
    cscc::rt::MemRefDescriptor<double, 4> *w,
    cscc::rt::MemRefDescriptor<double, 4> *y, int64_t stride,
    int64_t dilation, int64_t padding);
void _mlir_ciface_cscc_conv2d_bwd_data_f64(
    cscc::rt::MemRefDescriptor<double, 4> *dy,
    cscc::rt::MemRefDescriptor<double, 4> *w,
    cscc::rt::MemRefDescriptor<double, 4> *dx, int64_t stride,
    int64_t dilation, int64_t padding);
void _mlir_ciface_cscc_conv2d_bwd_filter_f64(
    cscc::rt::MemRefDescriptor<double, 4> *x,
    cscc::rt::MemRefDescriptor<double, 4> *dy,
    cscc::rt::MemRefDescriptor<double, 4> *dw, int64_t stride,
    int64_t dilation, int64_t padding);

} // extern "C"

#endif // CSCC_RUNTIME_CONVABI_H
