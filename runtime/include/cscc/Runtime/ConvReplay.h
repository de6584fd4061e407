//===- ConvReplay.h - re-run traced convolutions and time them ---*- C++ -*-===//
//
// The calls of traced train steps (ConvTrace.h) re-run on buffers of the
// traced sizes, strides and address alignments, for
// `cscc-runtime-check conv-replay` and bench/train_cpu.py's floor (a train
// step's convolutions alone). Two ways:
//   runtime    each call through the extern "C" entry point the generated
//              code calls (_mlir_ciface_cscc_conv2d_*, ConvABI.h): the
//              runtime's checks, its oneDNN primitive cache look-up, the
//              reorders in and out of the primitive's layout (f64: the
//              runtime's loops).
//   primitive  f32 calls only: the same oneDNN convolutions built here with
//              format_tag::any for every operand (what the runtime's
//              default layout asks for), with operands already in the
//              formats the primitive chose; only execute + wait is timed.
// Buffers are allocated once and shared by calls with the same operation,
// operand and extent (a step's many same-shaped calls reuse them, so caches
// are warmer than in the real step: a floor). Inputs hold values uniform in
// [-1, 1); outputs are never read as inputs.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CONVREPLAY_H
#define CSCC_RUNTIME_CONVREPLAY_H

#include "cscc/Runtime/ConvTrace.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cscc::rt {

enum class ConvReplayMode { Runtime, Primitive };

struct ConvReplayOptions {
  int warmup = 1; ///< untimed passes over the steps first
  int repeat = 5; ///< timed passes
  bool perCall = false;
};

struct ConvReplayResult {
  /// One sample per (timed pass, step): the step's wall time, and the sum
  /// of each operation's calls (fwd, bwd_data, bwd_filter), in ms.
  std::vector<double> stepMs;
  std::vector<double> kindMs[3];
  /// Calls of each operation per step that were run (the first step).
  int calls[3] = {0, 0, 0};
  /// Calls per step left out: Primitive skips f64 calls, empty ones and
  /// those oneDNN has no format_tag::any primitive for (the first step).
  int skipped = 0;
  size_t bufferBytes = 0;
  /// With perCall: per call of the first step, its median ms (negative when
  /// skipped) and what ran (the traced call, or oneDNN's implementation).
  std::vector<double> callMs;
  std::vector<std::string> callWhat;
};

/// Replays `steps` (each a step's calls in order); throws what the calls
/// throw (a runtime entry point aborts on a bad call, as for generated
/// code).
ConvReplayResult replayConvolutions(
    const std::vector<std::vector<TracedConv>> &steps, ConvReplayMode mode,
    const ConvReplayOptions &options);

/// One f32 convolution from `c` input channels to `k`, square images and
/// kernel, and the width of the parts it is split into by timeConvParts.
struct ConvPartsShape {
  int64_t n = 128, c = 48, k = 16, hw = 14, kernel = 3;
  ConvParams params;
  int64_t part = 16;
  /// Activations (and their gradients) dense channels-last (NHWC) instead
  /// of the formats oneDNN picks; the weights stay oneDNN's choice.
  bool channelsLast = false;
};

/// Median ms per convolution of each operation (fwd, bwd_data,
/// bwd_filter), whole and as the sum over its c / part input-channel parts,
/// and oneDNN's implementation of the whole forward.
struct ConvPartsTiming {
  double whole[3] = {0, 0, 0};
  double parts[3] = {0, 0, 0};
  std::string impl;
};

/// Bare oneDNN primitives (format_tag::any for every operand, operands
/// already in the formats chosen; execute + wait timed), for a convolution
/// over a concatenation of parts done two ways: one call over all `c`
/// channels, and one call per part of `part` channels, each part its own
/// dense tensor: the forward accumulating into its output (oneDNN's sum
/// post-op from the second part on), backward data writing each part's
/// input gradient, backward weights each part's slice of the filter
/// gradient. `part` must divide `c`. Medians of `iters` after `warmup`.
ConvPartsTiming timeConvParts(const ConvPartsShape &shape, int iters,
                              int warmup);

/// The median (the mean of the middle two for an even count; 0 if empty).
double medianOf(std::vector<double> v);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_CONVREPLAY_H
