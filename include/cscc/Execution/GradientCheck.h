//===- GradientCheck.h - The train step and its gradient check -*- C++ -*-===//
//
// cst-autodiff builds @train_step from the train-mode @forward; it is
// compiled once and called on the weights (`cscc grad`). The check compares
// random coordinates of the gradient with central differences of the loss
// that the same compiled function returns: the forward half of @train_step
// is the forward pass, so the reference does not depend on the backward
// code.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_GRADIENTCHECK_H
#define CSCC_EXECUTION_GRADIENTCHECK_H

#include "cscc/Execution/JitModel.h"
#include "cscc/Runtime/Tensor.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace cscc {

/// The compiled train step with its arguments and result buffers.
struct TrainStep {
  std::unique_ptr<JitModel> jit;
  std::vector<rt::Tensor> weights; ///< every parameter, state included
  rt::Tensor input, labels;
  std::vector<rt::Tensor> results;
  size_t lossIndex = 0;

  const ModelSignature &sig() const { return jit->signature(); }
  void run();
  double loss() const;
  /// The gradient of each learned parameter, by the parameter's name.
  std::map<std::string, rt::Tensor> gradients() const;
};

/// Where the train step's arguments come from: files, or (each left empty)
/// what `cscc init --seed` writes, a N(0, 1) batch of `batchSize` images
/// and random labels, all from `seed`.
struct TrainStepInputs {
  std::string weights, input, labels;
  uint64_t seed = 0;
  int64_t batchSize = 2;
};

/// Compiles @train_step of `module` (at the tensor level, after
/// cst-autodiff), loads or makes its arguments and runs it once; throws
/// when the loss is not finite.
TrainStep prepareTrainStep(mlir::ModuleOp module, const TrainStepInputs &in,
                           bool gpuLoops);

/// Compares `coordinates` random coordinates of the gradient (round-robin
/// over the learned tensors, from `seed`) with finite differences of the
/// loss and prints a table to `os`; true when every compared coordinate
/// is within tolerance and at most a tenth sit at a kink.
bool finiteDifferenceCheck(TrainStep &step, int64_t coordinates,
                           uint64_t seed, std::ostream &os);

} // namespace cscc

#endif // CSCC_EXECUTION_GRADIENTCHECK_H
