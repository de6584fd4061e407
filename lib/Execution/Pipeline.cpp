//===- Pipeline.cpp - The lowering pipelines of cscc ----------------------===//
#include "cscc/Execution/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstdlib>
#include <string_view>

using namespace mlir;

std::string cscc::toTensorLevelPipeline(const LoweringOptions &o) {
  return "func.func(csc-infer-shapes,csc-unfold-pursuits,"
         "csc-expand-dictionaries),csc-lower-to-cst{mode=" +
         o.mode + " loss=" + (o.withLoss ? "true" : "false") +
         "},canonicalize,cse";
}

std::string cscc::tensorLevelToBuffersPipeline() {
  return // a backward pass's sums of adjacent channel windows as
         // concatenations (written in place, not zeros plus copies)
         "func.func(cst-merge-embeds),"
         // generated loops for everything but the convolutions
         "cscc-results-to-destinations,cst-lower-to-linalg,"
         "canonicalize,linalg-fuse-elementwise-ops,canonicalize,"
         // cheap ops with several consumers (the ISTA step's scaling) are
         // fused into each of them too, recomputed instead of stored
         "func.func(cscc-recompute-cheap-producers),"
         "linalg-fuse-elementwise-ops,canonicalize,"
         // reductions reading one tensor (a threshold's and its batch
         // norm's gradients) as one loop nest
         "func.func(cscc-merge-sibling-reductions),"
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

std::string cscc::deallocationPipeline() {
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

bool cscc::compileTimingRequested() {
  const char *timing = std::getenv("CSCC_TIMING");
  return timing && *timing && std::string_view(timing) != "0";
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
  if (compileTimingRequested())
    pm.enableTiming();
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
}
