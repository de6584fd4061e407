//===- Pipeline.h - The lowering pipelines of cscc --------------*- C++ -*-===//
//
// Two halves, so that a driver can read the model's signature in between:
//   model -> tensor level:  csc-infer-shapes, csc-unfold-pursuits,
//                           csc-expand-dictionaries, csc-lower-to-cst
//   tensor level -> LLVM:   cst-lower-to-linalg, elementwise fusion,
//                           One-Shot Bufferize (convolutions become oneDNN
//                           kernel calls), deallocation, loops
//                           (cscc-parallel-loops: outer parallel dimensions
//                           as OpenMP worksharing loops), LLVM dialect
// The generated code calls LLVM's OpenMP runtime (libomp: __kmpc_fork_call,
// ...): the JIT finds it in the process (CsccExecution links it); an
// executable linking generated object files needs -lomp
// (/usr/lib/llvm-22/lib/libomp.so) as a direct dependency, so that oneDNN's
// GNU OpenMP calls bind to it too. OMP_NUM_THREADS sets the thread count
// (default: the cores); results do not depend on it.
// Both are registered as named pipelines of csc-opt (cscc-to-cst,
// cscc-cst-to-llvm) so that lit tests run exactly what cscc runs.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_PIPELINE_H
#define CSCC_EXECUTION_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace cscc {

struct LoweringOptions {
  std::string mode = "eval"; // eval | train: batch norm statistics
  bool withLoss = true;      // false: logits only (prediction)
};

/// The textual pipelines, to run on a builtin.module (without the anchor).
std::string toTensorLevelPipeline(const LoweringOptions &options);
/// `gpuLoops`: the generated loops laid out as the CUDA target's kernels
/// (gpuLoopsPass: every parallel dimension, split reductions), run on the
/// CPU's threads: to check that lowering's arithmetic without a GPU.
std::string tensorLevelToLLVMPipeline(bool gpuLoops = false);
/// Its two parts: down to buffers (bufferized, before deallocation), and
/// from there to the LLVM dialect.
std::string tensorLevelToBuffersPipeline();
std::string buffersToLLVMPipeline(bool gpuLoops = false);
/// The loop lowering of the CUDA target's kernels (one scf.parallel per
/// loop nest, long reductions onto few points split).
std::string gpuLoopsPass();

/// The CUDA target (cscc build --target cuda): the same buffers, then
///   cscc-parallel-loops{gpu}   one scf.parallel per loop nest, all of its
///                              parallel dimensions
///   cscc-parallel-to-gpu       each one a gpu.launch, a thread per point
///   cscc-device-buffers        buffers in GPU memory, entry arguments
///                              copied in and out, cuDNN convolutions
///   gpu-kernel-outlining, nvvm-attach-target, convert-gpu-to-nvvm,
///   gpu-module-to-binary       kernels compiled to cubin (ptxas) or PTX
///   gpu-to-llvm, ...           host code calling MLIR's GPU runtime ABI
///                              (mgpuLaunchKernel, ...), implemented by
///                              cscc's runtime (CsccRuntimeCuda) with the
///                              CUDA driver API
struct CudaOptions {
  std::string chip = "sm_90";      ///< nvvm-attach-target chip
  std::string features = "+ptx80"; ///< PTX version (CUDA 13's ptxas)
  std::string format = "bin";      ///< gpu-module-to-binary: bin | isa
  std::string toolkit;             ///< CUDA toolkit ("": CUDA_HOME or
                                   ///< /usr/local/cuda)
  int64_t blockSize = 256;         ///< threads per block
};
std::string buffersToCudaPipeline(const CudaOptions &options);
std::string tensorLevelToCudaPipeline(const CudaOptions &options);
/// The CUDA toolkit directory options.toolkit names, else $CUDA_HOME, else
/// /usr/local/cuda.
std::string cudaToolkitPath(const CudaOptions &options);
/// What the CUDA pipeline and the translation of its result need: the
/// NVVM target's serialisation (gpu-module-to-binary), the GPU dialect's
/// offloading translation (gpu.binary, gpu.launch_func) and the LLVM IR
/// translations of builtin, LLVM, GPU and NVVM (for gpu-module-to-binary's
/// gpu.modules and for the host module). Append it to the context's
/// registry before running buffersToCudaPipeline.
void registerCudaExtensions(mlir::DialectRegistry &registry);

/// Runs a textual pipeline on `module`; fails if it does not parse, if a
/// pass fails, or if any error diagnostic was emitted (gpu-module-to-binary
/// reports some failures, a missing libdevice, as errors yet succeeds).
/// The diagnostics go on to the context's other handlers.
mlir::LogicalResult runPipeline(mlir::ModuleOp module,
                                const std::string &pipeline);

/// Adds a textual pipeline to `pm`; fails (with a diagnostic) if it does
/// not parse.
mlir::LogicalResult addPipeline(mlir::OpPassManager &pm,
                                const std::string &pipeline);

/// Registers in `context` the LLVM IR translations of every dialect
/// buffersToLLVMPipeline leaves (builtin, LLVM, and OpenMP from
/// cscc-parallel-loops): for whoever translates its result (the JIT,
/// `cscc build`).
void registerLLVMTranslations(mlir::MLIRContext &context);

/// `cscc-to-cst{mode=eval loss=true}`, `cscc-cst-to-buffers`,
/// `cscc-cst-to-llvm` and `cscc-cst-to-cuda{chip features format toolkit
/// block-size}` for csc-opt.
void registerCsccPipelines();

} // namespace cscc

#endif
