//===- CpuTarget.cpp - The host CPU: OpenMP loops, oneDNN convolutions ----===//
//
// The generated code calls LLVM's OpenMP runtime (libomp: __kmpc_fork_call,
// ...): the JIT finds it in the process (CsccExecution links it); an
// executable links it (-lomp, /usr/lib/llvm-22/lib/libomp.so) as a direct
// dependency, so that oneDNN's GNU OpenMP calls bind to it too.
// OMP_NUM_THREADS sets the thread count (default: the cores); results do
// not depend on it.
//
//===----------------------------------------------------------------------===//
#include "CpuTarget.h"
#include "cscc/Execution/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

using namespace cscc;

namespace {

/// Top-level operations per generated function (cscc-split-functions):
/// compile time is then linear in depth; measured in
/// bench/results/compile-time.md. 100 rather than 200: the 56-layer plain
/// network's train program spent 23 instead of 26.5 s in LLVM.
constexpr int kMaxOpsPerFunction = 100;

class CpuTarget : public Target {
public:
  explicit CpuTarget(const TargetOptions &options)
      : gpuLoopLayout(options.gpuLoopLayout) {}

  llvm::StringRef name() const override { return "cpu"; }
  llvm::StringRef summary() const override {
    return "the host CPU: OpenMP loops, oneDNN convolutions";
  }
  std::string qualifiedName() const override { return "cpu"; }
  std::string description() const override { return "the CPU"; }

  void registerExtensions(mlir::DialectRegistry &registry) const override {
    // The dialects the pipeline leaves: builtin, LLVM, and OpenMP from
    // cscc-parallel-loops.
    mlir::registerBuiltinDialectTranslation(registry);
    mlir::registerLLVMDialectTranslation(registry);
    mlir::registerOpenMPDialectTranslation(registry);
  }

  void registerPassPipelines() const override {
    mlir::PassPipelineRegistration<>(
        "cscc-cst-to-llvm", "tensor-level ops -> LLVM dialect (CPU)",
        [](mlir::OpPassManager &pm) {
          (void)addPipeline(pm, CpuTarget(TargetOptions())
                                    .tensorLevelToLLVMPipeline());
        });
  }

  std::string buffersToLLVMPipeline() const override {
    // The two convolutions of a vector-Jacobian product as one call:
    // oneDNN's reorder of the operand both read, once.
    return "cst-pair-convolutions," + deallocationPipeline() +
           // the generated loops, their outer parallel dimensions as OpenMP
           // worksharing loops (reductions sequential: cscc-parallel-loops)
           "func.func(cscc-copy-to-linalg," +
           (gpuLoopLayout ? gpuLoopsPass()
                          : std::string("cscc-parallel-loops{reassociate-reductions=true split-reductions=4096}")) +
           "),"
           // LLVM's compile time is superlinear in a function's size
           "cscc-split-functions{max-ops=" + std::to_string(kMaxOpsPerFunction) + "},"
           "convert-scf-to-openmp,expand-strided-metadata,"
           // memref.alloca_scope (around each worksharing loop's body)
           // before scf-to-cf: its region must stay one block until it is
           // lowered
           "lower-affine,convert-math-to-llvm,"
           // heap buffers through the runtime's checked allocation
           "finalize-memref-to-llvm{use-generic-functions=true},"
           "convert-scf-to-cf,convert-arith-to-llvm,convert-cf-to-llvm,"
           "convert-func-to-llvm,convert-index-to-llvm,"
           "convert-openmp-to-llvm,reconcile-unrealized-casts";
  }

  rt::KernelLibrary kernelLibrary() const override {
    return rt::KernelLibrary::Host;
  }

  std::vector<std::string> runtimeSymbols() const override {
    // Heap buffers through the runtime's checked allocation (AllocABI.h).
    std::vector<std::string> symbols(rt::allocationFunctions().begin(),
                                     rt::allocationFunctions().end());
    for (const rt::Conv2dKernel &k : rt::conv2dKernels())
      symbols.push_back(std::string("_mlir_ciface_") +
                        rt::conv2dKernelSymbol(rt::KernelLibrary::Host,
                                               k.kind, k.dtype));
    for (rt::KernelDType dtype : rt::conv2dPairKernels())
      symbols.push_back(std::string("_mlir_ciface_") +
                        rt::conv2dPairKernelSymbol(dtype));
    for (const rt::ReplicaKernel &k : rt::replicaKernels())
      symbols.push_back(std::string("_mlir_ciface_") +
                        rt::replicaKernelSymbol(rt::KernelLibrary::Host,
                                                k.kind, k.dtype));
    return symbols;
  }

  std::vector<std::string> executableLibraries() const override {
    return hostExecutableLibraries();
  }

  // The runtime's replica mean over MPI (Replicas.h).
  bool dataParallel() const override { return true; }

private:
  bool gpuLoopLayout;
};

} // namespace

std::unique_ptr<Target> cscc::createCpuTarget(const TargetOptions &options) {
  return std::make_unique<CpuTarget>(options);
}
