//===- MergeGpuModules.cpp - One gpu.module for all kernels ---------------===//
//
// cscc-merge-gpu-modules: the kernels gpu-kernel-outlining put in a module
// each go into one module, so gpu-module-to-binary runs the NVPTX back end
// and ptxas once per program instead of once per kernel.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCMERGEGPUMODULES
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct MergeGpuModulesPass
    : mlir::cscc::impl::CsccMergeGpuModulesBase<MergeGpuModulesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> sources(module.getOps<gpu::GPUModuleOp>());
    if (sources.empty())
      return;
    SymbolTable top(module);
    if (auto clash = top.lookup(moduleName)) {
      clash->emitError("cscc-merge-gpu-modules: the symbol @")
          << moduleName << " is taken; choose another module-name";
      return signalPassFailure();
    }
    OpBuilder b(sources.front());
    auto merged = gpu::GPUModuleOp::create(b, sources.front().getLoc(),
                                           moduleName);
    // Outlining names each module uniquely but every kernel of a function
    // alike (@f_kernel_3::@f_kernel): a kernel takes its module's name.
    for (gpu::GPUModuleOp source : sources) {
      if (!source->getDiscardableAttrDictionary().empty() ||
          source.getTargetsAttr()) {
        source.emitError("cscc-merge-gpu-modules: a gpu.module with targets "
                         "or attributes; run the pass before "
                         "nvvm-attach-target");
        return signalPassFailure();
      }
      auto ops = source.getBody()->without_terminator();
      auto kernel = llvm::hasSingleElement(ops)
                        ? dyn_cast<gpu::GPUFuncOp>(*ops.begin())
                        : gpu::GPUFuncOp();
      if (!kernel) {
        source.emitError("cscc-merge-gpu-modules: expected a gpu.module "
                         "holding one kernel (as gpu-kernel-outlining makes)");
        return signalPassFailure();
      }
      kernel.setName(source.getName());
      kernel->moveBefore(merged.getBody(), merged.getBody()->end());
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getSymNameAttr(),
          {FlatSymbolRefAttr::get(launch.getKernelModuleName())}));
    });
    for (gpu::GPUModuleOp source : sources)
      source.erase();
  }
};

} // namespace
