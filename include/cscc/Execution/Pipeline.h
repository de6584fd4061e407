//===- Pipeline.h - The lowering pipelines of cscc --------------*- C++ -*-===//
//
// Two halves, so that a driver can read the model's signature in between:
//   model -> tensor level:  csc-infer-shapes, csc-unfold-pursuits,
//                           csc-expand-dictionaries, csc-lower-to-cst
//   tensor level -> LLVM:   cst-lower-to-linalg, elementwise fusion,
//                           One-Shot Bufferize (convolutions become kernel
//                           calls), then the target's way to the LLVM
//                           dialect (cscc/Target/Target.h: the CPU's
//                           OpenMP loops, the CUDA target's kernels)
// The target-independent parts are registered as named pipelines of
// csc-opt (cscc-to-cst, cscc-cst-to-buffers), the targets' as theirs
// (cscc-cst-to-llvm, cscc-cst-to-cuda), so that lit tests run exactly what
// cscc runs. This library links no runtime.
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
/// From the tensor level down to buffers (bufferized, before
/// deallocation), the same for every target: convolutions become calls of
/// the host library's kernels (cscc::bufferizationKernelNaming). A target
/// takes it on to the LLVM dialect (Target::buffersToLLVMPipeline).
std::string tensorLevelToBuffersPipeline();
/// The start of every target's buffer pipeline: deallocation, then the
/// bufferization ops left as memref ops, each pass followed by a comma.
std::string deallocationPipeline();
/// The loop lowering of GPU kernels (one scf.parallel per loop nest, long
/// reductions onto few points split): the CUDA target's, and the CPU
/// target's with TargetOptions::gpuLoopLayout.
std::string gpuLoopsPass();

/// Runs a textual pipeline on `module`; fails if it does not parse, if a
/// pass fails, or if any error diagnostic was emitted (gpu-module-to-binary
/// reports some failures, a missing libdevice, as errors yet succeeds).
/// The diagnostics go on to the context's other handlers.
mlir::LogicalResult runPipeline(mlir::ModuleOp module,
                                const std::string &pipeline);

/// CSCC_TIMING set (and not 0): each pipeline run prints MLIR's pass timing
/// report, and the JIT prints the time of LLVM's optimisation and code
/// generation, on stderr.
bool compileTimingRequested();

/// Adds a textual pipeline to `pm`; fails (with a diagnostic) if it does
/// not parse.
mlir::LogicalResult addPipeline(mlir::OpPassManager &pm,
                                const std::string &pipeline);

/// `cscc-to-cst{mode=eval loss=true}` and `cscc-cst-to-buffers` for
/// csc-opt; the targets register theirs (cscc::registerTargetPassPipelines).
void registerCsccPipelines();

} // namespace cscc

#endif
