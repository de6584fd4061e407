//===- ConvABI.cpp - extern "C" convolution entry points ------------------===//
#include "cscc/Runtime/ConvABI.h"

#include "cscc/Runtime/Conv.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <stdexcept>
#include <string>

using namespace cscc::rt;

namespace {

// Runs `body`; any exception becomes a message and abort(), since the
// caller is generated code without unwinding.
template <typename Body> void orAbort(const char *name, Body body) {
  try {
    body();
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

void checkDescriptors(const char *name, std::initializer_list<const void *> ds) {
  for (const void *d : ds)
    if (!d)
      throw std::invalid_argument(std::string(name) +
                                  ": called with a null memref descriptor "
                                  "pointer");
}

// Runs one convolution.
template <typename T>
void callOrAbort(const char *name, Conv2dKind kind, MemRefDescriptor<T, 4> *a,
                 MemRefDescriptor<T, 4> *b, MemRefDescriptor<T, 4> *c,
                 int64_t stride, int64_t dilation, int64_t padding) {
  orAbort(name, [&] {
    checkDescriptors(name, {a, b, c});
    ConvParams p;
    p.stride = stride, p.dilation = dilation, p.padding = padding;
    conv2d(kind, TensorView<T>::fromMemRef(*a), TensorView<T>::fromMemRef(*b),
           TensorView<T>::fromMemRef(*c), p);
  });
}

/// The Conv2dKind a paired call passes as an integer.
Conv2dKind kindOf(int64_t code, const char *name) {
  switch (code) {
  case static_cast<int64_t>(Conv2dKind::Forward): return Conv2dKind::Forward;
  case static_cast<int64_t>(Conv2dKind::BackwardData):
    return Conv2dKind::BackwardData;
  case static_cast<int64_t>(Conv2dKind::BackwardFilter):
    return Conv2dKind::BackwardFilter;
  default:
    throw std::invalid_argument(
        std::string(name) + ": convolution kind " + std::to_string(code) +
        " is none of 0 (forward), 1 (backward data), 2 (backward filter); "
        "the caller and the runtime disagree on Kernels.def");
  }
}

// Runs a pair.
template <typename T>
void pairOrAbort(const char *name, int64_t firstKind, MemRefDescriptor<T, 4> *a0,
                 MemRefDescriptor<T, 4> *a1, MemRefDescriptor<T, 4> *a2,
                 int64_t secondKind, MemRefDescriptor<T, 4> *b0,
                 MemRefDescriptor<T, 4> *b1, MemRefDescriptor<T, 4> *b2,
                 int64_t stride, int64_t dilation, int64_t padding) {
  orAbort(name, [&] {
    checkDescriptors(name, {a0, a1, a2, b0, b1, b2});
    ConvParams p;
    p.stride = stride, p.dilation = dilation, p.padding = padding;
    ConvCall<T> first{kindOf(firstKind, name), TensorView<T>::fromMemRef(*a0),
                      TensorView<T>::fromMemRef(*a1),
                      TensorView<T>::fromMemRef(*a2)};
    ConvCall<T> second{kindOf(secondKind, name),
                       TensorView<T>::fromMemRef(*b0),
                       TensorView<T>::fromMemRef(*b1),
                       TensorView<T>::fromMemRef(*b2)};
    conv2dPair(first, second, p);
  });
}

} // namespace

extern "C" {

#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  void CSCC_CIFACE(CSCC_CONV2D_SYMBOL(OP, ELEM))(                             \
      CSCC_CONV2D_PARAMS(T, IN0, IN1, OUT)) {                                  \
    callOrAbort<T>("conv2d_" #OP " (" #ELEM ")",                               \
                   Conv2dKind::KIND, IN0, IN1, OUT, stride, dilation,          \
                   padding);                                                   \
  }
#include "cscc/Runtime/Kernels.def"

#define CSCC_CONV2D_PAIR_KERNEL(DTYPE, ELEM, T)                                \
  void CSCC_CIFACE(CSCC_CONV2D_PAIR_SYMBOL(ELEM))(                            \
      CSCC_CONV2D_PAIR_PARAMS(T)) {                                            \
    pairOrAbort<T>("conv2d_pair (" #ELEM ")", firstKind, a0, a1, a2,           \
                   secondKind, b0, b1, b2, stride, dilation, padding);         \
  }
#include "cscc/Runtime/Kernels.def"

} // extern "C"

const std::vector<RuntimeSymbol> &cscc::rt::convolutionSymbols() {
  static const std::vector<RuntimeSymbol> symbols = {
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  {CSCC_SYMBOL_STRING(CSCC_CIFACE(CSCC_CONV2D_SYMBOL(OP, ELEM))),              \
   reinterpret_cast<void *>(&CSCC_CIFACE(CSCC_CONV2D_SYMBOL(OP, ELEM)))},
#include "cscc/Runtime/Kernels.def"
#define CSCC_CONV2D_PAIR_KERNEL(DTYPE, ELEM, T)                                \
  {CSCC_SYMBOL_STRING(CSCC_CIFACE(CSCC_CONV2D_PAIR_SYMBOL(ELEM))),             \
   reinterpret_cast<void *>(&CSCC_CIFACE(CSCC_CONV2D_PAIR_SYMBOL(ELEM)))},
#include "cscc/Runtime/Kernels.def"
  };
  return symbols;
}
