//===- ConvBenchCheck.cpp - cscc-runtime-check: conv-bench ------------------===//
//
// conv-bench: the median time of the three f32 convolution primitives.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/ConvReplay.h"
#include "cscc/Runtime/Init.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

int cmdConvBench(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {"--view", "--nhwc"});
  args.allowOnly({"--n", "--c", "--k", "--hw", "--kernel", "--stride",
              "--dilation", "--padding", "--iters", "--warmup", "--layout",
              "--dilated-filter-grad", "--view", "--nhwc", "--parts"});
  args.expectPositionals(0, "no positional arguments");
  int64_t N = parseInteger(args.get("--n", "128"), "n");
  int64_t C = parseInteger(args.get("--c", "16"), "c");
  int64_t K = parseInteger(args.get("--k", "16"), "k");
  int64_t S = parseInteger(args.get("--hw", "28"), "hw");
  int64_t k = parseInteger(args.get("--kernel", "3"), "kernel");
  ConvParams p;
  p.stride = parseInteger(args.get("--stride", "1"), "stride");
  p.dilation = parseInteger(args.get("--dilation", "2"), "dilation");
  p.padding = parseInteger(args.get("--padding", "2"), "padding");
  int iters = static_cast<int>(parseInteger(args.get("--iters", "20"), "iters"));
  int warmup = static_cast<int>(parseInteger(args.get("--warmup", "3"), "warmup"));
  if (args.has("--parts")) {
    // Bare primitives: the convolution over all C channels against the
    // sum of its C / P per-part convolutions, each part a dense tensor.
    ConvPartsShape shape;
    shape.n = N, shape.c = C, shape.k = K, shape.hw = S, shape.kernel = k;
    shape.params = p;
    shape.part = parseInteger(args.get("--parts"), "parts");
    shape.channelsLast = args.has("--nhwc");
    ConvPartsTiming t = timeConvParts(shape, iters, warmup);
    std::printf("N=%lld C=%lld K=%lld %lldx%lld kernel %lld stride %lld "
                "dilation %lld padding %lld; bare primitives (%s)%s, median "
                "ms per convolution\n",
                (long long)N, (long long)C, (long long)K, (long long)S,
                (long long)S, (long long)k, (long long)p.stride,
                (long long)p.dilation, (long long)p.padding, t.impl.c_str(),
                shape.channelsLast ? ", activations dense NHWC" : "");
    const char *names[3] = {"fwd", "bwd_data", "bwd_filter"};
    for (int op = 0; op < 3; ++op)
      std::printf("%-10s whole %8.3f  %lld parts of %lld %8.3f  (%.2fx)\n",
                  names[op], t.whole[op], (long long)(C / shape.part),
                  (long long)shape.part, t.parts[op],
                  t.parts[op] / t.whole[op]);
    return 0;
  }
  std::string l = args.get("--layout", "plain");
  setLayoutFlag(l);
  if (args.has("--dilated-filter-grad"))
    setDilatedFilterGradFlag(args.get("--dilated-filter-grad"));
  int64_t O = convOutputSize(S, k, p);
  Rng rng(1);
  // With --view, x is channels [C, 2C) of a 3C-channel buffer.
  bool view = args.has("--view");
  int64_t xc = view ? 3 * C : C;
  std::vector<float> xbuf(N * xc * S * S), w(K * C * k * k), y(N * K * O * O),
      dy(N * K * O * O), dx(N * xc * S * S), dw(K * C * k * k);
  for (float &v : xbuf)
    v = static_cast<float>(rng.normal());
  for (float &v : w)
    v = static_cast<float>(rng.normal() * 0.1);
  for (float &v : dy)
    v = static_cast<float>(rng.normal());
  // With --nhwc, activations are stored channels-last (NHWC) and described
  // to the runtime by their strides; a channel slice is then a view whose
  // channel stride is 1 and pixel stride the buffer's channel count.
  bool nhwc = args.has("--nhwc");
  auto activation = [&](float *data, int64_t channels, int64_t size) {
    TensorView<float> v = TensorView<float>::dense(data, N, channels, size,
                                                   size);
    if (nhwc) {
      v.strides[0] = channels * size * size;
      v.strides[1] = 1;
      v.strides[2] = size * channels;
      v.strides[3] = channels;
    }
    return v;
  };
  auto xview = [&](std::vector<float> &buf) {
    TensorView<float> v = activation(buf.data(), xc, S);
    if (view)
      v.data += C * v.strides[1];
    v.sizes[1] = C;
    return v;
  };
  TensorView<float> X = xview(xbuf), DX = xview(dx);
  auto W = TensorView<float>::dense(w.data(), K, C, k, k);
  auto DW = TensorView<float>::dense(dw.data(), K, C, k, k);
  auto Y = activation(y.data(), K, O);
  auto DY = activation(dy.data(), K, O);

  auto time = [&](const char *name, auto fn, const TensorView<float> &a,
                  const TensorView<float> &b, const TensorView<float> &o) {
    for (int i = 0; i < warmup; ++i)
      fn(a, b, o, p);
    std::vector<double> ms;
    for (int i = 0; i < iters; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      fn(a, b, o, p);
      auto t1 = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-10s %8.3f ms  (min %.3f)  %s\n", name, ms[ms.size() / 2],
                ms.front(), oneDnnImplementation(name, a, b, o, p).c_str());
  };
  std::printf("N=%lld C=%lld K=%lld %lldx%lld kernel %lld stride %lld "
              "dilation %lld padding %lld layout %s%s\n",
              (long long)N, (long long)C, (long long)K, (long long)S,
              (long long)S, (long long)k, (long long)p.stride,
              (long long)p.dilation, (long long)p.padding, l.c_str(),
              view ? " (x, dx: channel-slice views)" : "");
  if (nhwc)
    std::printf("activations channels-last (NHWC strides)\n");
  time("fwd", conv2dForward<float>, X, W, Y);
  time("bwd_data", conv2dBackwardData<float>, DY, W, DX);
  time("bwd_filter", conv2dBackwardFilter<float>, X, DY, DW);
  return 0;
}

} // namespace

CheckFamily runtime_check::convBenchChecks() {
  CheckFamily family;
  family.usage = R"(  conv-bench [--n N --c C --k K --hw S --kernel K --stride S --dilation D
              --padding P --iters I --warmup W --layout L --view --nhwc
              --dilated-filter-grad auto|taps|phases|direct]
      time the three f32 primitives (median ms per call)
  conv-bench --parts P [--nhwc --n --c --k --hw --kernel --stride
              --dilation --padding --iters --warmup]
      bare oneDNN primitives on dense operands in the formats they choose:
      the convolution from C channels against the sum of its C / P
      convolutions from P channels each (forward accumulating with a sum
      post-op), as a convolution over a concatenation of dense parts would
      run; with --nhwc every activation is a dense NHWC tensor
)";
  family.checks = {
      {"conv-bench", cmdConvBench},
  };
  return family;
}
