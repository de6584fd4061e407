//===- Cuda.h - the CUDA runtime: MLIR's GPU ABI, device check, cuDNN -*- C++ -*-===//
//
// Library CsccRuntimeCuda (built when the CUDA toolkit's cuda.h and cudnn.h
// are found at configure time; CMake variable CSCC_HAVE_CUDA_RUNTIME). It
// links neither libcuda nor libcudnn: both are loaded with dlopen at run
// time, so a program linked with it starts on a machine without a GPU and
// says why it cannot run there (cscc_cuda_device_check) instead of failing
// to load. This header needs no CUDA header: handles are opaque pointers.
//
// 1. MLIR's GPU runtime ABI (what `gpu-to-llvm` lowers gpu.launch_func,
//    gpu.alloc, gpu.memcpy, ... to; the calls MLIR 22 emits, checked with
//    mlir-translate). Module loading is lazy: mgpuModuleLoad/-JIT (called by
//    global constructors at program start) only record the binary; the
//    driver is initialised and the module loaded at the first
//    mgpuModuleGetFunction. Everything runs in the primary context of device
//    0 (or CSCC_CUDA_DEVICE=N), made current on each calling thread. These
//    functions cannot return errors (generated code has no unwinding): they
//    print "cscc runtime: error: CUDA: <function>: <error name>: <error
//    string>" (and a note with a fix where one helps), then abort().
// 2. cscc_cuda_device_check: whether the driver, a device and cuDNN 9 are
//    usable, and if not a message naming the cause and the fix;
//    cscc_cuda_device_description: which.
// 3. The convolutions of ConvABI.h on device memory (cuDNN), the CUDA
//    library of Kernels.def.
// 4. The data-parallel collectives on device memory (NCCL, loaded with
//    dlopen at the first one; NcclReplicas.cpp).
//
// Environment:
//   CSCC_CUDA_DRIVER    path of libcuda (default "libcuda.so.1" through the
//                       loader's search)
//   CSCC_CUDA_DEVICE    device number (default 0; under mpirun, the
//                       process's rank on its machine modulo the devices)
//   CSCC_NCCL_LIBRARY   path of libnccl.so.2 (default: the loader's search,
//                       the CUDA toolkit, pip's nvidia/nccl/lib)
//   CSCC_CUDNN_LIBRARY  path of libcudnn.so.9 (default: the loader's search,
//                       /usr/local/cuda/lib64, then nvidia/cudnn/lib of the
//                       usual Python package directories; see
//                       cudnnSearchDirectories)
//   CSCC_CUDNN_TF32=1   let f32 convolutions use TF32 tensor cores (default:
//                       strict fp32, CUDNN_FMA_MATH)
//   CSCC_CUDNN_VERBOSE=1  print the algorithm chosen for each new
//                       convolution shape to stderr
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CUDA_H
#define CSCC_RUNTIME_CUDA_H

#include "cscc/Runtime/ConvABI.h"
#include "cscc/Runtime/MemRef.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cscc::rt {

/// Every extern "C" symbol below (the device check and description, the
/// MLIR GPU ABI, the six CUDA convolutions: Kernels.def), for a JIT to
/// register; referencing the list also keeps a static link from dropping
/// them.
const std::vector<RuntimeSymbol> &cudaSymbols();

namespace cuda {

/// nullptr when libcuda loads, cuInit succeeds, the chosen device exists and
/// its primary context can be retained; else why not, and the fix. Computed
/// once per process (the first call initialises the driver).
const char *driverError();
/// nullptr when cuDNN 9 loads (it needs no driver to load); else why not.
/// Computed once per process.
const char *cudnnError();
/// "NVIDIA H100 80GB HBM3 (device 0 of 1, sm_90, driver CUDA 13.0)";
/// requires driverError() == nullptr.
std::string deviceDescription();
/// "cuDNN 9.19.0 (/path/libcudnn.so.9)"; requires cudnnError() == nullptr.
std::string cudnnDescription();
/// The directories searched for libcudnn.so.9 after the loader's own search,
/// in order, that exist on this machine: /usr/local/cuda/lib64, then
/// nvidia/cudnn/lib under the Python package directories
/// (/usr/local/lib/python3*/{dist,site}-packages, /usr/lib/python3/
/// dist-packages, ~/.local/lib/python3*/site-packages, $VIRTUAL_ENV/lib/
/// python3*/site-packages, and PREFIX/lib/python3*/site-packages for each
/// PATH entry PREFIX/bin).
std::vector<std::string> cudnnSearchDirectories();
/// nullptr when NCCL (libnccl.so.2, 2.11 or newer) loads: CSCC_NCCL_LIBRARY,
/// else the loader's path, else the CUDA toolkit and pip's nvidia/nccl/lib;
/// else why not and the fix. Only data-parallel runs on GPUs need it.
/// Computed once per process.
const char *ncclError();
/// "NCCL 2.28.9 (/path/libnccl.so.2)"; requires ncclError() == nullptr.
std::string ncclDescription();
/// The GPU a binary was compiled for, from its contents: "sm_90" from a PTX
/// `.target` line or a cubin's ELF header, "" when unknown (e.g. a fatbin).
std::string binaryTarget(const void *data, size_t size);

} // namespace cuda
} // namespace cscc::rt

extern "C" {

/// nullptr when CUDA code can run here: libcuda.so.1 loads, cuInit
/// succeeds, the device (0 or CSCC_CUDA_DEVICE) exists, and cuDNN 9 loads;
/// otherwise a message (owned by the runtime, valid for the whole process)
/// naming the cause and the fix, e.g. "no NVIDIA driver: cannot load
/// libcuda.so.1 (...); ...".
const char *cscc_cuda_device_check(void);
/// The device and cuDNN CUDA code runs on, for people: "NVIDIA H100 80GB
/// HBM3 (device 0 of 1, sm_90, driver CUDA 13.0), cuDNN 9.19.0
/// (/path/libcudnn.so.9)"; only after cscc_cuda_device_check() returned
/// nullptr. Owned by the runtime, valid for the whole process.
const char *cscc_cuda_device_description(void);

// The data-parallel collectives on device memory (Kernels.def,
// CSCC_REPLICA_KERNEL; NcclReplicas.cpp): in place, over NCCL.
#define CSCC_REPLICA_KERNEL(KIND, OP, DTYPE, ELEM, T)                          \
  void CSCC_CIFACE(CSCC_CUDA_REPLICA_SYMBOL(OP, ELEM))(                       \
      cscc::rt::MemRefDescriptor<T, 1> * x);
#include "cscc/Runtime/Kernels.def"

// MLIR's GPU runtime ABI (the subset gpu-to-llvm emits for CUDA). Handles
// are CUmodule/CUfunction/CUstream/CUevent; a null stream is the legacy
// default stream. Streams are created blocking (they synchronise with the
// legacy default stream, where the convolutions run).
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream);

// The convolutions of ConvABI.h (same operands, semantics, shape checks and
// messages) on device memory: every descriptor's pointers are device
// pointers (cuMemAlloc / mgpuMemAlloc memory), with strides cuDNN's tensor
// descriptors can describe (1 to INT_MAX where the extent is above 1, at
// most INT_MAX elements spanning at most INT_MAX; others, e.g. zero or
// negative strides, are refused with a message before the driver is
// needed). Run with cuDNN on the legacy default stream; the device is
// synchronised before they return. Only deterministic cuDNN algorithms are used. Errors print
// "cscc runtime: error: CUDA: ..." and abort().
// _mlir_ciface_cscc_cuda_conv2d_{fwd,bwd_data,bwd_filter}_{f32,f64}
#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  void CSCC_CIFACE(CSCC_CUDA_CONV2D_SYMBOL(OP, ELEM))(                        \
      CSCC_CONV2D_PARAMS(T, IN0, IN1, OUT));
#include "cscc/Runtime/Kernels.def"

} // extern "C"

#endif // CSCC_RUNTIME_CUDA_H
