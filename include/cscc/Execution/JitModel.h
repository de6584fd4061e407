//===- JitModel.h - A model compiled in memory ------------------*- C++ -*-===//
//
// Takes a model at the tensor level (after the first half of the pipeline),
// records its signature (input, parameters by name, results), lowers it to
// LLVM through a target (cscc/Target/Target.h) and compiles it with MLIR's
// ExecutionEngine (LLVM -O3, host CPU, so the generated loops are
// vectorised). The target's runtime calls (the convolutions; for CUDA the
// GPU runtime ABI) resolve to the runtime linked into this process.
// Errors are std::runtime_error.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_JITMODEL_H
#define CSCC_EXECUTION_JITMODEL_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
}

namespace cscc {

class Target;
class JitMemory;

/// A tensor the model takes: a parameter or running statistic.
struct ParamInfo {
  std::string name;
  std::string init;
  std::vector<int64_t> shape;
  bool state = false; // running statistics (not learned)
};

/// What @forward takes and returns. Shapes use -1 for the batch.
struct ModelSignature {
  std::vector<int64_t> input; // [-1, C, H, W]
  bool hasLabels = false;
  std::vector<ParamInfo> params; // in argument order
  std::vector<std::vector<int64_t>> results;
  /// Per result: the parameter it is the gradient of (`cst.grad`), or "".
  std::vector<std::string> resultGradOf;
  bool f64 = false;

  /// Reads the signature of `entry` (@forward, or @train_step built by
  /// cst-autodiff) at the tensor level: parameters named by `cst.param`
  /// argument attributes.
  static ModelSignature read(mlir::ModuleOp module,
                             const std::string &entry = "forward");
};

/// A host buffer handed to the compiled function: data and full shape.
struct Buffer {
  void *data = nullptr;
  std::vector<int64_t> shape;
};

class JitModel {
public:
  /// Lowers `module` (tensor level, consumed) to LLVM for the host target
  /// and compiles it; `invoke` calls the function `entry`.
  /// `gpuLoops`: the host target with the CUDA target's loop layout
  /// (TargetOptions::gpuLoopLayout).
  static std::unique_ptr<JitModel> compile(mlir::ModuleOp module,
                                           const std::string &entry = "forward",
                                           bool gpuLoops = false);
  /// Lowers and compiles every function of `module` for `target` (no
  /// signature is read); call them with the `invoke` that names its entry.
  /// The target's runtime symbols must be linked into this process (an
  /// error names the first that is not).
  static std::unique_ptr<JitModel> compileAll(mlir::ModuleOp module,
                                              const Target &target);
  ~JitModel();

  const ModelSignature &signature() const { return sig; }

  /// Runs the entry: `args` are the input, the labels (if any) and every
  /// parameter in signature order; `results` are written in place (their
  /// shapes with the batch filled in).
  void invoke(const std::vector<Buffer> &args, std::vector<Buffer> &results);
  /// The same for the function `entry` (one of a compileAll module).
  void invoke(const std::string &entry, const std::vector<Buffer> &args,
              const std::vector<Buffer> &results);

private:
  JitModel() = default;
  ModelSignature sig;
  std::string entry;
  /// The code's memory (JitModel.cpp): declared before the engine, which
  /// releases its sections into it when destroyed.
  std::unique_ptr<JitMemory> memory;
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

} // namespace cscc

#endif
