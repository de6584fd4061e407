//===- ConvReplayCheck.cpp - cscc-runtime-check: conv-replay ---------------===//
//
// conv-replay: re-runs the convolutions of traced train steps
// (CSCC_CONV_TRACE, cscc/Runtime/ConvTrace.h) and prints the median time of
// a step's convolutions, through the runtime's entry points and as bare
// oneDNN primitives (cscc/Runtime/ConvReplay.h): bench/train_cpu.py's floor.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include "cscc/Runtime/ConvReplay.h"
#include "cscc/Runtime/ConvTrace.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

const char *const kKinds[3] = {"fwd", "bwd_data", "bwd_filter"};

void printResult(const char *what, const ConvReplayResult &r) {
  auto minmax = std::minmax_element(r.stepMs.begin(), r.stepMs.end());
  std::printf("%s step: median %.3f ms  min %.3f  max %.3f\n", what,
              medianOf(r.stepMs), *minmax.first, *minmax.second);
  for (int k = 0; k < 3; ++k)
    std::printf("%s %s: median %.3f ms  (%d calls)\n", what, kKinds[k],
                medianOf(r.kindMs[k]), r.calls[k]);
  for (size_t i = 0; i < r.callMs.size(); ++i)
    if (r.callMs[i] >= 0)
      std::printf("%s call %zu: %.3f ms  %s\n", what, i + 1, r.callMs[i],
                  r.callWhat[i].c_str());
}

int cmdConvReplay(int argc, char **argv) {
  CommandLine args =
      CommandLine::fromArgv(argc, argv, 1, {"--no-primitive", "--per-call"});
  args.allowOnly({"--steps-from", "--steps-to", "--calls-per-step", "--repeat",
                  "--warmup", "--no-primitive", "--per-call"});
  args.expectPositionals(1, "conv-replay TRACE [options]");
  const std::string path = args.positionals()[0];
  ConvReplayOptions options;
  options.repeat =
      static_cast<int>(parseInteger(args.get("--repeat", "5"), "repeat"));
  options.warmup =
      static_cast<int>(parseInteger(args.get("--warmup", "1"), "warmup"));
  options.perCall = args.has("--per-call");
  if (options.repeat < 1 || options.warmup < 0)
    throw UsageError("--repeat must be at least 1 and --warmup at least 0");
  ConvTrace trace = readConvTrace(path);

  // The steps to replay: marked steps [from, to], or chunks of N calls.
  std::vector<std::vector<TracedConv>> steps;
  std::string what;
  if (args.has("--calls-per-step")) {
    if (args.has("--steps-from") || args.has("--steps-to"))
      throw UsageError("--calls-per-step splits the calls itself; it does "
                       "not go with --steps-from/--steps-to");
    int64_t n = parseInteger(args.get("--calls-per-step"), "calls-per-step");
    if (n < 1)
      throw UsageError("--calls-per-step must be at least 1");
    for (size_t i = 0; i + n <= trace.calls.size(); i += n)
      steps.emplace_back(trace.calls.begin() + i, trace.calls.begin() + i + n);
    if (steps.empty())
      throw std::runtime_error("conv trace '" + path + "' has " +
                               std::to_string(trace.calls.size()) +
                               " calls, fewer than --calls-per-step " +
                               std::to_string(n));
    what = std::to_string(trace.calls.size()) + " calls in " +
           std::to_string(steps.size()) + " chunks of " + std::to_string(n);
  } else {
    if (trace.steps.empty())
      throw std::runtime_error(
          "conv trace '" + path + "' has no marked steps (" +
          std::to_string(trace.calls.size()) +
          " calls; a trace of `cscc train` marks them); give "
          "--calls-per-step N");
    int64_t lo = trace.steps.front().step, hi = trace.steps.back().step;
    int64_t from = args.has("--steps-from")
                       ? parseInteger(args.get("--steps-from"), "steps-from")
                       : lo;
    int64_t to = args.has("--steps-to")
                     ? parseInteger(args.get("--steps-to"), "steps-to")
                     : hi;
    for (const TracedStep &s : trace.steps)
      if (s.step >= from && s.step <= to)
        steps.push_back(s.calls);
    if (steps.empty())
      throw std::runtime_error("conv trace '" + path + "' marks steps " +
                               std::to_string(lo) + "-" + std::to_string(hi) +
                               ", none in " + std::to_string(from) + "-" +
                               std::to_string(to));
    what = std::to_string(trace.steps.size()) + " steps marked (" +
           std::to_string(lo) + "-" + std::to_string(hi) + "), " +
           std::to_string(steps.size()) + " replayed (" +
           std::to_string(std::max(from, lo)) + "-" +
           std::to_string(std::min(to, hi)) + ")";
  }
  size_t fewest = steps[0].size(), most = steps[0].size();
  for (const auto &s : steps)
    fewest = std::min(fewest, s.size()), most = std::max(most, s.size());
  int calls[3] = {0, 0, 0}, f32 = 0, f64 = 0;
  for (const TracedConv &c : steps[0]) {
    ++calls[static_cast<int>(c.op)];
    ++(c.f64 ? f64 : f32);
  }
  std::string perStep = fewest == most ? std::to_string(most)
                                       : std::to_string(fewest) + "-" +
                                             std::to_string(most);
  std::printf("conv-replay: %s: %s; %s calls per step (fwd %d, bwd_data %d, "
              "bwd_filter %d; f32 %d, f64 %d); %d warm-up and %d timed "
              "passes\n",
              path.c_str(), what.c_str(), perStep.c_str(), calls[0], calls[1],
              calls[2], f32, f64, options.warmup, options.repeat);

  ConvReplayResult runtime =
      replayConvolutions(steps, ConvReplayMode::Runtime, options);
  std::printf("runtime buffers: %.1f MiB\n", runtime.bufferBytes / 1048576.0);
  printResult("runtime", runtime);
  if (args.has("--no-primitive"))
    return 0;
  if (f32 == 0) {
    std::printf("primitive: none (no f32 calls; f64 runs the runtime's "
                "loops)\n");
    return 0;
  }
  ConvReplayResult prim =
      replayConvolutions(steps, ConvReplayMode::Primitive, options);
  std::printf("primitive buffers: %.1f MiB%s\n", prim.bufferBytes / 1048576.0,
              prim.skipped ? (", " + std::to_string(prim.skipped) +
                              " calls per step left out (f64, empty or no "
                              "format_tag::any primitive)")
                                 .c_str()
                           : "");
  printResult("primitive", prim);
  return 0;
}

} // namespace

CheckFamily runtime_check::convReplayChecks() {
  CheckFamily family;
  family.usage = R"(  conv-replay TRACE [--steps-from A --steps-to B | --calls-per-step N]
              [--repeat R] [--warmup W] [--no-primitive] [--per-call]
      re-run the convolutions of traced train steps (CSCC_CONV_TRACE=TRACE
      cscc train ...) on buffers of the traced sizes and strides: the median
      ms per step and per operation, through the runtime's entry points and
      (f32) as bare oneDNN primitives without reorders
)";
  family.checks = {
      {"conv-replay", cmdConvReplay},
  };
  return family;
}
