//===- CudaTarget.h - NVIDIA GPUs through CUDA ------------------*- C++ -*-===//
#ifndef CSCC_LIB_TARGET_CUDA_CUDATARGET_H
#define CSCC_LIB_TARGET_CUDA_CUDATARGET_H

#include "cscc/Target/Target.h"

namespace cscc {

/// NVIDIA GPUs: every loop nest a kernel (cubin, through the toolkit's
/// ptxas), buffers in GPU memory, the convolutions the CUDA runtime's
/// (cuDNN); TargetOptions::chip is the GPU architecture (default sm_90).
std::unique_ptr<Target> createCudaTarget(const TargetOptions &options);

} // namespace cscc

#endif
