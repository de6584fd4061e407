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

/// The runtime's convolution of each kind (Conv.h).
template <typename T> Fn<T> conv2dOf(Conv2dKind kind) {
  switch (kind) {
  case Conv2dKind::Forward:
    return conv2dForward<T>;
  case Conv2dKind::BackwardData:
    return conv2dBackwardData<T>;
  case Conv2dKind::BackwardFilter:
    return conv2dBackwardFilter<T>;
  }
  return nullptr;
}

} // namespace

extern "C" {

#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  void CSCC_CIFACE(CSCC_CONV2D_SYMBOL(OP, ELEM))(                             \
      CSCC_CONV2D_PARAMS(T, IN0, IN1, OUT)) {                                  \
    callOrAbort<T>("conv2d_" #OP " (" #ELEM ")",                               \
                   conv2dOf<T>(Conv2dKind::KIND), IN0, IN1, OUT, stride,       \
                   dilation, padding);                                         \
  }
#include "cscc/Runtime/Kernels.def"

} // extern "C"

const std::vector<RuntimeSymbol> &cscc::rt::convolutionSymbols() {
  static const std::vector<RuntimeSymbol> symbols = {
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  {CSCC_SYMBOL_STRING(CSCC_CIFACE(CSCC_CONV2D_SYMBOL(OP, ELEM))),              \
   reinterpret_cast<void *>(&CSCC_CIFACE(CSCC_CONV2D_SYMBOL(OP, ELEM)))},
#include "cscc/Runtime/Kernels.def"
  };
  return symbols;
}
