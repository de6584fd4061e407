//===- ProgramBuilder.h - A model's train and eval functions ----*- C++ -*-===//
//
// Compiles an elaborated model into the functions the training runtime
// calls (runtime/include/cscc/Runtime/Program.h):
//   @train_update  train-mode forward, cst-autodiff's backward pass and
//                  cst-optimizer's fused parameter update
//   @evaluate      eval-mode forward (running statistics) with the loss
// both at the tensor level in one module, plus the ProgramInfo describing
// every argument and result. `cscc train` JIT-compiles the module;
// `cscc build` emits it as an object file.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_PROGRAMBUILDER_H
#define CSCC_EXECUTION_PROGRAMBUILDER_H

#include "cscc/Frontend/Model.h"
#include "cscc/Runtime/Program.h"
#include "cscc/Runtime/Trainer.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <memory>
#include <string>

namespace cscc {

class JitModel;
class SourceManager;

struct ProgramOptions {
  bool f64 = false;
  rt::OptimizerKind optimizer = rt::OptimizerKind::Sgd;
  bool momentum = true;          ///< SGD: keep a momentum buffer
  bool nesterov = false;
  double stepLrScale = 1;        ///< the pursuits' steps: their lr factor
  bool recompute = true;         ///< cst-autodiff's keep/recompute rule
  bool training = true;          ///< build @train_update
  /// Also build @evaluate_batch_stats: the train-mode forward (batch
  /// statistics, running statistics untouched), for `eval --bn-stats
  /// batch`.
  bool batchStatsEval = false;
  /// Also build @pursuit_codes and the dictionaries' synthesis
  /// (appendPursuitCodes), for measuring the codes after every epoch.
  bool pursuitCodes = false;
  /// @train_update averages its gradients over the data-parallel replicas
  /// (cst-optimizer's replica-mean): for targets whose runtime has the
  /// collective (Target::dataParallel).
  bool dataParallel = false;
  /// Train-mode batch norm synchronised over the data-parallel replicas
  /// (cst-sync-batch-norm): the train section's bn_sync.
  bool bnSync = false;
  /// With dataParallel: the gradients' buckets, at least this many KiB,
  /// each begun as the backward pass finishes it (cst-optimizer's
  /// replica-bucket-bytes); 0: one bucket after the backward pass. The
  /// train section's allreduce_bucket_kb.
  int64_t allreduceBucketKb = 0;
};

/// The model's train section as the runtime's `key=value` settings
/// (rt::parseTrainSettings reads them).
std::map<std::string, std::string> trainSettingsOf(const TrainConfig &config);

/// Checks the settings (the train section with the flags applied) against
/// what the model file says: a flag that makes the file's settings
/// contradictory (--momentum 0 with nesterov = true) is a CompileError at
/// the file's text, as the front end reports it.
void checkSettingsAgainstModel(const rt::TrainSettings &settings,
                               const Model &model);

/// Appends to `module` (tensor level) one function per dictionary of the
/// model whose stability c L decides (a pursuit that iterates, not under
/// `bn = prox`: DictionaryUse::iterated, ::normalised),
/// @dictionary_gram_<i>(v) = D^T D v on a batch of codes, and
/// describes them in `info` (functions, dictionaries): what the runtime's
/// Lipschitz estimates call (cscc/Runtime/Lipschitz.h).
/// Which dictionaries appendDictionaryGrams compiles.
enum class GramSelection {
  StabilityDecided, ///< those whose c L decides stability (the steps' init)
  All,              ///< every dictionary (`cscc analyze`), in
                    ///< Model::dictionaryUses order
};
mlir::LogicalResult appendDictionaryGrams(
    mlir::MLIRContext &context, const Model &model, const SourceManager &sm,
    bool f64, mlir::ModuleOp module, rt::ProgramInfo &info,
    GramSelection selection = GramSelection::StabilityDecided);

/// Appends to `module` (tensor level) @pursuit_codes, the eval-mode
/// forward pass (running statistics) returning its last tensor and the
/// input signal and the code of every layer-wise pursuit
/// (mlirGenPursuitCodes), and one @dictionary_synthesis_<i>(g) = D g per
/// such pursuit (i its index in Model::dictionaryUses); describes them in
/// `info` (functions, pursuitCodes). What `cscc analyze --input` and
/// training with `analyze_codes` measure codes with on data.
mlir::LogicalResult appendPursuitCodes(mlir::MLIRContext &context,
                                       const Model &model,
                                       const SourceManager &sm, bool f64,
                                       mlir::ModuleOp module,
                                       rt::ProgramInfo &info);

/// Makes every function `program.info` describes callable through `jit`
/// (compiled from the module those functions came from).
void bindCompiledFunctions(rt::Program &program, std::shared_ptr<JitModel> jit);

/// Builds the tensor-level module (@train_update, @evaluate) and fills
/// `info`. Diagnostics go to the context's handler; returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
buildProgramModule(mlir::MLIRContext &context, const Model &model,
                   const SourceManager &sm, const ProgramOptions &options,
                   rt::ProgramInfo &info);

/// The roles of a tensor-level function's arguments and results, read from
/// the cst.* attributes.
rt::FunctionInfo describeFunction(mlir::ModuleOp module,
                                  const std::string &name);

} // namespace cscc

#endif
