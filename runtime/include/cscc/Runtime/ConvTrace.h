//===- ConvTrace.h - a trace of the convolution calls ------------*- C++ -*-===//
//
// With the environment variable CSCC_CONV_TRACE=FILE, every call of the
// runtime's f32 and f64 convolutions (conv2dForward, conv2dBackwardData,
// conv2dBackwardFilter: what the generated code calls) writes one line to
// FILE, and the training loop writes a line before and after each train step.
// `cscc-runtime-check conv-replay FILE` re-runs the calls of the traced steps
// on buffers of the same sizes and strides (bench/train_cpu.py's floor: a
// train step's convolutions alone). The file is created (truncated) by the
// first line a process writes; every line is flushed as it is written, so an
// aborted run leaves a whole trace up to its last call.
//
// Format (one record a line, fields separated by single spaces):
//   # cscc conv trace 1
//   conv OP DTYPE A SIZES STRIDES B SIZES STRIDES C SIZES STRIDES stride S
//        dilation D padding P align A0,A1,A2
//   step N begin
//   step N end
// OP is fwd (x, w, y), bwd_data (dy, w, dx) or bwd_filter (x, dy, dw), the
// operands in argument order; DTYPE f32 or f64; SIZES and STRIDES four
// comma-separated integers each (strides in elements); align is each
// operand's data address modulo 64 bytes. N is the optimiser step (1-based,
// as --stop-after counts). For example
//   conv fwd f32 x 128,1,28,28 784,784,28,1 w 16,1,3,3 9,9,3,1
//        y 128,16,28,28 12544,784,28,1 stride 1 dilation 1 padding 1
//        align 0,0,0
// (one line).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CONVTRACE_H
#define CSCC_RUNTIME_CONVTRACE_H

#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/Kernels.h"
#include "cscc/Runtime/MemRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cscc::rt {

/// "fwd", "bwd_data", "bwd_filter": Kernels.def's word for the kind.
const char *convTraceOpName(Conv2dKind op);

/// Whether CSCC_CONV_TRACE names a file (read once per process).
bool convTraceEnabled();

/// Appends the call's line when tracing; does nothing otherwise.
template <typename T>
void traceConv(Conv2dKind op, const TensorView<T> &a, const TensorView<T> &b,
               const TensorView<T> &c, const ConvParams &p);

/// Appends "step N begin" / "step N end" when tracing.
void traceStepBegin(int64_t step);
void traceStepEnd(int64_t step);

/// One traced call.
struct TracedConv {
  Conv2dKind op = Conv2dKind::Forward;
  bool f64 = false;
  int64_t sizes[3][4] = {};
  int64_t strides[3][4] = {};
  int64_t align[3] = {}; ///< data address modulo 64 bytes
  ConvParams params;
  int64_t line = 0; ///< 1-based line in the trace file
};

/// The calls of one marked step, in order.
struct TracedStep {
  int64_t step = 0;
  std::vector<TracedConv> calls;
};

/// A trace file: every call in order, and the marked steps.
struct ConvTrace {
  std::vector<TracedConv> calls;
  std::vector<TracedStep> steps;
};

/// Reads a trace written by traceConv; throws std::runtime_error naming the
/// file and line for anything it does not recognise.
ConvTrace readConvTrace(const std::string &path);

/// The call as it would be traced (without the leading "conv ").
std::string describeTracedConv(const TracedConv &c);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_CONVTRACE_H
