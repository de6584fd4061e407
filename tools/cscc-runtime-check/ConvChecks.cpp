//===- ConvChecks.cpp - cscc-runtime-check: conv ----------------------------===//
//
// conv: one convolution through the extern "C" entry points the generated
// code calls (or the C++ API, or the plain loops), on .npy operands placed
// in strided views (ConvViews.h).
//
//===----------------------------------------------------------------------===//
#include "Checks.h"
#include "ConvViews.h"

#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/ConvABI.h"
#include "cscc/Runtime/Kernels.h"
#include "cscc/Runtime/Words.h"
#include "cscc/Runtime/Npy.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

/// The conv subcommand's words for the three convolutions.
constexpr Word<Conv2dKind> kConvOpWords[] = {
    {"fwd", Conv2dKind::Forward},
    {"bwd_data", Conv2dKind::BackwardData},
    {"bwd_filter", Conv2dKind::BackwardFilter}};

Placement parseView(const std::string &spec, int64_t channels,
                    const char *what) {
  int64_t c0, c1;
  if (spec.find(':') == std::string::npos)
    c0 = parseInteger(spec, what), c1 = c0 + channels;
  else
    std::tie(c0, c1) = parsePair(spec, ':', what);
  if (c0 < 0 || c1 - c0 != channels)
    throw UsageError(std::string(what) + " " + spec + " must cover the " +
                     std::to_string(channels) + " channels of the operand");
  Placement p;
  p.c0 = c0;
  p.cAfter = 3;
  return p;
}

template <typename T>
int runConv(const std::string &op, const CommandLine &args, DType dt) {
  args.expectPositionals(3, "conv OP A.npy B.npy -o OUT.npy");
  if (!args.has("-o"))
    throw UsageError("conv needs -o OUT.npy");
  Tensor A = convertDType(readNpy(args.positionals()[1]), dt);
  Tensor B = convertDType(readNpy(args.positionals()[2]), dt);
  if (A.shape.size() != 4 || B.shape.size() != 4)
    throw UsageError("conv operands must be 4-D (got " + shapeString(A.shape) +
                     " and " + shapeString(B.shape) + ")");
  ConvParams p;
  p.stride = parseInteger(args.get("--stride", "1"), "stride");
  p.dilation = parseInteger(args.get("--dilation", "1"), "dilation");
  p.padding = parseInteger(args.get("--padding", "0"), "padding");
  if (args.has("--layout"))
    setLayoutFlag(args.get("--layout"));
  if (args.has("--dilated-filter-grad"))
    setDilatedFilterGradFlag(args.get("--dilated-filter-grad"));
  const int64_t *a = A.shape.data(), *b = B.shape.data();
  int64_t out[4];
  std::optional<Conv2dKind> parsed = lookupWord(kConvOpWords, op);
  if (!parsed)
    throw UsageError("unknown conv op '" + op +
                     "' (fwd, bwd_data, bwd_filter)");
  Conv2dKind kind = *parsed;
  switch (kind) {
  case Conv2dKind::Forward:
    out[0] = a[0], out[1] = b[0];
    out[2] = convOutputSize(a[2], b[2], p);
    out[3] = convOutputSize(a[3], b[3], p);
    break;
  case Conv2dKind::BackwardData:
    out[0] = a[0], out[1] = b[1];
    out[2] = (a[2] - 1) * p.stride - 2 * p.padding + p.dilation * (b[2] - 1) + 1;
    out[3] = (a[3] - 1) * p.stride - 2 * p.padding + p.dilation * (b[3] - 1) + 1;
    break;
  case Conv2dKind::BackwardFilter: {
    if (!args.has("--kernel"))
      throw UsageError("conv bwd_filter needs --kernel K (or KHxKW)");
    std::string k = args.get("--kernel");
    int64_t kh, kw;
    if (k.find('x') != std::string::npos)
      std::tie(kh, kw) = parsePair(k, 'x', "kernel");
    else
      kh = kw = parseInteger(k, "kernel");
    out[0] = b[1], out[1] = a[1], out[2] = kh, out[3] = kw;
    break;
  }
  }
  if (args.has("--out-size")) {
    if (kind == Conv2dKind::BackwardFilter)
      throw UsageError("bwd_filter takes --kernel, not --out-size");
    std::tie(out[2], out[3]) = parsePair(args.get("--out-size"), 'x', "size");
  }
  for (int d = 0; d < 4; ++d)
    out[d] = std::max<int64_t>(out[d], 0);

  Placement base;
  base.margin = parseInteger(args.get("--margin", "0"), "margin");
  base.nhwc = args.has("--nhwc");
  base.reverseW = args.has("--reverse-w");
  Placement pa = base, pb = base, po = base;
  if (args.has("--view")) {
    Placement v = parseView(args.get("--view"), a[1], "--view");
    pa.c0 = v.c0, pa.cAfter = v.cAfter;
  }
  if (args.has("--out-view")) {
    Placement v = parseView(args.get("--out-view"), out[1], "--out-view");
    po.c0 = v.c0, po.cAfter = v.cAfter;
  }
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const T sentinel = T(12345.5);
  Stored<T> sa = place<T>(a, pa, nan), sb = place<T>(b, pb, nan),
            so = place<T>(out, po, sentinel);
  if (args.has("--alias-out"))
    so.view.strides[1] = 0;
  fillFrom(sa.view, A.as<T>());
  fillFrom(sb.view, B.as<T>());
  // The output view starts as NaN so that an element left unwritten shows.
  {
    std::vector<T> nans(static_cast<size_t>(so.view.numel()), nan);
    fillFrom(so.view, nans.data());
  }

  if (args.has("--print-impl")) {
    if constexpr (std::is_same_v<T, float>)
      std::printf("impl: %s\n", oneDnnImplementation(op.c_str(), sa.view,
                                                     sb.view, so.view, p)
                                    .c_str());
    else
      std::printf("impl: loops\n");
  }

  std::string impl = args.get("--impl", "abi");
  std::string device = args.get("--device", "cpu");
  if (device != "cpu" && device != "cuda")
    throw UsageError("unknown --device '" + device + "' (cpu or cuda)");
  if (args.has("--host-pointers") && device != "cuda")
    throw UsageError("--host-pointers goes with --device cuda");
  if (device == "cuda") {
    if (impl != "abi")
      throw UsageError("--device cuda runs the extern \"C\" entry points "
                       "(--impl abi) only");
    auto ma = sa.memref(), mb = sb.memref(), mo = so.memref();
    std::vector<T> *bufs[3] = {&sa.buf, &sb.buf, &so.buf};
    MemRefDescriptor<T, 4> *ms[3] = {&ma, &mb, &mo};
    cudaConv(op, bufs, ms, p, args.has("--host-pointers"));
  } else if (impl == "abi") {
    auto ma = sa.memref(), mb = sb.memref(), mo = so.memref();
    if constexpr (std::is_same_v<T, float>) {
      if (kind == Conv2dKind::Forward)
        _mlir_ciface_cscc_conv2d_fwd_f32(&ma, &mb, &mo, p.stride, p.dilation,
                                         p.padding);
      else if (kind == Conv2dKind::BackwardData)
        _mlir_ciface_cscc_conv2d_bwd_data_f32(&ma, &mb, &mo, p.stride,
                                              p.dilation, p.padding);
      else
        _mlir_ciface_cscc_conv2d_bwd_filter_f32(&ma, &mb, &mo, p.stride,
                                                p.dilation, p.padding);
    } else {
      if (kind == Conv2dKind::Forward)
        _mlir_ciface_cscc_conv2d_fwd_f64(&ma, &mb, &mo, p.stride, p.dilation,
                                         p.padding);
      else if (kind == Conv2dKind::BackwardData)
        _mlir_ciface_cscc_conv2d_bwd_data_f64(&ma, &mb, &mo, p.stride,
                                              p.dilation, p.padding);
      else
        _mlir_ciface_cscc_conv2d_bwd_filter_f64(&ma, &mb, &mo, p.stride,
                                                p.dilation, p.padding);
    }
  } else if (impl == "cpp") {
    if (kind == Conv2dKind::Forward)
      conv2dForward<T>(sa.view, sb.view, so.view, p);
    else if (kind == Conv2dKind::BackwardData)
      conv2dBackwardData<T>(sa.view, sb.view, so.view, p);
    else
      conv2dBackwardFilter<T>(sa.view, sb.view, so.view, p);
  } else if (impl == "loops") {
    if (kind == Conv2dKind::Forward)
      conv2dForwardLoops<T>(sa.view, sb.view, so.view, p);
    else if (kind == Conv2dKind::BackwardData)
      conv2dBackwardDataLoops<T>(sa.view, sb.view, so.view, p);
    else
      conv2dBackwardFilterLoops<T>(sa.view, sb.view, so.view, p);
  } else {
    throw UsageError("unknown --impl '" + impl + "' (abi, cpp, loops)");
  }

  // Everything outside the output view must still be the sentinel.
  Tensor result(dtypeOf<T>(), {out[0], out[1], out[2], out[3]});
  copyOut(so.view, result.as<T>());
  std::vector<T> marker(static_cast<size_t>(so.view.numel()), sentinel);
  fillFrom(so.view, marker.data());
  size_t changed = 0;
  for (T v : so.buf)
    changed += !(v == sentinel);
  if (changed)
    throw std::runtime_error("the convolution wrote " +
                             std::to_string(changed) +
                             " elements outside its output view");
  writeNpy(args.get("-o"), result);
  return 0;
}

int cmdConv(int argc, char **argv) {
  if (argc < 3)
    throw UsageError("conv needs an op: fwd, bwd_data or bwd_filter");
  // The op is the first positional, then A and B.
  CommandLine args = CommandLine::fromArgv(
      argc, argv, 1,
      {"--nhwc", "--reverse-w", "--print-impl", "--alias-out",
       "--host-pointers"});
  args.allowOnly({"-o", "--dtype", "--stride", "--dilation", "--padding",
                  "--out-size", "--kernel", "--impl", "--layout",
                  "--dilated-filter-grad", "--view",
                  "--out-view", "--margin", "--nhwc", "--reverse-w",
                  "--print-impl", "--alias-out", "--device",
                  "--host-pointers"});
  DType dt = parseDType(args.get("--dtype", "f32"));
  if (dt == DType::F32)
    return runConv<float>(argv[1], args, dt);
  return runConv<double>(argv[1], args, dt);
}

} // namespace

CheckFamily runtime_check::convChecks() {
  CheckFamily family;
  family.usage = R"(  conv fwd|bwd_data|bwd_filter A.npy B.npy -o OUT.npy [options]
      fwd: A = x [N,C,H,W], B = w [K,C,kh,kw], OUT = y
      bwd_data: A = dy [N,K,OH,OW], B = w, OUT = dx [N,C,H,W]
      bwd_filter: A = x, B = dy, OUT = dw [K,C,kh,kw]
    --dtype f32|f64        element type (inputs are converted; default f32)
    --stride S --dilation D --padding P   (defaults 1, 1, 0)
    --out-size HxW         output H, W (bwd_data: default output padding 0;
                           fwd: overrides the formula, to test errors)
    --kernel K | KHxKW     bwd_filter's kernel size (required there)
    --impl abi|cpp|loops   the extern "C" entry point (default; errors
                           abort), the C++ API (errors exit 1), or the
                           plain loops (also for f32)
    --layout plain|strided|any   oneDNN layout policy for f32
    --dilated-filter-grad auto|taps|phases|direct   how f32 runs a
                           dilated bwd_filter (per-tap GEMMs, the phase
                           images, or oneDNN's own call)
    --view C0[:C1]         A is channels [C0, C1) of a buffer of C1+3
                           channels (the rest NaN): a strided view; C1
                           defaults to C0 + A's channels
    --out-view C0[:C1]     OUT is written into channels [C0, C1) of a larger
                           buffer; writes outside it are reported
    --margin M             every operand sits inside a buffer M larger on
                           each side of its last two dimensions
    --nhwc                 every operand is stored channels-last
    --reverse-w            every operand is stored with its last dimension
                           reversed (negative stride)
    --print-impl           print the oneDNN implementation used (f32)
    --alias-out            give the output a channel stride of 0 (its
                           elements overlap: an error)
    --device cpu|cuda      cuda: the CUDA entry points on device copies of
                           the buffers (see cuda-* below; --impl abi only)
    --host-pointers        with --device cuda: pass the host buffers (for
                           calls the shape checks reject)
)";
  family.checks = {
      {"conv", cmdConv},
  };
  return family;
}
