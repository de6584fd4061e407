//===- Target.h - What cscc compiles for ------------------------*- C++ -*-===//
//
// A target takes the buffers every target shares (tensorLevelToBuffersPipeline
// in Pipeline.h: generated loops, convolutions as calls of the host
// library's kernels) down to the LLVM dialect, and says what its code
// needs around it: which runtime kernels it calls, which runtime symbols a
// JIT must resolve, which libraries an executable links, and which runtime
// function checks its device. The JIT (JitModel), `cscc build`
// (ExecutableBuilder) and csc-opt know targets only through this class.
//
// Targets are created by name from the registry (TargetRegistry.cpp, one
// line per target); each lives in its own directory under lib/Target.
// Nothing here links the runtime: symbols are names (Kernels.def), which
// the JIT resolves from the runtime libraries cscc links (lib/Execution).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_TARGET_TARGET_H
#define CSCC_TARGET_TARGET_H

#include "cscc/Runtime/Kernels.h"
#include "dialects/cst/Transforms/BufferizableOpInterfaceImpl.h"

#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace cscc {

/// What a driver sets on any target; each target reads the fields that
/// apply to it.
struct TargetOptions {
  /// The device architecture to compile for (CUDA: "sm_90"); "" for the
  /// target's default.
  std::string chip;
  /// The CPU target: its loops laid out as the CUDA target's kernels
  /// (gpuLoopsPass in Pipeline.h), run on the CPU's threads, to check that
  /// lowering's arithmetic without a GPU (`cscc run|grad --loops gpu`).
  bool gpuLoopLayout = false;
};

class Target {
public:
  virtual ~Target();

  /// The word that names it (`--target cpu`).
  virtual llvm::StringRef name() const = 0;
  /// One line for lists of targets (errors, help).
  virtual llvm::StringRef summary() const = 0;
  /// The name with the options that matter: "cpu", "cuda (sm_90)". An
  /// executable records it (cscc_program_target).
  virtual std::string qualifiedName() const = 0;
  /// For people: "the CPU", "CUDA (sm_90)".
  virtual std::string description() const = 0;

  /// Checks, before any work, what compiling for the target needs on this
  /// machine (for CUDA: cscc's CUDA runtime, ptxas, libdevice); throws a
  /// std::runtime_error naming what is missing and the fix.
  virtual void checkToolchain() const {}

  /// Adds what the target's pipeline and the translation of its result to
  /// LLVM IR need (dialect extensions, LLVM IR translations).
  virtual void registerExtensions(mlir::DialectRegistry &registry) const = 0;
  /// Registers the target's pass pipelines with csc-opt's pass registry,
  /// so that lit tests run exactly what cscc runs.
  virtual void registerPassPipelines() const = 0;
  /// From the shared buffers (tensorLevelToBuffersPipeline) to the LLVM
  /// dialect, as a textual pipeline on a builtin.module.
  virtual std::string buffersToLLVMPipeline() const = 0;
  /// The whole way from the tensor level to the LLVM dialect.
  std::string tensorLevelToLLVMPipeline() const;

  /// The runtime kernels its code calls (Kernels.h).
  virtual rt::KernelLibrary kernelLibrary() const = 0;
  /// The symbol its code calls for a convolution of `kind` on
  /// `elementType`; failure when its library has none.
  mlir::FailureOr<std::string>
  convolutionKernel(mlir::cst::ConvolutionKind kind,
                    mlir::Type elementType) const;
  /// The runtime functions its generated code calls, which a JIT must
  /// resolve (C symbols, `_mlir_ciface_` wrappers included).
  virtual std::vector<std::string> runtimeSymbols() const = 0;
  /// The runtime function that says whether its device can run code here
  /// (`const char *(void)`: nullptr if so, else why not), and the one that
  /// describes that device; "" for a target that runs on the host alone.
  llvm::StringRef deviceCheckSymbol() const;
  llvm::StringRef deviceDescriptionSymbol() const;
  /// What an executable for it links, in link order (absolute paths of the
  /// build tree's runtime libraries, then system libraries).
  virtual std::vector<std::string> executableLibraries() const = 0;
  /// Whether its code can average over data-parallel replicas
  /// (cst.replica_mean becomes a runtime collective): a program for it is
  /// built with them, and trains under mpirun.
  virtual bool dataParallel() const = 0;
};

/// The registered targets' names, in registration order.
std::vector<std::string> targetNames();
/// "--target cpu or --target cuda": the choices for an option `flag`.
std::string targetChoices(llvm::StringRef flag);
/// Whether a target of that name is registered.
bool isTarget(llvm::StringRef name);
/// The target named `name` with `options`; a std::runtime_error naming the
/// registered targets when there is none.
std::unique_ptr<Target> createTarget(llvm::StringRef name,
                                     const TargetOptions &options = {});
/// The first registered target, the host's: what `cscc run`, `grad` and
/// `--emit=llvm` compile for.
std::unique_ptr<Target> createHostTarget(const TargetOptions &options = {});

/// Every target's pass pipelines (csc-opt).
void registerTargetPassPipelines();
/// Every target's dialect extensions and translations (csc-opt, which
/// runs any target's pipeline).
void registerTargetExtensions(mlir::DialectRegistry &registry);

/// The kernel names a convolution or a replica mean bufferizes into, for
/// mlir::cst::registerBufferizableOpInterfaceExternalModels: the host
/// library's. Every target's buffers start there (the buffer pipeline is
/// shared); a target with kernels of its own redirects the calls where it
/// moves the buffers (the CUDA target's cscc-device-buffers).
mlir::cst::KernelNaming bufferizationKernelNaming();

/// The names of a library's convolution kernels (Kernels.def), for a
/// target's convolutionKernel.
mlir::FailureOr<std::string>
convolutionKernelOf(rt::KernelLibrary library, mlir::cst::ConvolutionKind kind,
                    mlir::Type elementType);

/// The libraries every executable links, as CMake found them
/// (lib/Target/CMakeLists.txt): the executable's main and the trainer,
/// `targetLibraries` (a target's own runtime, which uses the host
/// runtime), then the host runtime and the system libraries.
std::vector<std::string>
hostExecutableLibraries(llvm::ArrayRef<std::string> targetLibraries = {});

} // namespace cscc

#endif
