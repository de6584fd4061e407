//===- Pipeline.cpp - The lowering pipelines of cscc ----------------------===//
#include "cscc/Execution/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include <cstdlib>

using namespace mlir;

std::string cscc::toTensorLevelPipeline(const LoweringOptions &o) {
  return "func.func(csc-infer-shapes,csc-unfold-pursuits,"
         "csc-expand-dictionaries),csc-lower-to-cst{mode=" +
         o.mode + " loss=" + (o.withLoss ? "true" : "false") +
         "},canonicalize,cse";
}

std::string cscc::tensorLevelToBuffersPipeline() {
  return // generated loops for everything but the convolutions
         "cscc-results-to-destinations,cst-lower-to-linalg,"
         "canonicalize,linalg-fuse-elementwise-ops,canonicalize,"
         // No CSE on tensors here: it would merge the values cst-autodiff
         // recomputes with the forward ones (keeping those alive) and the
         // concatenation buffers with each other.
         "func.func(cscc-conv-destinations,cscc-place-concat-buffers),"
         "eliminate-empty-tensors,"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map "
         "},"
         // identical subviews merged, so copies of a slice onto itself fold
         "cscc-drop-destination-results,cse,canonicalize";
}

std::string cscc::gpuLoopsPass() {
  return "cscc-parallel-loops{gpu=true jam=1 split-reductions=1024}";
}

/// The start of both targets' buffer pipelines: deallocation, then the
/// bufferization ops left as memref ops.
static std::string deallocationPipeline() {
  return // The ownership-based deallocation frees every buffer of a block
         // at the block's end: in a train step, that is every activation
         // and gradient at once (a peak of all of them). Upstream's
         // optimize-allocation-liveness moves each dealloc up to just after
         // the last use of the buffer or any of its views, so a buffer's
         // memory is reused as soon as it is dead.
         "buffer-deallocation-pipeline,"
         "func.func(optimize-allocation-liveness),"
         // copies as linalg loops (no MLIR runtime library needed)
         "convert-bufferization-to-memref,";
}

std::string cscc::buffersToLLVMPipeline(bool gpuLoops) {
  return deallocationPipeline() +
         // the generated loops, their outer parallel dimensions as OpenMP
         // worksharing loops (reductions sequential: cscc-parallel-loops)
         "func.func(cscc-copy-to-linalg," +
         (gpuLoops ? gpuLoopsPass() : std::string("cscc-parallel-loops")) +
         "),"
         "convert-scf-to-openmp,expand-strided-metadata,"
         // memref.alloca_scope (around each worksharing loop's body) before
         // scf-to-cf: its region must stay one block until it is lowered
         "lower-affine,convert-math-to-llvm,finalize-memref-to-llvm,"
         "convert-scf-to-cf,convert-arith-to-llvm,convert-cf-to-llvm,"
         "convert-func-to-llvm,convert-index-to-llvm,convert-openmp-to-llvm,"
         "reconcile-unrealized-casts";
}

std::string cscc::tensorLevelToLLVMPipeline(bool gpuLoops) {
  return tensorLevelToBuffersPipeline() + "," + buffersToLLVMPipeline(gpuLoops);
}

std::string cscc::cudaToolkitPath(const CudaOptions &o) {
  if (!o.toolkit.empty())
    return o.toolkit;
  if (const char *home = std::getenv("CUDA_HOME"); home && *home)
    return home;
  return "/usr/local/cuda";
}

std::string cscc::buffersToCudaPipeline(const CudaOptions &o) {
  std::string target = "chip=" + o.chip + " features=" + o.features + " O=3";
  return deallocationPipeline() +
         // every loop nest one kernel, a thread per output point,
         // reductions sequential in the thread (registers, no jam: the
         // threads are the parallelism); a long reduction onto few points
         // (batch-norm statistics, the loss) split into parallel chunks
         "func.func(cscc-copy-to-linalg," +
         gpuLoopsPass() + ","
         "cscc-parallel-to-gpu{block-size=" + std::to_string(o.blockSize) +
         "}),"
         "cscc-device-buffers,"
         // constants (trip counts, static sizes) moved into the kernels
         // rather than passed as arguments: the index arithmetic divides by
         // constants (shifts, multiplications) instead of by a 64-bit
         // argument (a software division per thread)
         "func.func(canonicalize,gpu-launch-sink-index-computations),"
         // every kernel in one module: one NVPTX compile and one ptxas
         // run per program rather than per kernel
         "gpu-kernel-outlining,cscc-merge-gpu-modules,"
         "func.func(gpu-async-region),lower-affine,"
         "nvvm-attach-target{" + target + "},"
         "gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm,canonicalize,"
         "cse,reconcile-unrealized-casts),"
         "gpu-module-to-binary{format=" + o.format +
         " toolkit=" + cudaToolkitPath(o) + "},"
         // the host: kernel launches and GPU memory through MLIR's GPU
         // runtime ABI (mgpu*), the rest as on the CPU without OpenMP
         "expand-strided-metadata,lower-affine,gpu-to-llvm,"
         "convert-math-to-llvm,finalize-memref-to-llvm,convert-scf-to-cf,"
         "convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
         "convert-index-to-llvm,reconcile-unrealized-casts";
}

std::string cscc::tensorLevelToCudaPipeline(const CudaOptions &o) {
  return tensorLevelToBuffersPipeline() + "," + buffersToCudaPipeline(o);
}

void cscc::registerCudaExtensions(DialectRegistry &registry) {
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  // gpu-module-to-binary translates each gpu.module to LLVM IR itself
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

void cscc::registerLLVMTranslations(MLIRContext &context) {
  registerBuiltinDialectTranslation(context);
  registerLLVMDialectTranslation(context);
  registerOpenMPDialectTranslation(context);
}

LogicalResult cscc::runPipeline(ModuleOp module, const std::string &text) {
  // Counts the error diagnostics and lets them through to whichever
  // handler prints or collects them.
  int errors = 0;
  ScopedDiagnosticHandler counter(module.getContext(), [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    return failure();
  });
  PassManager pm(module.getContext());
  if (failed(addPipeline(pm, text)) || failed(pm.run(module)))
    return failure();
  return success(errors == 0);
}

LogicalResult cscc::addPipeline(OpPassManager &pm, const std::string &text) {
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(text, pm, os))) {
    llvm::errs() << "cscc: internal error: bad pipeline '" << text
                 << "': " << error << "\n";
    return failure();
  }
  return success();
}

namespace {
struct ToCstOptions : public PassPipelineOptions<ToCstOptions> {
  Option<std::string> mode{*this, "mode",
                           llvm::cl::desc("eval or train batch norm"),
                           llvm::cl::init("eval")};
  Option<bool> loss{*this, "loss", llvm::cl::desc("keep the loss"),
                    llvm::cl::init(true)};
};
struct CudaPipelineOptions : public PassPipelineOptions<CudaPipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("GPU architecture"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("PTX features"),
                               llvm::cl::init("+ptx80")};
  Option<std::string> format{*this, "format",
                             llvm::cl::desc("kernels as bin (cubin) or isa "
                                            "(PTX)"),
                             llvm::cl::init("bin")};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("CUDA toolkit directory"),
                              llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("threads per block"),
                            llvm::cl::init(256)};
};
} // namespace

void cscc::registerCsccPipelines() {
  PassPipelineRegistration<ToCstOptions>(
      "cscc-to-cst", "csc model -> tensor-level ops (what cscc runs)",
      [](OpPassManager &pm, const ToCstOptions &o) {
        LoweringOptions lo;
        lo.mode = o.mode;
        lo.withLoss = o.loss;
        (void)addPipeline(pm, toTensorLevelPipeline(lo));
      });
  PassPipelineRegistration<>(
      "cscc-cst-to-buffers",
      "tensor-level ops -> generated loops and kernel calls on buffers",
      [](OpPassManager &pm) {
        (void)addPipeline(pm, tensorLevelToBuffersPipeline());
      });
  PassPipelineRegistration<CudaPipelineOptions>(
      "cscc-cst-to-cuda",
      "tensor-level ops -> LLVM dialect host code with embedded GPU kernels "
      "(CUDA)",
      [](OpPassManager &pm, const CudaPipelineOptions &o) {
        CudaOptions co;
        co.chip = o.chip;
        co.features = o.features;
        co.format = o.format;
        co.toolkit = o.toolkit;
        co.blockSize = o.blockSize;
        (void)addPipeline(pm, tensorLevelToCudaPipeline(co));
      });
  PassPipelineRegistration<>(
      "cscc-cst-to-llvm", "tensor-level ops -> LLVM dialect (CPU)",
      [](OpPassManager &pm) {
        (void)addPipeline(pm, tensorLevelToLLVMPipeline());
      });
}
