//===- CudaInternal.h - libcuda and cuDNN loaded with dlopen -----*- C++ -*-===//
//
// Shared by the files of CsccRuntimeCuda. The function pointer types come
// from the real headers (decltype(&cuInit), ...). cuda.h #defines many API
// names to versioned ones (cuMemAlloc -> cuMemAlloc_v2, ...); the tables
// below are filled with dlsym of CSCC_EXPANDED_NAME(f), the name after that
// expansion, which is the symbol the declared prototype belongs to (what a
// program linked with -lcuda would call).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_LIB_CUDA_CUDAINTERNAL_H
#define CSCC_RUNTIME_LIB_CUDA_CUDAINTERNAL_H

#include <cuda.h>
#include <cudnn.h>

#include <string>

#define CSCC_STRINGIFY_(x) #x
#define CSCC_EXPANDED_NAME(x) CSCC_STRINGIFY_(x)

namespace cscc::rt::cuda {

// The driver API functions the runtime calls.
#define CSCC_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventSynchronize)                                                        \
  X(cuEventRecord)                                                             \
  X(cuMemAlloc)                                                                \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemAllocAsync)                                                           \
  X(cuMemFreeAsync)                                                            \
  X(cuDeviceGetDefaultMemPool)                                                 \
  X(cuMemPoolSetAttribute)                                                     \
  X(cuMemcpyAsync)                                                             \
  X(cuMemsetD8)                                                                \
  X(cuMemsetD16Async)                                                          \
  X(cuMemsetD32Async)

struct DriverApi {
  // Resolved before cuInit (they work, or fail cleanly, in the stub).
  decltype(&::cuInit) cuInit = nullptr;
  decltype(&::cuDriverGetVersion) cuDriverGetVersion = nullptr;
  decltype(&::cuGetErrorName) cuGetErrorName = nullptr;
  decltype(&::cuGetErrorString) cuGetErrorString = nullptr;
#define CSCC_DECLARE(f) decltype(&::f) f = nullptr;
  CSCC_CUDA_DRIVER_FUNCTIONS(CSCC_DECLARE)
#undef CSCC_DECLARE
};

// The cuDNN functions the convolutions call (the legacy convolution API,
// still in cuDNN 9; cudnnTransformTensor copies a view into a packed
// temporary and back, cudnnSetTensor writes the zeros of an empty sum).
#define CSCC_CUDNN_FUNCTIONS(X)                                                \
  X(cudnnGetVersion)                                                           \
  X(cudnnGetErrorString)                                                       \
  X(cudnnCreate)                                                               \
  X(cudnnCreateTensorDescriptor)                                               \
  X(cudnnSetTensor4dDescriptorEx)                                              \
  X(cudnnDestroyTensorDescriptor)                                              \
  X(cudnnTransformTensor)                                                      \
  X(cudnnSetTensor)                                                            \
  X(cudnnCreateFilterDescriptor)                                               \
  X(cudnnSetFilter4dDescriptor)                                                \
  X(cudnnDestroyFilterDescriptor)                                              \
  X(cudnnCreateConvolutionDescriptor)                                          \
  X(cudnnSetConvolution2dDescriptor)                                           \
  X(cudnnSetConvolutionMathType)                                               \
  X(cudnnDestroyConvolutionDescriptor)                                         \
  X(cudnnGetConvolutionForwardAlgorithmMaxCount)                               \
  X(cudnnGetConvolutionForwardAlgorithm_v7)                                    \
  X(cudnnGetConvolutionForwardWorkspaceSize)                                   \
  X(cudnnConvolutionForward)                                                   \
  X(cudnnGetConvolutionBackwardDataAlgorithmMaxCount)                          \
  X(cudnnGetConvolutionBackwardDataAlgorithm_v7)                               \
  X(cudnnGetConvolutionBackwardDataWorkspaceSize)                              \
  X(cudnnConvolutionBackwardData)                                              \
  X(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount)                        \
  X(cudnnGetConvolutionBackwardFilterAlgorithm_v7)                             \
  X(cudnnGetConvolutionBackwardFilterWorkspaceSize)                            \
  X(cudnnConvolutionBackwardFilter)

struct CudnnApi {
#define CSCC_DECLARE(f) decltype(&::f) f = nullptr;
  CSCC_CUDNN_FUNCTIONS(CSCC_DECLARE)
#undef CSCC_DECLARE
};

/// The driver's function table; aborts with the device check's message when
/// the driver is unusable (`where` names the caller in that message).
const DriverApi &driver(const char *where);
/// Makes the primary context current on this thread (once per thread);
/// aborts like driver() when the driver is unusable.
void ensureContext(const char *where);
/// cuDNN's function table; aborts when cuDNN cannot be loaded.
const CudnnApi &cudnn(const char *where);

/// "CUDA_ERROR_OUT_OF_MEMORY: out of memory" (works with the stub, whose
/// cuGetErrorName fails, and before the driver is loaded).
std::string errorText(CUresult r);
/// Prints "cscc runtime: error: CUDA: <what>: <errorText(r)>", then
/// `note` on its own line when not empty, flushes and aborts.
[[noreturn]] void fatal(const std::string &what, CUresult r,
                        const std::string &note = "");
/// Prints "cscc runtime: error: CUDA: <what>" and aborts.
[[noreturn]] void fatalMessage(const std::string &what);
/// fatal() unless r == CUDA_SUCCESS.
inline void check(CUresult r, const char *what) {
  if (r != CUDA_SUCCESS)
    fatal(what, r);
}

/// The chosen device's compute capability as "sm_90".
std::string deviceChip();

/// Whether `path` exists and is not a directory.
bool isFile(const std::string &path);
/// The file a dlopen handle loaded (the loader's record, symlinks
/// resolved), else `fallback`: what the libraries' descriptions name.
std::string loadedPath(void *handle, const std::string &fallback);

} // namespace cscc::rt::cuda

#endif // CSCC_RUNTIME_LIB_CUDA_CUDAINTERNAL_H
