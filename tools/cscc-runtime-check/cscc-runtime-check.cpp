//===- cscc-runtime-check.cpp - drive the runtime library from tests ------===//
//
// A small command-line front to CsccRuntime for the lit tests in
// test/Runtime: convolutions through the extern "C" entry points the
// generated code calls (on .npy operands, optionally placed in strided
// views), safetensors and .npy reading and writing, data set readers (IDX,
// CIFAR, SVHN), the data loader (splits, statistics, batches written as
// .npy for Python to re-derive), weight initialisation, and a convolution
// benchmark. Run with --help for the subcommands.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/ConvABI.h"
#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/Datasets.h"
#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Npy.h"
#include "cscc/Runtime/Safetensors.h"

#include "CommandLine.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include <matio.h>
#include <sys/stat.h>

using namespace cscc::rt;
using namespace runtime_check;

// Subcommands for the training runtime (checkpoints, metrics, curves,
// progress), in TrainingChecks.cpp: returns -1 for a command it does not
// know.
int runTrainingCheck(const std::string &cmd, int argc, char **argv);
extern const char *kTrainingUsage;

// Subcommands for the CUDA runtime (CudaChecks.cpp): -1 for a command it
// does not know; and `conv --device cuda`.
int runCudaCheck(const std::string &cmd, int argc, char **argv);
extern const char *kCudaUsage;
void cudaConv(const std::string &op, std::vector<float> *bufs[3],
              MemRefDescriptor<float, 4> *m[3], const ConvParams &p,
              bool hostPointers);
void cudaConv(const std::string &op, std::vector<double> *bufs[3],
              MemRefDescriptor<double, 4> *m[3], const ConvParams &p,
              bool hostPointers);

namespace {

const char *kUsage = R"(usage: cscc-runtime-check COMMAND ...

  conv fwd|bwd_data|bwd_filter A.npy B.npy -o OUT.npy [options]
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
  conv-bench [--n N --c C --k K --hw S --kernel K --stride S --dilation D
              --padding P --iters I --warmup W --layout L --view]
      time the three f32 primitives (median ms per call)
  safetensors-list FILE               metadata, then NAME DTYPE [SHAPE]
  safetensors-roundtrip IN OUT        read IN, write it as OUT
  safetensors-pack OUT NAME=FILE.npy... [--meta KEY=VALUE]...
  safetensors-get FILE NAME -o OUT.npy
  npy-info FILE                       DESCR [SHAPE]
  npy-roundtrip IN OUT
  npy-convert IN --dtype f32|f64 -o OUT
  datasets-idx IMAGES LABELS          read an IDX (MNIST) images and labels
                                      file (plain or gzip) and print a
                                      summary (see datasets-cifar)
  datasets-cifar CLASSES FILES...     read CIFAR-10/100 binary batches
      (CLASSES 10 or 100) and print N, the images' shape, the classes, the
      first 10 labels, the count of each label, the sum of the pixels and
      their checksum sum_i (i % 65521 + 1) * pixel[i] (i in C order)
  datasets-svhn FILE.mat              read an SVHN cropped-digits MAT file
                                      (v5 or v7.3) and print the summary
  datasets-load KIND [DIR] [--data-seed S] [--npy OUTDIR]
      loadData: print 'description: ...', then '[train]' and '[test]' with
      a summary each; --npy writes OUTDIR/{train,test}_{images,labels}.npy
      (KIND: fashion_mnist, mnist, cifar10, cifar100, svhn, simulated)
  dataloader-dump KIND [DIR] -o OUTDIR [options]
      load the data set, split it, compute the normalisation and write the
      batches of one epoch: OUTDIR/images.npy (the batches concatenated),
      labels.npy, indices.npy (data set index of each image), sizes.npy
      (each batch's size), mean.npy, std.npy (the normalisation used),
      train_indices.npy, validation_indices.npy; prints the description,
      the split sizes and each batch's number and size as it arrives
    --batch B (32) --epoch E (0) --seed S (0) --shuffle --crop P --flip
    --normalize            mean/std of the train split (else 0 and 1)
    --validation F         hold out the fraction F of the train set (0)
    --split train|validation|test    the images to batch (train)
    --dtype f32|f64 (f32) --prefetch K (3; 0 = no thread)
    --max-batches M        stop after M batches (the loader is destroyed
                           mid-epoch)
    --data-seed S          simulated data: the generator's seed (0)
    --fail-at-batch K      make batch K's preparation throw (testing)
    --first-batch K        start the epoch at batch K (a resumed epoch)
  dataloader-split N FRACTION SEED -o OUTDIR
      validationSplit: OUTDIR/train.npy and validation.npy (I64)
  dataloader-bench KIND [DIR] [--batch B] [--crop P] [--flip]
                   [--dtype f32|f64] [--prefetch K] [--epochs E] [--step-ms T]
      time shuffled epochs of the train set: the mean time next() takes per
      batch with the background thread (prefetch K, default 3) and without
      (prefetch 0), while the caller spends T ms (default 1) per batch as a
      training step would
  mat-convert IN.mat OUT.mat --version 5|7.3 [--compress]
      copy every variable of a MAT file with matio (to make v7.3 files for
      the tests: Python here cannot write them)
  init KIND SHAPE --seed N [--dtype f32|f64] -o OUT.npy
      KIND: kaiming, authors, zeros, ones; SHAPE: e.g. 64,3,3,3
)";

std::pair<int64_t, int64_t> parsePair(const std::string &s, char sep,
                                      const char *what) {
  size_t at = s.find(sep);
  if (at == std::string::npos)
    throw UsageError(std::string("invalid ") + what + " '" + s + "'");
  return {parseInt(s.substr(0, at), what), parseInt(s.substr(at + 1), what)};
}

std::vector<int64_t> parseShape(const std::string &s) {
  std::vector<int64_t> shape;
  size_t start = 0;
  if (s.empty())
    return shape;
  for (;;) {
    size_t at = s.find(',', start);
    shape.push_back(parseInt(s.substr(start, at - start), "shape"));
    if (at == std::string::npos)
      break;
    start = at + 1;
  }
  return shape;
}

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

struct Placement {
  int64_t c0 = 0, cAfter = 0, margin = 0;
  bool nhwc = false, reverseW = false;
};

// An operand stored in a larger buffer as a strided view.
template <typename T> struct Stored {
  std::vector<T> buf;
  TensorView<T> view;
  int64_t offset = 0;

  MemRefDescriptor<T, 4> memref() {
    MemRefDescriptor<T, 4> m;
    m.allocated = buf.data();
    m.aligned = buf.data();
    m.offset = offset;
    for (int d = 0; d < 4; ++d)
      m.sizes[d] = view.sizes[d], m.strides[d] = view.strides[d];
    return m;
  }
};

template <typename T>
Stored<T> place(const int64_t sizes[4], const Placement &pl, T fill) {
  int64_t N = sizes[0], C = sizes[1] + pl.c0 + pl.cAfter,
          H = sizes[2] + 2 * pl.margin, W = sizes[3] + 2 * pl.margin;
  int64_t st[4];
  if (pl.nhwc)
    st[1] = 1, st[3] = C, st[2] = W * C, st[0] = H * W * C;
  else
    st[3] = 1, st[2] = W, st[1] = H * W, st[0] = C * H * W;
  Stored<T> s;
  s.buf.assign(static_cast<size_t>(std::max<int64_t>(N * C * H * W, 1)), fill);
  int64_t w0 = pl.margin;
  if (pl.reverseW) {
    w0 = pl.margin + sizes[3] - 1;
    if (sizes[3] == 0)
      w0 = pl.margin;
  }
  s.offset = pl.c0 * st[1] + pl.margin * st[2] + w0 * st[3];
  s.view.data = s.buf.data() + s.offset;
  for (int d = 0; d < 4; ++d)
    s.view.sizes[d] = sizes[d], s.view.strides[d] = st[d];
  if (pl.reverseW)
    s.view.strides[3] = -st[3];
  return s;
}

template <typename T> void fillFrom(const TensorView<T> &v, const T *src) {
  for (int64_t a = 0; a < v.sizes[0]; ++a)
    for (int64_t b = 0; b < v.sizes[1]; ++b)
      for (int64_t c = 0; c < v.sizes[2]; ++c)
        for (int64_t d = 0; d < v.sizes[3]; ++d)
          v.at(a, b, c, d) = *src++;
}

template <typename T> void copyOut(const TensorView<T> &v, T *dst) {
  for (int64_t a = 0; a < v.sizes[0]; ++a)
    for (int64_t b = 0; b < v.sizes[1]; ++b)
      for (int64_t c = 0; c < v.sizes[2]; ++c)
        for (int64_t d = 0; d < v.sizes[3]; ++d)
          *dst++ = v.at(a, b, c, d);
}

Placement parseView(const std::string &spec, int64_t channels,
                    const char *what) {
  int64_t c0, c1;
  if (spec.find(':') == std::string::npos)
    c0 = parseInt(spec, what), c1 = c0 + channels;
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
int runConv(const std::string &op, const Args &args, DType dt) {
  args.positionals(3, "conv OP A.npy B.npy -o OUT.npy");
  if (!args.has("-o"))
    throw UsageError("conv needs -o OUT.npy");
  Tensor A = convertDType(readNpy(args.pos[1]), dt);
  Tensor B = convertDType(readNpy(args.pos[2]), dt);
  if (A.shape.size() != 4 || B.shape.size() != 4)
    throw UsageError("conv operands must be 4-D (got " + shapeString(A.shape) +
                     " and " + shapeString(B.shape) + ")");
  ConvParams p;
  p.stride = parseInt(args.get("--stride", "1"), "stride");
  p.dilation = parseInt(args.get("--dilation", "1"), "dilation");
  p.padding = parseInt(args.get("--padding", "0"), "padding");
  if (args.has("--layout")) {
    std::string l = args.get("--layout");
    setOneDnnLayout(l == "plain"     ? OneDnnLayout::Plain
                    : l == "strided" ? OneDnnLayout::Strided
                    : l == "any"     ? OneDnnLayout::Any
                                     : throw UsageError("unknown --layout '" +
                                                        l + "'"));
  }
  const int64_t *a = A.shape.data(), *b = B.shape.data();
  int64_t out[4];
  std::string kind = op;
  if (kind == "fwd") {
    out[0] = a[0], out[1] = b[0];
    out[2] = convOutputSize(a[2], b[2], p);
    out[3] = convOutputSize(a[3], b[3], p);
  } else if (kind == "bwd_data") {
    out[0] = a[0], out[1] = b[1];
    out[2] = (a[2] - 1) * p.stride - 2 * p.padding + p.dilation * (b[2] - 1) + 1;
    out[3] = (a[3] - 1) * p.stride - 2 * p.padding + p.dilation * (b[3] - 1) + 1;
  } else if (kind == "bwd_filter") {
    if (!args.has("--kernel"))
      throw UsageError("conv bwd_filter needs --kernel K (or KHxKW)");
    std::string k = args.get("--kernel");
    int64_t kh, kw;
    if (k.find('x') != std::string::npos)
      std::tie(kh, kw) = parsePair(k, 'x', "kernel");
    else
      kh = kw = parseInt(k, "kernel");
    out[0] = b[1], out[1] = a[1], out[2] = kh, out[3] = kw;
  } else {
    throw UsageError("unknown conv op '" + kind +
                     "' (fwd, bwd_data, bwd_filter)");
  }
  if (args.has("--out-size")) {
    if (kind == "bwd_filter")
      throw UsageError("bwd_filter takes --kernel, not --out-size");
    std::tie(out[2], out[3]) = parsePair(args.get("--out-size"), 'x', "size");
  }
  for (int d = 0; d < 4; ++d)
    out[d] = std::max<int64_t>(out[d], 0);

  Placement base;
  base.margin = parseInt(args.get("--margin", "0"), "margin");
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
      std::printf("impl: %s\n", oneDnnImplementation(kind.c_str(), sa.view,
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
    cudaConv(kind, bufs, ms, p, args.has("--host-pointers"));
  } else if (impl == "abi") {
    auto ma = sa.memref(), mb = sb.memref(), mo = so.memref();
    if constexpr (std::is_same_v<T, float>) {
      if (kind == "fwd")
        _mlir_ciface_cscc_conv2d_fwd_f32(&ma, &mb, &mo, p.stride, p.dilation,
                                         p.padding);
      else if (kind == "bwd_data")
        _mlir_ciface_cscc_conv2d_bwd_data_f32(&ma, &mb, &mo, p.stride,
                                              p.dilation, p.padding);
      else
        _mlir_ciface_cscc_conv2d_bwd_filter_f32(&ma, &mb, &mo, p.stride,
                                                p.dilation, p.padding);
    } else {
      if (kind == "fwd")
        _mlir_ciface_cscc_conv2d_fwd_f64(&ma, &mb, &mo, p.stride, p.dilation,
                                         p.padding);
      else if (kind == "bwd_data")
        _mlir_ciface_cscc_conv2d_bwd_data_f64(&ma, &mb, &mo, p.stride,
                                              p.dilation, p.padding);
      else
        _mlir_ciface_cscc_conv2d_bwd_filter_f64(&ma, &mb, &mo, p.stride,
                                                p.dilation, p.padding);
    }
  } else if (impl == "cpp") {
    if (kind == "fwd")
      conv2dForward<T>(sa.view, sb.view, so.view, p);
    else if (kind == "bwd_data")
      conv2dBackwardData<T>(sa.view, sb.view, so.view, p);
    else
      conv2dBackwardFilter<T>(sa.view, sb.view, so.view, p);
  } else if (impl == "loops") {
    if (kind == "fwd")
      conv2dForwardLoops<T>(sa.view, sb.view, so.view, p);
    else if (kind == "bwd_data")
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
  Args args(argc, argv, 2,
            {"--nhwc", "--reverse-w", "--print-impl", "--alias-out",
             "--host-pointers"});
  args.allow({"-o", "--dtype", "--stride", "--dilation", "--padding",
              "--out-size", "--kernel", "--impl", "--layout", "--view",
              "--out-view", "--margin", "--nhwc", "--reverse-w",
              "--print-impl", "--alias-out", "--device", "--host-pointers"});
  Args full = args;
  full.pos.insert(full.pos.begin(), argv[1]);
  DType dt = parseDType(args.get("--dtype", "f32"));
  if (dt == DType::F32)
    return runConv<float>(argv[1], full, dt);
  return runConv<double>(argv[1], full, dt);
}

//===----------------------------------------------------------------------===//
// conv-bench
//===----------------------------------------------------------------------===//

int cmdConvBench(int argc, char **argv) {
  Args args(argc, argv, 1, {"--view"});
  args.allow({"--n", "--c", "--k", "--hw", "--kernel", "--stride",
              "--dilation", "--padding", "--iters", "--warmup", "--layout",
              "--view"});
  args.positionals(0, "no positional arguments");
  int64_t N = parseInt(args.get("--n", "128"), "n");
  int64_t C = parseInt(args.get("--c", "16"), "c");
  int64_t K = parseInt(args.get("--k", "16"), "k");
  int64_t S = parseInt(args.get("--hw", "28"), "hw");
  int64_t k = parseInt(args.get("--kernel", "3"), "kernel");
  ConvParams p;
  p.stride = parseInt(args.get("--stride", "1"), "stride");
  p.dilation = parseInt(args.get("--dilation", "2"), "dilation");
  p.padding = parseInt(args.get("--padding", "2"), "padding");
  int iters = static_cast<int>(parseInt(args.get("--iters", "20"), "iters"));
  int warmup = static_cast<int>(parseInt(args.get("--warmup", "3"), "warmup"));
  std::string l = args.get("--layout", "plain");
  setOneDnnLayout(l == "plain"     ? OneDnnLayout::Plain
                  : l == "strided" ? OneDnnLayout::Strided
                  : l == "any"     ? OneDnnLayout::Any
                                   : throw UsageError("unknown --layout '" + l +
                                                      "'"));
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
  auto xview = [&](std::vector<float> &buf) {
    TensorView<float> v = TensorView<float>::dense(buf.data(), N, xc, S, S);
    if (view)
      v.data += C * S * S;
    v.sizes[1] = C;
    return v;
  };
  TensorView<float> X = xview(xbuf), DX = xview(dx);
  auto W = TensorView<float>::dense(w.data(), K, C, k, k);
  auto DW = TensorView<float>::dense(dw.data(), K, C, k, k);
  auto Y = TensorView<float>::dense(y.data(), N, K, O, O);
  auto DY = TensorView<float>::dense(dy.data(), N, K, O, O);

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
  time("fwd", conv2dForward<float>, X, W, Y);
  time("bwd_data", conv2dBackwardData<float>, DY, W, DX);
  time("bwd_filter", conv2dBackwardFilter<float>, X, DY, DW);
  return 0;
}

//===----------------------------------------------------------------------===//
// safetensors, npy, init
//===----------------------------------------------------------------------===//

int cmdSafetensorsList(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({});
  args.positionals(1, "safetensors-list FILE");
  TensorFile f = readSafetensors(args.pos[0]);
  for (const auto &[k, v] : f.metadata)
    std::printf("metadata %s = %s\n", k.c_str(), v.c_str());
  for (const auto &[name, t] : f.tensors)
    std::printf("%s %s %s\n", name.c_str(), dtypeName(t.dtype),
                shapeString(t.shape).c_str());
  return 0;
}

int cmdSafetensorsRoundtrip(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({});
  args.positionals(2, "safetensors-roundtrip IN OUT");
  writeSafetensors(args.pos[1], readSafetensors(args.pos[0]));
  return 0;
}

int cmdSafetensorsPack(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({"--meta"});
  if (args.pos.empty())
    throw UsageError("expected safetensors-pack OUT NAME=FILE.npy...");
  TensorFile f;
  for (size_t i = 1; i < args.pos.size(); ++i) {
    const std::string &s = args.pos[i];
    size_t eq = s.find('=');
    if (eq == std::string::npos)
      throw UsageError("expected NAME=FILE.npy, got '" + s + "'");
    f.tensors[s.substr(0, eq)] = readNpy(s.substr(eq + 1));
  }
  auto it = args.opts.find("--meta");
  if (it != args.opts.end())
    for (const std::string &m : it->second) {
      size_t eq = m.find('=');
      if (eq == std::string::npos)
        throw UsageError("expected --meta KEY=VALUE, got '" + m + "'");
      f.metadata[m.substr(0, eq)] = m.substr(eq + 1);
    }
  writeSafetensors(args.pos[0], f);
  return 0;
}

int cmdSafetensorsGet(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({"-o"});
  args.positionals(2, "safetensors-get FILE NAME -o OUT.npy");
  if (!args.has("-o"))
    throw UsageError("safetensors-get needs -o OUT.npy");
  TensorFile f = readSafetensors(args.pos[0]);
  writeNpy(args.get("-o"), f.get(args.pos[1]));
  return 0;
}

int cmdNpyInfo(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({});
  args.positionals(1, "npy-info FILE");
  Tensor t = readNpy(args.pos[0]);
  std::printf("%s %s\n", npyDescr(t.dtype).c_str(),
              shapeString(t.shape).c_str());
  return 0;
}

int cmdNpyRoundtrip(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({});
  args.positionals(2, "npy-roundtrip IN OUT");
  writeNpy(args.pos[1], readNpy(args.pos[0]));
  return 0;
}

int cmdNpyConvert(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({"--dtype", "-o"});
  args.positionals(1, "npy-convert IN --dtype f32|f64 -o OUT");
  if (!args.has("-o") || !args.has("--dtype"))
    throw UsageError("npy-convert needs --dtype and -o");
  writeNpy(args.get("-o"),
           convertDType(readNpy(args.pos[0]), parseDType(args.get("--dtype"))));
  return 0;
}

void printDataset(const Dataset &ds) {
  const Tensor &im = ds.images;
  size_t n = ds.labels.size();
  std::printf("N %zu\n", n);
  std::printf("images %s %s\n", dtypeName(im.dtype), shapeString(im.shape).c_str());
  std::printf("classes %lld\n", static_cast<long long>(ds.classes));
  std::printf("first-labels");
  for (size_t i = 0; i < std::min<size_t>(n, 10); ++i)
    std::printf(" %lld", static_cast<long long>(ds.labels[i]));
  std::printf("\n");
  std::vector<uint64_t> counts(static_cast<size_t>(ds.classes), 0);
  for (int64_t l : ds.labels)
    ++counts.at(static_cast<size_t>(l));
  std::printf("label-counts");
  for (uint64_t c : counts)
    std::printf(" %llu", static_cast<unsigned long long>(c));
  std::printf("\n");
  uint64_t sum = 0, weighted = 0;
  const uint8_t *px = im.data.data();
  for (size_t i = 0; i < im.data.size(); ++i) {
    sum += px[i];
    weighted += (i % 65521 + 1) * px[i];
  }
  std::printf("pixel-sum %llu\n", static_cast<unsigned long long>(sum));
  std::printf("pixel-checksum %llu\n",
              static_cast<unsigned long long>(weighted));
}

int cmdDatasetsIdx(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({});
  args.positionals(2, "datasets-idx IMAGES LABELS");
  printDataset(readIdx(args.pos[0], args.pos[1]));
  return 0;
}

int cmdDatasetsCifar(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({});
  if (args.pos.size() < 2)
    throw UsageError("expected datasets-cifar CLASSES FILES...");
  int64_t classes = parseInt(args.pos[0], "CLASSES");
  std::vector<std::string> files(args.pos.begin() + 1, args.pos.end());
  printDataset(readCifar(files, static_cast<int>(classes)));
  return 0;
}

//===----------------------------------------------------------------------===//
// SVHN, loadData and the data loader
//===----------------------------------------------------------------------===//

int cmdDatasetsSvhn(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({});
  args.positionals(1, "datasets-svhn FILE.mat");
  printDataset(readSvhn(args.pos[0]));
  return 0;
}

// KIND [DIR] and --data-seed into a DataSpec.
DataSpec dataSpecFrom(const Args &args, const char *usage) {
  if (args.pos.empty() || args.pos.size() > 2)
    throw UsageError(std::string("expected ") + usage);
  DataSpec spec;
  spec.kind = args.pos[0];
  if (args.pos.size() == 2)
    spec.path = args.pos[1];
  spec.seed = static_cast<uint64_t>(parseInt(args.get("--data-seed", "0"),
                                             "--data-seed"));
  return spec;
}

void makeDirectory(const std::string &dir) {
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create directory '" + dir + "': " +
                             std::strerror(errno));
}

Tensor labelTensor(const std::vector<int64_t> &v) {
  return Tensor::fromValues<int64_t>({static_cast<int64_t>(v.size())}, v);
}

int cmdDatasetsLoad(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({"--data-seed", "--npy"});
  DataSpec spec = dataSpecFrom(args, "datasets-load KIND [DIR]");
  DataSplits s = loadData(spec);
  std::printf("description: %s\n[train]\n", s.description.c_str());
  printDataset(s.train);
  std::printf("[test]\n");
  printDataset(s.test);
  if (args.has("--npy")) {
    std::string dir = args.get("--npy");
    makeDirectory(dir);
    writeNpy(dir + "/train_images.npy", s.train.images);
    writeNpy(dir + "/train_labels.npy", labelTensor(s.train.labels));
    writeNpy(dir + "/test_images.npy", s.test.images);
    writeNpy(dir + "/test_labels.npy", labelTensor(s.test.labels));
  }
  return 0;
}

int cmdDataloaderDump(int argc, char **argv) {
  Args args(argc, argv, 1, {"--shuffle", "--flip", "--normalize"});
  args.allow({"--batch", "--epoch", "--seed", "--shuffle", "--crop", "--flip",
              "--normalize", "--validation", "--split", "--dtype",
              "--prefetch", "--max-batches", "--data-seed", "--fail-at-batch",
              "--first-batch", "-o"});
  DataSpec spec = dataSpecFrom(args, "dataloader-dump KIND [DIR] -o OUTDIR");
  if (!args.has("-o"))
    throw UsageError("dataloader-dump needs -o OUTDIR");
  std::string out = args.get("-o");
  int64_t batch = parseInt(args.get("--batch", "32"), "--batch");
  int64_t epoch = parseInt(args.get("--epoch", "0"), "--epoch");
  uint64_t seed = static_cast<uint64_t>(parseInt(args.get("--seed", "0"), "--seed"));
  int64_t maxBatches =
      parseInt(args.get("--max-batches", "-1"), "--max-batches");
  int prefetch = static_cast<int>(parseInt(args.get("--prefetch", "3"), "--prefetch"));
  int64_t firstBatch = parseInt(args.get("--first-batch", "0"), "--first-batch");
  double fraction = parseDouble(args.get("--validation", "0"), "--validation");
  std::string split = args.get("--split", "train");
  if (split != "train" && split != "validation" && split != "test")
    throw UsageError("unknown --split '" + split + "' (train, validation, test)");
  Augmentation aug;
  aug.cropPadding = parseInt(args.get("--crop", "0"), "--crop");
  aug.flip = args.has("--flip");
  DType dtype = parseDType(args.get("--dtype", "f32"));
  testing::setBatchFailure(
      parseInt(args.get("--fail-at-batch", "-1"), "--fail-at-batch"));

  DataSplits data = loadData(spec);
  auto [train, validation] = validationSplit(
      static_cast<int64_t>(data.train.labels.size()), fraction, seed);
  Normalization norm;
  if (args.has("--normalize"))
    norm = channelStatistics(data.train, train);
  else
    norm = {std::vector<double>(data.train.images.shape[1], 0.0),
            std::vector<double>(data.train.images.shape[1], 1.0)};
  const Dataset &set = split == "test" ? data.test : data.train;
  std::vector<int64_t> indices;
  if (split == "train")
    indices = train;
  else if (split == "validation")
    indices = validation;
  else
    for (int64_t i = 0; i < static_cast<int64_t>(data.test.labels.size()); ++i)
      indices.push_back(i);

  std::printf("description: %s\n", data.description.c_str());
  std::printf("split train %zu validation %zu test %zu\n", train.size(),
              validation.size(), data.test.labels.size());
  makeDirectory(out);
  writeNpy(out + "/mean.npy", Tensor::fromValues<double>(
                                  {static_cast<int64_t>(norm.mean.size())}, norm.mean));
  writeNpy(out + "/std.npy", Tensor::fromValues<double>(
                                 {static_cast<int64_t>(norm.std.size())}, norm.std));
  writeNpy(out + "/train_indices.npy", labelTensor(train));
  writeNpy(out + "/validation_indices.npy", labelTensor(validation));

  std::vector<int64_t> sizes, allIndices, allLabels;
  std::vector<uint8_t> imageBytes;
  int64_t total;
  {
    BatchLoader loader(set, indices, batch, args.has("--shuffle"), seed, epoch,
                       norm, aug, dtype, prefetch, firstBatch);
    total = loader.batches();
    std::printf("batches %lld\n", static_cast<long long>(total));
    std::fflush(stdout);
    Batch b;
    while ((maxBatches < 0 ||
            static_cast<int64_t>(sizes.size()) < maxBatches) &&
           loader.next(b)) {
      int64_t n = b.images.shape[0];
      std::printf("batch %lld size %lld\n", static_cast<long long>(b.index),
                  static_cast<long long>(n));
      std::fflush(stdout);
      if (b.index != firstBatch + static_cast<int64_t>(sizes.size()))
        throw std::runtime_error("batch " + std::to_string(b.index) +
                                 " arrived out of order");
      sizes.push_back(n);
      allIndices.insert(allIndices.end(), b.indices.begin(), b.indices.end());
      const int64_t *l = b.labels.as<int64_t>();
      allLabels.insert(allLabels.end(), l, l + n);
      imageBytes.insert(imageBytes.end(), b.images.data.begin(),
                        b.images.data.end());
    }
    // The loader (and its thread, maybe mid-epoch) is destroyed here.
  }
  std::vector<int64_t> shape = set.images.shape;
  shape[0] = static_cast<int64_t>(allIndices.size());
  Tensor images(dtype, shape);
  images.data = std::move(imageBytes);
  writeNpy(out + "/images.npy", images);
  writeNpy(out + "/labels.npy", labelTensor(allLabels));
  writeNpy(out + "/indices.npy", labelTensor(allIndices));
  writeNpy(out + "/sizes.npy", labelTensor(sizes));
  std::printf("wrote %zu of %lld batches\n", sizes.size(),
              static_cast<long long>(total));
  return 0;
}

int cmdDataloaderSplit(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({"-o"});
  args.positionals(3, "dataloader-split N FRACTION SEED -o OUTDIR");
  if (!args.has("-o"))
    throw UsageError("dataloader-split needs -o OUTDIR");
  auto [train, validation] = validationSplit(
      parseInt(args.pos[0], "N"), parseDouble(args.pos[1], "FRACTION"),
      static_cast<uint64_t>(parseInt(args.pos[2], "SEED")));
  std::string out = args.get("-o");
  makeDirectory(out);
  writeNpy(out + "/train.npy", labelTensor(train));
  writeNpy(out + "/validation.npy", labelTensor(validation));
  std::printf("train %zu validation %zu\n", train.size(), validation.size());
  return 0;
}

int cmdDataloaderBench(int argc, char **argv) {
  Args args(argc, argv, 1, {"--flip"});
  args.allow({"--batch", "--crop", "--flip", "--dtype", "--prefetch",
              "--epochs", "--data-seed", "--step-ms"});
  DataSpec spec = dataSpecFrom(args, "dataloader-bench KIND [DIR]");
  int64_t batch = parseInt(args.get("--batch", "128"), "--batch");
  int64_t epochs = parseInt(args.get("--epochs", "1"), "--epochs");
  double stepMs = parseDouble(args.get("--step-ms", "1"), "--step-ms");
  int prefetch = static_cast<int>(parseInt(args.get("--prefetch", "3"), "--prefetch"));
  Augmentation aug;
  aug.cropPadding = parseInt(args.get("--crop", "0"), "--crop");
  aug.flip = args.has("--flip");
  DType dtype = parseDType(args.get("--dtype", "f32"));
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  DataSplits data = loadData(spec);
  double loadS = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<int64_t> all(data.train.labels.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<int64_t>(i);
  auto t1 = Clock::now();
  Normalization norm = channelStatistics(data.train, all);
  double statsS = std::chrono::duration<double>(Clock::now() - t1).count();
  std::printf("%s\nload %.3f s, statistics %.3f s\n", data.description.c_str(),
              loadS, statsS);
  for (int pass = 0; pass < 2; ++pass) {
    int pf = pass == 0 ? prefetch : 0;
    double waitS = 0, totalS = 0;
    int64_t batches = 0, images = 0;
    for (int64_t e = 0; e < epochs; ++e) {
      auto te = Clock::now();
      BatchLoader loader(data.train, all, batch, true, 1, e, norm, aug, dtype,
                         pf);
      Batch b;
      for (;;) {
        auto tw = Clock::now();
        bool more = loader.next(b);
        waitS += std::chrono::duration<double>(Clock::now() - tw).count();
        if (!more)
          break;
        ++batches;
        images += b.images.shape[0];
        // The training step: the loader's thread works meanwhile.
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(stepMs));
      }
      totalS += std::chrono::duration<double>(Clock::now() - te).count();
    }
    std::printf("prefetch %d: %lld batches of %lld, %.3f ms per batch in "
                "next(), %.0f images/s with the steps\n",
                pf, static_cast<long long>(batches),
                static_cast<long long>(batch), 1e3 * waitS / batches,
                images / totalS);
  }
  return 0;
}

int cmdMatConvert(int argc, char **argv) {
  Args args(argc, argv, 1, {"--compress"});
  args.allow({"--version", "--compress"});
  args.positionals(2, "mat-convert IN.mat OUT.mat --version 5|7.3");
  std::string version = args.get("--version", "7.3");
  mat_ft ft;
  if (version == "5")
    ft = MAT_FT_MAT5;
  else if (version == "7.3")
    ft = MAT_FT_MAT73;
  else
    throw UsageError("unknown --version '" + version + "' (5 or 7.3)");
  mat_t *in = Mat_Open(args.pos[0].c_str(), MAT_ACC_RDONLY);
  if (!in)
    throw std::runtime_error("matio cannot open '" + args.pos[0] + "'");
  mat_t *out = Mat_CreateVer(args.pos[1].c_str(), nullptr, ft);
  if (!out) {
    Mat_Close(in);
    throw std::runtime_error("matio cannot create '" + args.pos[1] + "'");
  }
  int copied = 0;
  bool ok = true;
  while (matvar_t *v = Mat_VarReadNext(in)) {
    ok = ok && Mat_VarWrite(out, v,
                            args.has("--compress") ? MAT_COMPRESSION_ZLIB
                                                   : MAT_COMPRESSION_NONE) == 0;
    Mat_VarFree(v);
    ++copied;
  }
  Mat_Close(out);
  Mat_Close(in);
  if (!ok)
    throw std::runtime_error("matio could not write every variable to '" +
                             args.pos[1] + "'");
  std::printf("copied %d variables\n", copied);
  return 0;
}

int cmdInit(int argc, char **argv) {
  Args args(argc, argv, 1, {});
  args.allow({"--seed", "--dtype", "-o"});
  args.positionals(2, "init KIND SHAPE --seed N -o OUT.npy");
  if (!args.has("-o") || !args.has("--seed"))
    throw UsageError("init needs --seed N and -o OUT.npy");
  int64_t seed = parseInt(args.get("--seed"), "seed");
  Rng rng(static_cast<uint64_t>(seed));
  Tensor t = initTensor(args.pos[0], parseShape(args.pos[1]), rng,
                        parseDType(args.get("--dtype", "f32")));
  writeNpy(args.get("-o"), t);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "%s", kUsage);
    return 1;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h") {
    std::printf("%s%s%s", kUsage, kTrainingUsage, kCudaUsage);
    return 0;
  }
  try {
    if (int rc = runTrainingCheck(cmd, argc - 1, argv + 1); rc >= 0)
      return rc;
    if (int rc = runCudaCheck(cmd, argc - 1, argv + 1); rc >= 0)
      return rc;
    if (cmd == "conv")
      return cmdConv(argc - 1, argv + 1);
    if (cmd == "conv-bench")
      return cmdConvBench(argc - 1, argv + 1);
    if (cmd == "safetensors-list")
      return cmdSafetensorsList(argc - 1, argv + 1);
    if (cmd == "safetensors-roundtrip")
      return cmdSafetensorsRoundtrip(argc - 1, argv + 1);
    if (cmd == "safetensors-pack")
      return cmdSafetensorsPack(argc - 1, argv + 1);
    if (cmd == "safetensors-get")
      return cmdSafetensorsGet(argc - 1, argv + 1);
    if (cmd == "npy-info")
      return cmdNpyInfo(argc - 1, argv + 1);
    if (cmd == "npy-roundtrip")
      return cmdNpyRoundtrip(argc - 1, argv + 1);
    if (cmd == "npy-convert")
      return cmdNpyConvert(argc - 1, argv + 1);
    if (cmd == "datasets-idx")
      return cmdDatasetsIdx(argc - 1, argv + 1);
    if (cmd == "datasets-cifar")
      return cmdDatasetsCifar(argc - 1, argv + 1);
    if (cmd == "datasets-svhn")
      return cmdDatasetsSvhn(argc - 1, argv + 1);
    if (cmd == "datasets-load")
      return cmdDatasetsLoad(argc - 1, argv + 1);
    if (cmd == "dataloader-dump")
      return cmdDataloaderDump(argc - 1, argv + 1);
    if (cmd == "dataloader-split")
      return cmdDataloaderSplit(argc - 1, argv + 1);
    if (cmd == "dataloader-bench")
      return cmdDataloaderBench(argc - 1, argv + 1);
    if (cmd == "mat-convert")
      return cmdMatConvert(argc - 1, argv + 1);
    if (cmd == "init")
      return cmdInit(argc - 1, argv + 1);
    throw UsageError("unknown command '" + cmd + "'");
  } catch (const UsageError &e) {
    std::fprintf(stderr,
                 "cscc-runtime-check: error: %s\nrun 'cscc-runtime-check "
                 "--help' for usage\n",
                 e.what());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "cscc-runtime-check: error: %s\n", e.what());
    return 1;
  }
}
