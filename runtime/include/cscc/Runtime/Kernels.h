//===- Kernels.h - Names of the runtime's kernels (Kernels.def) -*- C++ -*-===//
//
// What the compiler and the runtime agree on, from the one list in
// Kernels.def: the kernel libraries, the convolution kinds and element
// types, and the symbol of each kernel. Header-only and dependency-free, so
// the compiler's targets include it without linking the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_KERNELS_H
#define CSCC_RUNTIME_KERNELS_H

#include <vector>

/// The symbol of a kernel of each library (Kernels.def), as a C identifier.
#define CSCC_CONV2D_SYMBOL(OP, ELEM) cscc_conv2d_##OP##_##ELEM
#define CSCC_CUDA_CONV2D_SYMBOL(OP, ELEM) cscc_cuda_conv2d_##OP##_##ELEM
#define CSCC_CONV2D_PAIR_SYMBOL(ELEM) cscc_conv2d_pair_##ELEM
#define CSCC_REPLICA_SYMBOL(OP, ELEM) cscc_replica_##OP##_##ELEM
#define CSCC_CUDA_REPLICA_SYMBOL(OP, ELEM) cscc_cuda_replica_##OP##_##ELEM
/// The function the runtime defines for a symbol declared with
/// `llvm.emit_c_interface`: MLIR's C interface wrapper.
#define CSCC_CIFACE(SYMBOL) CSCC_CIFACE_PASTE(SYMBOL)
#define CSCC_CIFACE_PASTE(SYMBOL) _mlir_ciface_##SYMBOL
/// A symbol, expanded, as a string literal.
#define CSCC_SYMBOL_STRING(SYMBOL) CSCC_SYMBOL_STRING_QUOTE(SYMBOL)
#define CSCC_SYMBOL_STRING_QUOTE(SYMBOL) #SYMBOL

namespace cscc::rt {

/// Which kernels a target's code calls: the host's (oneDNN, or loops for
/// f64, on host memory) or the CUDA runtime's (cuDNN on device memory).
enum class KernelLibrary { Host, Cuda };

/// The three convolutions (Conv.h): forward, backward data (the transposed
/// convolution), backward filter.
enum class Conv2dKind { Forward, BackwardData, BackwardFilter };

/// The element types the kernels exist for.
enum class KernelDType { F32, F64 };

/// A convolution kernel of Kernels.def.
struct Conv2dKernel {
  Conv2dKind kind;
  KernelDType dtype;
};

/// Every convolution kernel, in Kernels.def's order.
inline const std::vector<Conv2dKernel> &conv2dKernels() {
  static const std::vector<Conv2dKernel> kernels = {
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  {Conv2dKind::KIND, KernelDType::DTYPE},
#include "cscc/Runtime/Kernels.def"
  };
  return kernels;
}

/// The symbol generated code calls for a convolution in `library`
/// ("cscc_conv2d_fwd_f32"; the runtime defines it with the C interface
/// prefix, CSCC_CIFACE); nullptr for a kernel Kernels.def does not list.
inline const char *conv2dKernelSymbol(KernelLibrary library, Conv2dKind kind,
                                      KernelDType dtype) {
  switch (library) {
  case KernelLibrary::Host:
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  if (kind == Conv2dKind::KIND && dtype == KernelDType::DTYPE)                 \
    return CSCC_SYMBOL_STRING(CSCC_CONV2D_SYMBOL(OP, ELEM));
#include "cscc/Runtime/Kernels.def"
    return nullptr;
  case KernelLibrary::Cuda:
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  if (kind == Conv2dKind::KIND && dtype == KernelDType::DTYPE)                 \
    return CSCC_SYMBOL_STRING(CSCC_CUDA_CONV2D_SYMBOL(OP, ELEM));
#include "cscc/Runtime/Kernels.def"
    return nullptr;
  }
  return nullptr;
}

/// The element types of the host's paired convolution kernels
/// (CSCC_CONV2D_PAIR_KERNEL), in Kernels.def's order.
inline const std::vector<KernelDType> &conv2dPairKernels() {
  static const std::vector<KernelDType> kernels = {
#define CSCC_CONV2D_PAIR_KERNEL(DTYPE, ELEM, T) KernelDType::DTYPE,
#include "cscc/Runtime/Kernels.def"
  };
  return kernels;
}

/// The symbol of the host's paired convolution kernel for `dtype`
/// ("cscc_conv2d_pair_f32"); nullptr for one Kernels.def does not list.
inline const char *conv2dPairKernelSymbol(KernelDType dtype) {
#define CSCC_CONV2D_PAIR_KERNEL(DTYPE, ELEM, T)                                \
  if (dtype == KernelDType::DTYPE)                                             \
    return CSCC_SYMBOL_STRING(CSCC_CONV2D_PAIR_SYMBOL(ELEM));
#include "cscc/Runtime/Kernels.def"
  return nullptr;
}

/// The data-parallel collectives (Replicas.h): the mean over the
/// replicas weighted by their batch shares, or the sum; a mean in two
/// calls, started and later waited for (overlapped with other work).
enum class ReplicaCollective { Mean, Sum, MeanStart, MeanWait };

/// A collective of Kernels.def.
struct ReplicaKernel {
  ReplicaCollective kind;
  KernelDType dtype;
};

/// Every collective, in Kernels.def's order.
inline const std::vector<ReplicaKernel> &replicaKernels() {
  static const std::vector<ReplicaKernel> kernels = {
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  {ReplicaCollective::KIND, KernelDType::DTYPE},
#include "cscc/Runtime/Kernels.def"
  };
  return kernels;
}

/// The symbol of a library's collective (defined with the C interface
/// prefix); nullptr for one Kernels.def does not list.
inline const char *replicaKernelSymbol(KernelLibrary library,
                                       ReplicaCollective kind,
                                       KernelDType dtype) {
  switch (library) {
  case KernelLibrary::Host:
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  if (kind == ReplicaCollective::KIND && dtype == KernelDType::DTYPE)           \
    return CSCC_SYMBOL_STRING(CSCC_REPLICA_SYMBOL(OP, ELEM));
#include "cscc/Runtime/Kernels.def"
    return nullptr;
  case KernelLibrary::Cuda:
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  if (kind == ReplicaCollective::KIND && dtype == KernelDType::DTYPE)           \
    return CSCC_SYMBOL_STRING(CSCC_CUDA_REPLICA_SYMBOL(OP, ELEM));
#include "cscc/Runtime/Kernels.def"
    return nullptr;
  }
  return nullptr;
}

/// What the driver or an executable calls before running a library's
/// kernels (Kernels.def, CSCC_DEVICE_FUNCTION).
enum class DeviceFunction { Check, Description };

/// The symbol of a library's device function; nullptr when the library has
/// none (the host's: its code runs wherever the executable does).
inline const char *deviceFunctionSymbol(KernelLibrary library,
                                        DeviceFunction role) {
#define CSCC_DEVICE_FUNCTION(LIBRARY, ROLE, NAME)                              \
  if (library == KernelLibrary::LIBRARY && role == DeviceFunction::ROLE)       \
    return #NAME;
#include "cscc/Runtime/Kernels.def"
  return nullptr;
}

/// MLIR's GPU runtime ABI as the CUDA runtime implements it, in
/// Kernels.def's order.
inline const std::vector<const char *> &gpuRuntimeFunctions() {
  static const std::vector<const char *> names = {
#define CSCC_GPU_RUNTIME_FUNCTION(NAME) #NAME,
#include "cscc/Runtime/Kernels.def"
  };
  return names;
}

/// MLIR's generic allocation functions as the host runtime implements them
/// (AllocABI.h), in Kernels.def's order.
inline const std::vector<const char *> &allocationFunctions() {
  static const std::vector<const char *> names = {
#define CSCC_ALLOCATION_FUNCTION(NAME) #NAME,
#include "cscc/Runtime/Kernels.def"
  };
  return names;
}

} // namespace cscc::rt

#endif // CSCC_RUNTIME_KERNELS_H
