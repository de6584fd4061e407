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

#include "mlir/Pass/PassManager.h"

#include <string>

namespace cscc {

struct LoweringOptions {
  std::string mode = "eval"; // eval | train: batch norm statistics
  bool withLoss = true;      // false: logits only (prediction)
};

/// The textual pipelines, to run on a builtin.module (without the anchor).
std::string toTensorLevelPipeline(const LoweringOptions &options);
std::string tensorLevelToLLVMPipeline();
/// Its two parts: down to buffers (bufferized, before deallocation), and
/// from there to the LLVM dialect.
std::string tensorLevelToBuffersPipeline();
std::string buffersToLLVMPipeline();

/// Adds a textual pipeline to `pm`; fails (with a diagnostic) if it does
/// not parse.
mlir::LogicalResult addPipeline(mlir::OpPassManager &pm,
                                const std::string &pipeline);

/// Registers in `context` the LLVM IR translations of every dialect
/// buffersToLLVMPipeline leaves (builtin, LLVM, and OpenMP from
/// cscc-parallel-loops): for whoever translates its result (the JIT,
/// `cscc build`).
void registerLLVMTranslations(mlir::MLIRContext &context);

/// `cscc-to-cst{mode=eval loss=true}`, `cscc-cst-to-buffers` and
/// `cscc-cst-to-llvm` for csc-opt.
void registerCsccPipelines();

} // namespace cscc

#endif
