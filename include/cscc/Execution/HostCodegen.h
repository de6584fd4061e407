//===- HostCodegen.h - One way to turn a model into host machine code -----===//
//
// The JIT (`cscc train`, `run`, ...) and `cscc build` must run the same
// machine code: both translate the lowered module with
// translateForHost (host triple and data layout, every function tagged
// with the host CPU and its features, LLVM's -O3) and generate code with
// hostTargetMachine. Without the per-function tags the JIT's code
// generator fell back to baseline x86-64 (SSE2) and ran the generated
// loops 1.5x slower than the executable.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_HOSTCODEGEN_H
#define CSCC_EXECUTION_HOSTCODEGEN_H

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
class Operation;
} // namespace mlir

namespace cscc {

/// The host's target machine: its CPU and features, position-independent
/// code (an executable is a PIE), the small code model, -O3 code
/// generation. Throws when the host cannot be detected.
std::unique_ptr<llvm::TargetMachine> hostTargetMachine();

/// What hostTargetMachine compiles for, as "cpu=NAME features=+a,-b,...":
/// for diagnostics and the test that both paths agree.
std::string describeHostTarget(const llvm::TargetMachine &tm);

/// LLVM's -O3 module pipeline for `tm` (less CalledValuePropagation, whose
/// cost grows with the arguments of the generated code's calls).
void optimizeForHost(llvm::Module &m, llvm::TargetMachine &tm);

/// Translates a module of the LLVM dialect to LLVM IR for `tm`: triple and
/// data layout set, each defined function given "target-cpu" and
/// "target-features", then optimizeForHost. Throws on failure.
std::unique_ptr<llvm::Module> translateForHost(mlir::Operation *module,
                                               llvm::LLVMContext &context,
                                               llvm::TargetMachine &tm);

} // namespace cscc

#endif // CSCC_EXECUTION_HOSTCODEGEN_H
