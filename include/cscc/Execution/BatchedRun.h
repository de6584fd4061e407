//===- BatchedRun.h - A compiled forward pass over many images -*- C++ -*-===//
#ifndef CSCC_EXECUTION_BATCHEDRUN_H
#define CSCC_EXECUTION_BATCHEDRUN_H

#include "cscc/Execution/JitModel.h"
#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace cscc {

/// Calls the compiled forward pass `jit` on `input` [N, C, H, W] in
/// batches of `batchSize` images and returns its first result for all N
/// images: [N, K] for logits ([N, K, 1, 1]), else [N, C, H, W]. `repeat` >
/// 0 then times that many more passes (reportRepeatTiming, "forward").
rt::Tensor runForwardInBatches(JitModel &jit,
                               const std::vector<rt::Tensor> &weights,
                               const rt::Tensor &input, int64_t batchSize,
                               int64_t repeat = 0);

/// Calls `step` `repeat` times (after a warm-up the caller made) and prints
/// "WHAT: MS ms for N images (R repeats)" to stderr: the compiled code
/// alone, no compilation or file I/O (bench/).
void reportRepeatTiming(const char *what, int64_t repeat, int64_t images,
                        const std::function<void()> &step);

} // namespace cscc

#endif // CSCC_EXECUTION_BATCHEDRUN_H
