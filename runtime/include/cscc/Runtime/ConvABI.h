//===- ConvABI.h - convolution entry points for generated code ---*- C++ -*-===//
//
// The symbols the compiler's generated code calls (the host library of
// Kernels.def): MLIR functions declared with `llvm.emit_c_interface` pass
// rank-4 memrefs as pointers to MemRefDescriptor (cscc/Runtime/MemRef.h).
// Semantics as in Conv.h:
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

#include "cscc/Runtime/Kernels.h"
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
/// The convolution entry points below (six kernels, two pairs).
const std::vector<RuntimeSymbol> &convolutionSymbols();
} // namespace cscc::rt

/// The C parameters of a convolution kernel (Kernels.def): the operands as
/// pointers to their descriptors, then stride, dilation and padding.
#define CSCC_CONV2D_PARAMS(T, IN0, IN1, OUT)                                   \
  cscc::rt::MemRefDescriptor<T, 4> *IN0, cscc::rt::MemRefDescriptor<T, 4> *IN1, \
      cscc::rt::MemRefDescriptor<T, 4> *OUT, int64_t stride, int64_t dilation, \
      int64_t padding

/// The C parameters of a paired convolution kernel (Kernels.def).
#define CSCC_CONV2D_PAIR_PARAMS(T)                                             \
  int64_t firstKind, cscc::rt::MemRefDescriptor<T, 4> *a0,                     \
      cscc::rt::MemRefDescriptor<T, 4> *a1,                                    \
      cscc::rt::MemRefDescriptor<T, 4> *a2, int64_t secondKind,                \
      cscc::rt::MemRefDescriptor<T, 4> *b0,                                    \
      cscc::rt::MemRefDescriptor<T, 4> *b1,                                    \
      cscc::rt::MemRefDescriptor<T, 4> *b2, int64_t stride, int64_t dilation,  \
      int64_t padding

extern "C" {

// _mlir_ciface_cscc_conv2d_{fwd,bwd_data,bwd_filter}_{f32,f64}
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  void CSCC_CIFACE(CSCC_CONV2D_SYMBOL(OP, ELEM))(                             \
      CSCC_CONV2D_PARAMS(T, IN0, IN1, OUT));
#include "cscc/Runtime/Kernels.def"

// _mlir_ciface_cscc_conv2d_pair_{f32,f64}
#define CSCC_CONV2D_PAIR_KERNEL(DTYPE, ELEM, T)                                \
  void CSCC_CIFACE(CSCC_CONV2D_PAIR_SYMBOL(ELEM))(                            \
      CSCC_CONV2D_PAIR_PARAMS(T));
#include "cscc/Runtime/Kernels.def"

} // extern "C"

#endif // CSCC_RUNTIME_CONVABI_H
