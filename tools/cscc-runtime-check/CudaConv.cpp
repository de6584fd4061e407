//===- CudaConv.cpp - cscc-runtime-check: conv --device cuda ----------------===//
//
// The CUDA convolution entry points on device copies of conv's operands
// (each buffer whole, so that writes outside the output view show).
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#if CSCC_HAVE_CUDA_RUNTIME
#include "cscc/Runtime/Cuda.h"
#endif

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace cscc::rt;
using namespace runtime_check;

void runtime_check::cudaRuntimeNotBuilt() {
  throw std::runtime_error(
      "this cscc-runtime-check was built without the CUDA runtime (cuda.h "
      "or cudnn.h was not found when the build was configured)");
}

namespace {

#if CSCC_HAVE_CUDA_RUNTIME
template <typename T>
void cudaConvImpl(const std::string &op, std::vector<T> *bufs[3],
                  MemRefDescriptor<T, 4> *m[3], const ConvParams &p,
                  bool hostPointers) {
  MemRefDescriptor<T, 4> dm[3];
  void *dev[3] = {nullptr, nullptr, nullptr};
  for (int i = 0; i < 3; ++i) {
    dm[i] = *m[i];
    if (hostPointers)
      continue;
    size_t bytes = bufs[i]->size() * sizeof(T);
    dev[i] = mgpuMemAlloc(bytes, nullptr, false);
    mgpuMemcpy(dev[i], bufs[i]->data(), bytes, nullptr);
    dm[i].allocated = dm[i].aligned = static_cast<T *>(dev[i]);
  }
  if (!hostPointers)
    mgpuStreamSynchronize(nullptr);
  if constexpr (std::is_same_v<T, float>) {
    if (op == "fwd")
      _mlir_ciface_cscc_cuda_conv2d_fwd_f32(&dm[0], &dm[1], &dm[2], p.stride,
                                            p.dilation, p.padding);
    else if (op == "bwd_data")
      _mlir_ciface_cscc_cuda_conv2d_bwd_data_f32(&dm[0], &dm[1], &dm[2],
                                                 p.stride, p.dilation,
                                                 p.padding);
    else
      _mlir_ciface_cscc_cuda_conv2d_bwd_filter_f32(&dm[0], &dm[1], &dm[2],
                                                   p.stride, p.dilation,
                                                   p.padding);
  } else {
    if (op == "fwd")
      _mlir_ciface_cscc_cuda_conv2d_fwd_f64(&dm[0], &dm[1], &dm[2], p.stride,
                                            p.dilation, p.padding);
    else if (op == "bwd_data")
      _mlir_ciface_cscc_cuda_conv2d_bwd_data_f64(&dm[0], &dm[1], &dm[2],
                                                 p.stride, p.dilation,
                                                 p.padding);
    else
      _mlir_ciface_cscc_cuda_conv2d_bwd_filter_f64(&dm[0], &dm[1], &dm[2],
                                                   p.stride, p.dilation,
                                                   p.padding);
  }
  if (hostPointers)
    return;
  // The output buffer comes back whole; the inputs must be unchanged.
  std::vector<T> back;
  for (int i = 0; i < 3; ++i) {
    size_t bytes = bufs[i]->size() * sizeof(T);
    if (i == 2) {
      mgpuMemcpy(bufs[i]->data(), dev[i], bytes, nullptr);
      mgpuStreamSynchronize(nullptr);
    } else {
      back.assign(bufs[i]->size(), T(0));
      mgpuMemcpy(back.data(), dev[i], bytes, nullptr);
      mgpuStreamSynchronize(nullptr);
      if (std::memcmp(back.data(), bufs[i]->data(), bytes) != 0)
        throw std::runtime_error("the CUDA convolution modified its input "
                                 "operand " + std::to_string(i + 1));
    }
    mgpuMemFree(dev[i], nullptr);
  }
}
#endif // CSCC_HAVE_CUDA_RUNTIME

} // namespace

void runtime_check::cudaConv(const std::string &op,
                             std::vector<float> *bufs[3],
                             MemRefDescriptor<float, 4> *m[3],
                             const ConvParams &p, bool hostPointers) {
#if CSCC_HAVE_CUDA_RUNTIME
  cudaConvImpl<float>(op, bufs, m, p, hostPointers);
#else
  (void)op, (void)bufs, (void)m, (void)p, (void)hostPointers;
  cudaRuntimeNotBuilt();
#endif
}

void runtime_check::cudaConv(const std::string &op,
                             std::vector<double> *bufs[3],
                             MemRefDescriptor<double, 4> *m[3],
                             const ConvParams &p, bool hostPointers) {
#if CSCC_HAVE_CUDA_RUNTIME
  cudaConvImpl<double>(op, bufs, m, p, hostPointers);
#else
  (void)op, (void)bufs, (void)m, (void)p, (void)hostPointers;
  cudaRuntimeNotBuilt();
#endif
}
