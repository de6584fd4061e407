//===- ConvOneDnn.cpp - float convolutions through oneDNN 2.6 -------------===//
//
// One CPU engine and stream for the process. A primitive (and the reorders
// around it) is built once per (op, sizes, strides, parameters, layout) and
// cached: creating a primitive descriptor costs far more than a small
// convolution. A mutex serialises building and running. The operands'
// copies in the primitive's layout live only during a call, so every entry
// places them in one scratch buffer of the process (the largest call's
// size): kept per entry, they were the sum over every shape of a step (the
// paper's MSD-CSC-FISTA d12 has dozens, one per channel count).
//
// Layout choice (OneDnnLayout, default Any). Measured with
//   cscc-runtime-check conv-bench --layout L [--view]
// N = 128, 16 -> 16 channels, 28x28, 3x3 kernel, dilation 2, padding 2,
// stride 1; oneDNN 2.6 on the 2-core development VM (AMD EPYC with
// AVX-512, shared and noisy: loads of 2-4 from other work), median ms per
// call of 20 after 3 warm-up calls, reorders included; with 2 OpenMP
// threads (the quietest of 4 runs) and with OMP_NUM_THREADS=1:
//                                      fwd   bwd_data  bwd_filter
//   dense operands, 2 threads:
//     plain   (x64:gemm:jit)           10.0    11.2      16.7
//     strided (x64:gemm:jit, = plain)   8.2     9.4      12.4
//     any     (jit:avx512_core, nChw16c) 2.7    3.4       3.3
//   dense operands, 1 thread:
//     plain                            16.1    24.4      27.5
//     any                               7.4     7.0       7.4
//   x and dx channel slices [16:32] of 48-channel buffers, 1 thread:
//     plain   (dense temporary)        17.4    24.8      20.5
//     strided (ref:any, in place)    5449    7332      1538
//     any                               6.6     7.2       6.3
// Letting the primitive pick a blocked format is 2-5x faster than plain NCHW
// even though every call reorders all three operands in and out (those are
// memory-bound and cheap next to the convolution); strided views passed in
// place fall to oneDNN's reference kernel, hundreds of times slower. Other
// runs were noisier (up to 2 s for a plain bwd_filter when the cores were
// oversubscribed) but never changed the order.
//
// Channels-last, for the layout work (2026-12-05, same VM, quiet, 2
// threads, N = 128, 28x28, dilation 2; median ms, reorders included):
//                                               fwd   bwd_data  bwd_filter
//   16 -> 16 channels:
//     any, NCHW operands (blocked + reorders)   2.2     2.2       2.1
//     strided-activations, dense NHWC           1.7     1.6       1.6
//       (brgconv / jit:avx512_core, only the weights reordered)
//     channels-last, NCHW operands (to NHWC)    2.3     2.2       2.5
//     strided-activations, NHWC channel slice   413     431      1191  (ref:any)
//   48 -> 16 channels: any 6.7 / 6.9 / 7.6, dense NHWC 5.4 / 5.4 / 5.6.
// So oneDNN runs NHWC activations in place 20-30% faster than the blocked
// round trip, but only dense ones (a channel slice needs a dense copy), and
// reordering NCHW to NHWC per call gains nothing: the win needs the
// generated code itself to keep activations channels-last.
//
// For that layout work (2026-12-07 evening, same kind of VM): oneDNN 2.6
// runs its JIT kernels only on dense operands. A channel-block prefix of a
// larger nChw16c buffer (batch stride above dense), a [C/16][N][H][W][16]
// buffer and an NHWC channel slice all get ref:any (4.8 s against 10 ms
// for N = 128, 48 -> 16 channels, 14x14, dilation 3), so a concatenation
// buffer cannot be passed in place in any layout. But a convolution over a
// concatenation is the sum of convolutions over its parts, and with each
// part its own dense tensor that costs what the one call does
//   cscc-runtime-check conv-bench --parts 16 (bare primitives, any
//   layout, forward parts accumulating with a sum post-op; N = 128, 16
//   output channels, median ms, whole / parts):
//     48 ch 14x14 d3:  fwd 1.185 / 1.170  bwd_data 1.250 / 1.257  bwd_filter 1.717 / 1.722
//     96 ch  7x7  d3:  fwd 0.459 / 0.470  bwd_data 0.429 / 0.432  bwd_filter 0.543 / 0.547
//    112 ch  7x7  d1:  fwd 0.723 / 0.731  bwd_data 0.729 / 0.730  bwd_filter 0.873 / 0.885
// (the reorders around each call took 32 ms of the 150 ms step of the
// README model at d = 6, unfold = 2, its convolutions 70 ms): dense parts
// in oneDNN's layout would need no reorder and no copy between calls.
// Not channels-last ones (2026-12-07, night, same VM, quiet; conv-bench
// --parts 16 [--nhwc], median ms, whole / parts): with every activation a
// dense NHWC tensor oneDNN runs brgconv, slower than its blocked kernels
// on these shapes, and its sum post-op costs more there:
//     48 ch 14x14 d3:  blocked fwd 1.12 / 1.12  bwd_data 1.14 / 1.12  bwd_filter 1.34-1.64 / same
//                      NHWC    fwd 1.57-1.83 / 1.97-2.25  bwd_data 1.14-1.22 / 1.12-1.17
//                              bwd_filter 1.82-1.89 / 1.35-1.37
//    112 ch  7x7  d1:  blocked 0.72 / 0.73  0.72 / 0.73  0.89 / 0.89
//                      NHWC    0.78-0.80 / 1.00-1.01  0.72-0.73 / 0.73-0.74  0.78-0.81 / 0.77-0.79
// and through this runtime today (NCHW operands, reorders included):
// 48 ch 1.46 / 1.51 / 1.67, 112 ch 0.89 / 0.90 / 1.36. So the layout for
// the generated code to keep is oneDNN's blocked one, not NHWC.
//
// Paired calls (runPair, Conv.h's conv2dPair): the two convolutions of a
// vector-Jacobian product read one cotangent; run as one call, the operand
// both read is reordered once when both primitives want the same layout
// (30 of the 274 reorders of that d = 6 step; its second call takes the
// first's copy in the scratch, which holds both calls' operands). Worth
// about 1% of the step, not the 3% those reorders' times suggested: the
// second reorder read a source the first had just brought into the cache.
//
//===----------------------------------------------------------------------===//
#include "ConvOneDnn.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <oneapi/dnnl/dnnl_debug.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace cscc::rt {

namespace {
constexpr OneDnnLayout kDefaultLayout = OneDnnLayout::Any;
constexpr DilatedFilterGrad kDefaultDilatedFilterGrad = DilatedFilterGrad::Auto;
std::atomic<int> gLayout{-1};
std::atomic<int> gDilatedFilterGrad{-1};

/// The value of environment variable `name` (a word of `words`), or
/// `fallback` with a warning when it is not one.
template <typename E, size_t N>
E fromEnvironment(const char *name, const Word<E> (&words)[N], E fallback) {
  const char *env = std::getenv(name);
  if (!env || !*env)
    return fallback;
  if (std::optional<E> v = lookupWord(words, env))
    return *v;
  std::fprintf(stderr, "cscc runtime: warning: ignoring %s='%s' (use %s)\n",
               name, env, wordList(words).c_str());
  return fallback;
}

/// The setting held in `slot`, read from the environment on first use.
template <typename E, size_t N>
E setting(std::atomic<int> &slot, const char *name, const Word<E> (&words)[N],
          E fallback) {
  int v = slot.load();
  if (v < 0) {
    int fromEnv = static_cast<int>(fromEnvironment(name, words, fallback));
    slot.compare_exchange_strong(v, fromEnv);
    v = slot.load();
  }
  return static_cast<E>(v);
}
} // namespace

void setOneDnnLayout(OneDnnLayout layout) {
  gLayout.store(static_cast<int>(layout));
}

OneDnnLayout getOneDnnLayout() {
  return setting(gLayout, "CSCC_ONEDNN_LAYOUT", kOneDnnLayoutWords,
                 kDefaultLayout);
}

void setDilatedFilterGrad(DilatedFilterGrad policy) {
  gDilatedFilterGrad.store(static_cast<int>(policy));
}

DilatedFilterGrad getDilatedFilterGrad() {
  return setting(gDilatedFilterGrad, "CSCC_ONEDNN_DILATED_FILTER_GRAD",
                 kDilatedFilterGradWords, kDefaultDilatedFilterGrad);
}

namespace onednn {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

struct Key {
  int op;
  int layout;
  int64_t dilatedFilterGrad;
  int64_t sizes[3][4];
  int64_t strides[3][4];
  int64_t stride, dilation, padding;

  bool operator==(const Key &o) const {
    return std::memcmp(this, &o, sizeof(Key)) == 0;
  }
};

struct KeyHash {
  size_t operator()(const Key &k) const {
    // FNV-1a over the bytes (Key has no padding: ints then int64s, with the
    // two ints filling one 8-byte slot).
    const unsigned char *p = reinterpret_cast<const unsigned char *>(&k);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof(Key); ++i)
      h = (h ^ p[i]) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};
static_assert(sizeof(Key) == 2 * sizeof(int) + 28 * sizeof(int64_t),
              "Key must have no padding bytes (it is hashed bytewise)");

struct Operand {
  bool input = true;
  // The view has a zero or negative stride, which a oneDNN memory
  // descriptor cannot express: go through a dense copy made by loops.
  bool copy = false;
  std::vector<float> dense;
  memory::desc user; // the caller's layout (or the dense copy's)
  memory::desc prim; // the primitive's
  bool reorder = false;
  dnnl::reorder reorderPrim; // user -> prim (inputs), prim -> user (output)
  memory userMem;
  memory primMem;      // its data in the scratch, set per call
  int64_t primAt = 0;  // where: floats from the call's scratch base
};

struct PhaseSplit;
struct TapGemms;

struct Entry {
  dnnl::primitive prim;
  std::string impl;
  OneDnnLayout layout = OneDnnLayout::Plain; // what was built (after fallback)
  Operand ops[3];
  int64_t scratch = 0; // floats of scratch its reordered operands take
  int args[3];
  // Set: the call runs as this undilated call on phase images instead.
  std::unique_ptr<PhaseSplit> split;
  // Set: the call runs as one GEMM per kernel tap instead.
  std::unique_ptr<TapGemms> taps;
  ~Entry();
};

// A dilated backward-filter call through its phase images (space-to-batch).
// oneDNN 2.6 has no JIT backward-weights kernel for a dilated convolution
// on AVX2: it falls to its gemm path (an im2col per image). Measured with
// cscc-runtime-check conv-bench --dilated-filter-grad direct|auto on the
// AVX2 development VM, N = 128, 1 -> 8 channels, 28x28, 3x3, padding =
// dilation, 2 threads, median ms: dilation 2: 4.77 direct (gemm) / 0.67
// phases (jit:avx2, channels-last, phases read in place); dilation 3: 4.51
// / 1.51 (28 is no multiple of 3: through a zero-padded copy). With
// blocked phases (before the channels-last rule of layoutFor) the extra
// reorders ate the gain: the phases pay where the undilated call is fast.
// The per-tap GEMMs (TapGemms, below) are faster still at every width of x
// but 2 channels, which is where Auto still takes the phases.
// With stride 1 and a padding p = m d, output row d i + a of the dilated
// convolution reads input rows d (i + r - m) + a, r < k: phase a of the
// output (rows a, a + d, ...) is the undilated convolution, padding m, of
// phase a of the input, and the same along the width. So dw is the
// undilated backward-filter of the d*d phase images of x and of dy stacked
// along the batch, each phase zero-padded to ceil(H / d) rows and ceil(W /
// d) columns: a padded row of x lies outside the image in the dilated call
// too, and a zero row of dy adds nothing.
struct PhaseImages {
  // Where this operand's buffers lie in the state's scratch (offsets in
  // floats; the buffers live only during a call, so every split shares
  // one scratch): the phases [d, d, N, C, H', W'] and, when H or W is not
  // a multiple of d, a copy [N, C, d H', d W'] with zero margins that they
  // are read from (paddedAt < 0: none).
  int64_t phasesAt = 0, paddedAt = -1;
  int64_t planes = 0, rows = 0, cols = 0, paddedRows = 0, paddedCols = 0;
  memory user, paddedMem, source6, phases6;
  dnnl::reorder toPadded, toPhases;
  TensorView<float> view; // the phases as a 4-D view (data set per call)
};

struct PhaseSplit {
  int64_t d;
  int64_t scratch = 0; // floats of scratch the phases take (inner's after)
  PhaseImages x, dy;
  std::unique_ptr<Entry> inner; // the undilated backward-filter
};

// A backward-filter call (stride 1, any dilation and padding) as one GEMM
// per kernel tap. Tap (r, s) of dw is
//   dw[k, c, r, s] = sum over n, y, x of dy[n, k, y, x] x[n, c, y', x'],
//   y' = y + r d - p, x' = x + s d - p,
// and with x and dy copied to [C, H, W, N] order the pairs of one output
// row y (x over the columns whose x' lies in the image, n over the batch)
// are one contiguous run in both: a GEMM dy_run (K x L) . x_run^T (L x C),
// L = columns * N, accumulated into that tap's K x C block (or its
// transpose: cRows). No im2col, no per-image calls. Threads split the
// (tap, row) pairs, each into its own accumulators, summed at the end in a
// fixed order (deterministic for a given thread count, as resume's bitwise
// check needs). oneDNN 2.6's AVX2 answer for a dilated call is its gemm
// path (an im2col per image).
// Measured with cscc-runtime-check conv-bench --layout any
// --dilated-filter-grad direct|taps on the AVX2 development VM, 3x3,
// padding = dilation, 2 threads, median ms, oneDNN's gemm primitive /
// the taps, reorders included:
//   N = 128, 16 output channels (the first four: the README model at d 6,
//   unfold 2):
//     C = 48, 14x14, d = 3: 12.5 / 5.1     C = 32, 14x14, d = 2: 8.6 / 3.9
//     C = 96, 7x7, d = 3:    7.3 / 1.9     C = 80, 7x7, d = 2:   6.1 / 2.2
//     C = 16, 28x28, d = 2: 20.8 / 12.0
//   N = 64, 32 output channels, 32x32 (MSD-CSC-FISTA d12's sizes):
//     C = 96, d = 8: 104 / 46              C = 320, d = 12: 339 / 129
// oneDNN's sgemm runs single-threaded inside the parallel region.
struct TapGemms {
  int64_t n, c, k, h, w, oh, ow, kh, kw, d, pad;
  // Each tap's block is C x K (x_run . dy_run^T) or K x C. Its columns (the
  // GEMM's N, `width`) are that side's channels rounded up to a multiple of
  // 8, the copy zero-padded to match: oneDNN 2.6's AVX2 sgemm is slow on 4
  // columns past a multiple of 8 (C = 64, 14x14, dilation 2, ms by K: 12:
  // 11.5, 16: 7.1, 20: 15.0, 24: 12.9, 28: 18.2, 32: 14.2); the padded
  // columns cost less than that tail and are never read. The orientation
  // is the one with fewer rows x padded columns, the narrower width on a
  // tie; it picked the faster one on all 11 shapes measured both ways
  // (C x K from 3 x 16 to 96 x 16 and 20 x 64; e.g. 48 x 12: 4.7 ms as
  // K x C, 5.3 as C x K; 96 x 16: 10.4 as C x K, 12.8 as K x C).
  bool cRows = true;
  int64_t width = 0;
  int threads = 1;
  // Scratch offsets (floats): x and dy in [C, H, W, N], then one block per
  // tap for each thread.
  int64_t xAt = 0, dyAt = 0, accAt = 0, scratch = 0;
  int64_t blockFloats() const { return (cRows ? c : k) * width; }
  memory xUser, xRows, dyUser, dyRows;
  dnnl::reorder toXRows, toDyRows;
};

Entry::~Entry() = default;

/// The calls' buffers (reordered operands, phase images): grown to the
/// largest call, page-aligned like oneDNN's own allocations; its contents
/// do not outlive a call.
class Scratch {
public:
  float *reserve(int64_t floats) {
    if (floats > size) {
      // Free first: the contents never outlive a call, and holding the old
      // buffer while allocating the new one would raise the peak.
      release();
      size_t bytes = (static_cast<size_t>(floats) * sizeof(float) + 4095) /
                     4096 * 4096;
      void *p = std::aligned_alloc(4096, bytes);
      if (!p)
        throw std::runtime_error(
            "oneDNN convolution: cannot allocate " +
            std::to_string(bytes >> 20) +
            " MiB of scratch for the reordered operands (out of memory: a "
            "smaller batch needs less)");
      data.reset(static_cast<float *>(p));
      size = static_cast<int64_t>(bytes / sizeof(float));
    }
    return data.get();
  }
  void release() { data.reset(), size = 0; }

private:
  struct Free {
    void operator()(float *p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data;
  int64_t size = 0;
};

struct State {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::mutex mutex;
  std::unordered_map<Key, std::unique_ptr<Entry>, KeyHash> cache;
  Scratch scratch;
};

State &state() {
  static State *s = new State(); // never destroyed: no exit-time ordering
  return *s;
}

memory::dims dimsOf(const TensorView<float> &v) {
  return {v.sizes[0], v.sizes[1], v.sizes[2], v.sizes[3]};
}

bool needsCopy(const TensorView<float> &v) {
  for (int d = 0; d < 4; ++d)
    if (v.sizes[d] > 1 && v.strides[d] <= 0)
      return true;
  return false;
}

memory::desc userDesc(const TensorView<float> &v, bool copy) {
  if (copy)
    return memory::desc(dimsOf(v), memory::data_type::f32, tag::abcd);
  memory::dims strides = {v.strides[0], v.strides[1], v.strides[2],
                          v.strides[3]};
  // Extent-1 dimensions may carry any stride in a memref. oneDNN checks
  // that, ordered by stride, each dimension starts past the extent of the
  // previous one, so give them the outermost extent: they then never
  // overlap.
  int64_t outer = 1;
  for (int d = 0; d < 4; ++d)
    if (v.sizes[d] > 1)
      outer = std::max<int64_t>(outer, v.strides[d] * v.sizes[d]);
  for (int d = 0; d < 4; ++d)
    if (v.sizes[d] == 1)
      strides[d] = outer;
  return memory::desc(dimsOf(v), memory::data_type::f32, strides);
}

memory::desc requestDesc(const memory::desc &user, const TensorView<float> &v,
                         OneDnnLayout layout, bool weights) {
  switch (layout) {
  case OneDnnLayout::Strided: return user;
  case OneDnnLayout::StridedActivations:
    return weights ? memory::desc(dimsOf(v), memory::data_type::f32, tag::any)
                   : user;
  case OneDnnLayout::ChannelsLast:
    return memory::desc(dimsOf(v), memory::data_type::f32,
                        weights ? tag::any : tag::acdb);
  case OneDnnLayout::Plain:
    return memory::desc(dimsOf(v), memory::data_type::f32, tag::abcd);
  case OneDnnLayout::Any:
    return memory::desc(dimsOf(v), memory::data_type::f32, tag::any);
  }
  return user;
}

// Builds the primitive for requested descriptors md[] (argument order) and
// stores what it chose in chosen[].
dnnl::primitive create(Op op, const memory::desc md[3], const ConvParams &p,
                       const dnnl::engine &eng, memory::desc chosen[3],
                       std::string &impl) {
  using namespace dnnl;
  const memory::desc *src, *wei, *dst;
  switch (op) {
  case Op::Fwd: src = &md[0], wei = &md[1], dst = &md[2]; break;
  case Op::BwdData: dst = &md[0], wei = &md[1], src = &md[2]; break;
  case Op::BwdFilter: default: src = &md[0], dst = &md[1], wei = &md[2]; break;
  }
  memory::dims strides = {p.stride, p.stride};
  memory::dims dilates = {p.dilation - 1, p.dilation - 1}; // oneDNN: 0 = dense
  memory::dims pad = {p.padding, p.padding};
  convolution_forward::desc fwdDesc(prop_kind::forward_training,
                                    algorithm::convolution_direct, *src, *wei,
                                    *dst, strides, dilates, pad, pad);
  convolution_forward::primitive_desc fwdPd(fwdDesc, eng);
  switch (op) {
  case Op::Fwd:
    chosen[0] = fwdPd.src_desc(), chosen[1] = fwdPd.weights_desc(),
    chosen[2] = fwdPd.dst_desc();
    impl = fwdPd.impl_info_str();
    return convolution_forward(fwdPd);
  case Op::BwdData: {
    convolution_backward_data::desc d(algorithm::convolution_direct, *src,
                                      *wei, *dst, strides, dilates, pad, pad);
    convolution_backward_data::primitive_desc pd(d, eng, fwdPd);
    chosen[0] = pd.diff_dst_desc(), chosen[1] = pd.weights_desc(),
    chosen[2] = pd.diff_src_desc();
    impl = pd.impl_info_str();
    return convolution_backward_data(pd);
  }
  case Op::BwdFilter:
  default: {
    convolution_backward_weights::desc d(algorithm::convolution_direct, *src,
                                         *wei, *dst, strides, dilates, pad,
                                         pad);
    convolution_backward_weights::primitive_desc pd(d, eng, fwdPd);
    chosen[0] = pd.src_desc(), chosen[1] = pd.diff_dst_desc(),
    chosen[2] = pd.diff_weights_desc();
    impl = pd.impl_info_str();
    return convolution_backward_weights(pd);
  }
  }
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// `floats` rounded up so that the next region of the scratch starts on 64
/// bytes (16 floats), as oneDNN's kernels prefer.
int64_t alignedFloats(int64_t floats) { return ceilDiv(floats, 16) * 16; }

std::unique_ptr<Entry> build(Op op, const TensorView<float> *views[3],
                             const ConvParams &p, OneDnnLayout layout,
                             const dnnl::engine &eng) {
  auto e = std::make_unique<Entry>();
  switch (op) {
  case Op::Fwd:
    e->args[0] = DNNL_ARG_SRC, e->args[1] = DNNL_ARG_WEIGHTS,
    e->args[2] = DNNL_ARG_DST;
    break;
  case Op::BwdData:
    e->args[0] = DNNL_ARG_DIFF_DST, e->args[1] = DNNL_ARG_WEIGHTS,
    e->args[2] = DNNL_ARG_DIFF_SRC;
    break;
  case Op::BwdFilter:
    e->args[0] = DNNL_ARG_SRC, e->args[1] = DNNL_ARG_DIFF_DST,
    e->args[2] = DNNL_ARG_DIFF_WEIGHTS;
    break;
  }
  for (int i = 0; i < 3; ++i) {
    Operand &o = e->ops[i];
    o.input = i < 2;
    o.copy = needsCopy(*views[i]);
    if (!o.copy) {
      try {
        o.user = userDesc(*views[i], false);
      } catch (const dnnl::error &) {
        // oneDNN rejects strides that interleave without overlapping, e.g.
        // a stride-2 subsample of a 7x7 image: [49, 49, 14, 2] for
        // [2, 1, 4, 4] (it wants the batch stride >= 4 * 14).
        o.copy = true;
      }
    }
    if (o.copy) {
      o.dense.resize(views[i]->numel());
      o.user = userDesc(*views[i], true);
    }
  }
  // The requested layout first; when oneDNN has no implementation for it,
  // plain dense, then its own choice.
  std::vector<OneDnnLayout> tries = {layout};
  for (OneDnnLayout l : {OneDnnLayout::Plain, OneDnnLayout::Any})
    if (l != layout)
      tries.push_back(l);
  memory::desc chosen[3];
  for (size_t t = 0; t < tries.size(); ++t) {
    memory::desc md[3];
    for (int i = 0; i < 3; ++i)
      md[i] = requestDesc(e->ops[i].user, *views[i], tries[t],
                          /*weights=*/op == Op::BwdFilter ? i == 2 : i == 1);
    try {
      e->prim = create(op, md, p, eng, chosen, e->impl);
      e->layout = tries[t];
      break;
    } catch (const dnnl::error &) {
      if (t + 1 == tries.size())
        throw;
    }
  }
  for (int i = 0; i < 3; ++i) {
    Operand &o = e->ops[i];
    o.prim = chosen[i];
    o.userMem = memory(o.user, eng, DNNL_MEMORY_NONE);
    o.reorder = !(o.prim == o.user);
    if (o.reorder) {
      o.primMem = memory(o.prim, eng, DNNL_MEMORY_NONE);
      o.primAt = e->scratch;
      e->scratch += alignedFloats(
          static_cast<int64_t>(o.prim.get_size() / sizeof(float)));
      o.reorderPrim =
          o.input ? dnnl::reorder(dnnl::reorder::primitive_desc(eng, o.user,
                                                                eng, o.prim))
                  : dnnl::reorder(dnnl::reorder::primitive_desc(eng, o.prim,
                                                                eng, o.user));
    }
  }
  return e;
}

/// The layout a call is built with: the requested one, except that under
/// Any (the default) a backward-data call into a few channels (dx of C <= 2
/// channels, or C <= 4 from K >= 32) uses plain NCHW. oneDNN 2.6's blocked
/// kernel pads such a dx to a 16-channel block and runs up to 4x slower
/// than its plain gemm kernel there: the image side of a dictionary on a
/// grey-scale or colour input (examples/two_dilations.csc: 8 of its 14
/// backward-data calls per step). Measured with
///   cscc-runtime-check conv-bench --n N --c C --k K --hw S --dilation D
///     --padding D --layout L
/// (2 threads, median ms of bwd_data, any / plain; bwd_filter is 2-6x
/// faster with any at every C; fwd is as fast or faster with any, except
/// into K >= 32 from C = 1 or 3, where plain is 13-22% ahead: left with
/// any):
///   N = 128, S = 28, D = 1:  K=8          K=16         K=32
///     C = 1                  1.83 / 0.51  1.80 / 0.60  3.55 / 0.79
///     C = 2                  1.80 / 1.05  1.84 / 1.13  3.62 / 1.47
///     C = 4                  1.88 / 1.95  1.95 / 2.18  3.69 / 2.80
///     C = 8                  1.97 / 3.95  2.01 / 4.50  4.10 / 5.44
///   N = 64, S = 32:          K=16 (D=3)   K=32 (D=3)   K=32 (D=1)  K=64 (D=1)
///     C = 3                  1.15 / 1.18  2.23 / 1.45  2.37 / 1.46 4.58 / 1.99
///     C = 4                  1.13 / 1.51  2.22 / 1.86
/// A backward-filter call from x of C <= 2 channels runs channels-last
/// (NHWC activations, reordered in; weights in oneDNN's choice) where
/// oneDNN has a JIT kernel for it: the blocked kernel pads x to a whole
/// channel block. On the AVX2 VM (oneDNN picks jit:avx2, 8-channel blocks),
/// N = 128, 28x28, dilation 1, bwd_filter, any / channels-last, NCHW
/// operands, median ms:
///                            K=8          K=16         K=32
///     C = 1                  2.07 / 0.48  4.90 / 1.53  8.63 / 4.11
///     C = 2                  1.73 / 0.57  4.74 / 2.66  8.10 / 5.24
///     C = 3                  0.73 / 0.77  2.08 / 2.52  4.02 / 6.15
///     C = 4                  1.74 / 0.98  4.44 / 2.66  7.89 / 7.35
///     C = 8                  1.82 / 1.82  4.13 / 4.41  8.01 / 11.2
OneDnnLayout layoutFor(Op op, const TensorView<float> &a,
                       const TensorView<float> &out, OneDnnLayout requested) {
  if (requested != OneDnnLayout::Any)
    return requested;
  switch (op) {
  case Op::Fwd:
    return requested;
  case Op::BwdData: {
    int64_t c = out.sizes[1], k = a.sizes[1]; // dx, dy
    if (c <= 2 || (c <= 4 && k >= 32))
      return OneDnnLayout::Plain;
    return requested;
  }
  case Op::BwdFilter:
    return a.sizes[1] <= 2 ? OneDnnLayout::ChannelsLast : requested; // x
  }
  return requested;
}

/// Builds the call in the layout layoutFor picks, or in the requested one
/// where oneDNN has no JIT kernel for the picked channels-last layout.
std::unique_ptr<Entry> buildFor(Op op, const TensorView<float> *views[3],
                                const ConvParams &p, OneDnnLayout requested,
                                const dnnl::engine &eng) {
  OneDnnLayout layout = layoutFor(op, *views[0], *views[2], requested);
  std::unique_ptr<Entry> e = build(op, views, p, layout, eng);
  if (layout == OneDnnLayout::ChannelsLast && layout != requested &&
      e->impl.rfind("jit", 0) != 0)
    e = build(op, views, p, requested, eng);
  return e;
}

bool isGemm(const std::string &impl) {
  return impl.find("gemm") != std::string::npos;
}

/// Sets up `pi` to gather the d*d phase images, hp x wp each, of the
/// caller's view `v` (shape and strides; the data comes per call), stored
/// NCHW or, with `channelsLast`, NHWC, in scratch from offset `scratch`
/// on (advanced past them). Throws dnnl::error when oneDNN cannot describe
/// `v`.
void makePhaseImages(PhaseImages &pi, const TensorView<float> &v, int64_t d,
                     int64_t hp, int64_t wp, bool channelsLast,
                     int64_t &scratch, const dnnl::engine &eng) {
  using dt = memory::data_type;
  int64_t N = v.sizes[0], C = v.sizes[1], H = v.sizes[2], W = v.sizes[3];
  // [N, C, H', d, W', d] (row d i + a, column d j + b) -> phase (a, b) of
  // image n at batch (a d + b) N + n.
  memory::dims dims6 = {N, C, hp, d, wp, d};
  int64_t plane = hp * wp, image = C * plane, batch = N * image;
  int64_t sc = channelsLast ? 1 : plane, sh = channelsLast ? wp * C : wp,
          sw = channelsLast ? C : 1;
  memory::desc phases6(dims6, dt::f32,
                       memory::dims{image, sc, sh, d * batch, sw, batch});
  pi.phasesAt = scratch;
  scratch += alignedFloats(d * d * batch);
  pi.phases6 = memory(phases6, eng, DNNL_MEMORY_NONE);
  // Read the phases from the caller's buffer where its rows and columns
  // divide into them (dimensions of extent 1 may carry any stride: copy).
  bool inPlace = H == d * hp && W == d * wp;
  for (int i = 0; i < 4; ++i)
    inPlace = inPlace && v.sizes[i] > 1;
  memory::desc source6;
  if (inPlace) {
    try {
      source6 = memory::desc(dims6, dt::f32,
                             memory::dims{v.strides[0], v.strides[1],
                                          d * v.strides[2], v.strides[2],
                                          d * v.strides[3], v.strides[3]});
    } catch (const dnnl::error &) {
      inPlace = false;
    }
  }
  if (!inPlace) {
    int64_t HP = d * hp, WP = d * wp;
    pi.paddedAt = scratch;
    scratch += alignedFloats(N * C * HP * WP);
    pi.planes = N * C, pi.rows = H, pi.cols = W, pi.paddedRows = HP,
    pi.paddedCols = WP;
    memory::desc user = userDesc(v, false);
    memory::desc inPadded(dimsOf(v), dt::f32,
                          memory::dims{C * HP * WP, HP * WP, WP, 1});
    pi.user = memory(user, eng, DNNL_MEMORY_NONE);
    pi.paddedMem = memory(inPadded, eng, DNNL_MEMORY_NONE);
    pi.toPadded = dnnl::reorder(
        dnnl::reorder::primitive_desc(eng, user, eng, inPadded));
    source6 = memory::desc(dims6, dt::f32,
                           memory::dims{C * HP * WP, HP * WP, d * WP, WP, d, 1});
  }
  pi.source6 = memory(source6, eng, DNNL_MEMORY_NONE);
  pi.toPhases =
      dnnl::reorder(dnnl::reorder::primitive_desc(eng, source6, eng, phases6));
  pi.view = TensorView<float>::dense(nullptr, d * d * N, C, hp, wp);
  pi.view.strides[1] = sc, pi.view.strides[2] = sh, pi.view.strides[3] = sw;
}

/// Gives the backward-filter call `e` (built for `views`) per-tap GEMMs
/// where `policy` asks for them and the shape allows them. -> whether it
/// did.
bool considerTaps(Entry &e, const TensorView<float> *views[3],
                  const ConvParams &p, OneDnnLayout requested,
                  DilatedFilterGrad policy, const dnnl::engine &eng) {
  const TensorView<float> &x = *views[0], &dy = *views[1], &dw = *views[2];
  if (policy != DilatedFilterGrad::Auto && policy != DilatedFilterGrad::Taps)
    return false;
  if (p.stride != 1 || needsCopy(x) || needsCopy(dy) || x.numel() == 0 ||
      dy.numel() == 0 || dw.numel() == 0)
    return false;
  // Measured with conv-bench --layout any --dilated-filter-grad auto|taps
  // (N = 128, 16 output channels, 28x28, dilation 2, 2 threads, median ms,
  // gemm primitive or phases / taps): C = 1: 2.07 phases / 1.97; C = 2:
  // 2.22 phases / 4.55 (oneDNN's sgemm is slow two rows wide); C = 3: 5.49
  // gemm / 4.80; C = 4: 6.21 / 5.13; C = 8: gemm 14.0 / 5.8. From 1 to 8
  // output channels, C = 1, dilation 3: 1.36 phases / 0.63. So every
  // width but C = 2, which keeps its phases.
  if (policy == DilatedFilterGrad::Auto &&
      (requested != OneDnnLayout::Any || !isGemm(e.impl) || x.sizes[1] == 2))
    return false;
  auto t = std::make_unique<TapGemms>();
  t->n = x.sizes[0], t->c = x.sizes[1], t->h = x.sizes[2], t->w = x.sizes[3];
  t->k = dy.sizes[1], t->oh = dy.sizes[2], t->ow = dy.sizes[3];
  t->kh = dw.sizes[2], t->kw = dw.sizes[3];
  t->d = p.dilation, t->pad = p.padding;
  auto padded = [](int64_t channels) { return (channels + 7) / 8 * 8; };
  int64_t cByK = t->c * padded(t->k), kByC = t->k * padded(t->c);
  t->cRows = cByK < kByC || (cByK == kByC && t->k <= t->c);
  t->width = padded(t->cRows ? t->k : t->c);
  t->threads = std::max(1, omp_get_max_threads());
  auto rowsDesc = [](int64_t n, int64_t c, int64_t h, int64_t w) {
    return memory::desc({n, c, h, w}, memory::data_type::f32,
                        memory::dims{1, h * w * n, w * n, n});
  };
  try {
    memory::desc xUser = userDesc(x, false), dyUser = userDesc(dy, false);
    memory::desc xRows = rowsDesc(t->n, t->c, t->h, t->w);
    memory::desc dyRows = rowsDesc(t->n, t->k, t->oh, t->ow);
    t->xUser = memory(xUser, eng, DNNL_MEMORY_NONE);
    t->dyUser = memory(dyUser, eng, DNNL_MEMORY_NONE);
    t->xRows = memory(xRows, eng, DNNL_MEMORY_NONE);
    t->dyRows = memory(dyRows, eng, DNNL_MEMORY_NONE);
    t->toXRows = dnnl::reorder(
        dnnl::reorder::primitive_desc(eng, xUser, eng, xRows));
    t->toDyRows = dnnl::reorder(
        dnnl::reorder::primitive_desc(eng, dyUser, eng, dyRows));
  } catch (const dnnl::error &) {
    return false; // the direct call stays
  }
  t->xAt = 0;
  int64_t xChannels = t->cRows ? t->c : t->width;
  int64_t dyChannels = t->cRows ? t->width : t->k;
  t->dyAt = alignedFloats(xChannels * t->h * t->w * t->n);
  t->accAt = t->dyAt + alignedFloats(dyChannels * t->oh * t->ow * t->n);
  t->scratch = t->accAt + t->threads * t->kh * t->kw * t->blockFloats();
  // The direct primitive and its buffers are not needed any more.
  e.prim = dnnl::primitive();
  for (Operand &o : e.ops)
    o.primMem = memory(), o.reorderPrim = dnnl::reorder(), o.reorder = false,
    o.dense = {};
  e.scratch = 0;
  e.taps = std::move(t);
  return true;
}

/// Gives the backward-filter call `e` (built for `views`) a phase split
/// where `policy` asks for one and the shape allows it.
void considerPhases(Entry &e, const TensorView<float> *views[3],
                    const ConvParams &p, OneDnnLayout requested,
                    DilatedFilterGrad policy, const dnnl::engine &eng) {
  const TensorView<float> &x = *views[0], &dy = *views[1], &dw = *views[2];
  int64_t d = p.dilation;
  if (policy == DilatedFilterGrad::Direct ||
      policy == DilatedFilterGrad::Taps || p.stride != 1 || d < 2 ||
      p.padding % d != 0 || needsCopy(x) || needsCopy(dy))
    return;
  if (policy == DilatedFilterGrad::Auto &&
      (requested != OneDnnLayout::Any || !isGemm(e.impl)))
    return;
  ConvParams q;
  q.stride = 1, q.dilation = 1, q.padding = p.padding / d;
  int64_t hx = ceilDiv(x.sizes[2], d), wx = ceilDiv(x.sizes[3], d);
  int64_t hy = ceilDiv(dy.sizes[2], d), wy = ceilDiv(dy.sizes[3], d);
  // Holds for every such shape (OH = H + d (2m - k + 1)); checked, not
  // assumed.
  if (convOutputSize(hx, dw.sizes[2], q) != hy ||
      convOutputSize(wx, dw.sizes[3], q) != wy)
    return;
  // Gathered straight into the layout the undilated call will want. Auto
  // takes the phases only where that call runs on them in place
  // (channels-last, x of C <= 2 channels): with a blocked undilated call
  // the phases are reordered once more into blocked copies, which cost
  // more than the gain is worth (measured on the AVX2 VM, MSD-CSC-FISTA d12
  // w32: 3-5% faster with peak memory +8% while each call kept its own
  // reordered operands; with every call's buffers in the shared scratch,
  // 0.6-2.8% faster there and 1.3% on the README model at d 6, unfold 2,
  // peak memory +3%).
  bool channelsLast = layoutFor(Op::BwdFilter, x, dw, requested) ==
                      OneDnnLayout::ChannelsLast;
  if (policy == DilatedFilterGrad::Auto && !channelsLast)
    return;
  auto split = std::make_unique<PhaseSplit>();
  split->d = d;
  try {
    makePhaseImages(split->x, x, d, hx, wx, channelsLast, split->scratch,
                    eng);
    makePhaseImages(split->dy, dy, d, hy, wy, channelsLast, split->scratch,
                    eng);
    const TensorView<float> *inner[3] = {&split->x.view, &split->dy.view, &dw};
    split->inner = buildFor(Op::BwdFilter, inner, q, requested, eng);
  } catch (const dnnl::error &) {
    return; // the direct call stays
  }
  // buildFor kept channels-last only for a JIT kernel.
  if (policy == DilatedFilterGrad::Auto &&
      split->inner->layout != OneDnnLayout::ChannelsLast)
    return;
  // The direct primitive and its buffers are not needed any more.
  e.prim = dnnl::primitive();
  for (Operand &o : e.ops)
    o.primMem = memory(), o.reorderPrim = dnnl::reorder(), o.reorder = false,
    o.dense = {};
  e.scratch = 0;
  e.split = std::move(split);
}

Entry &lookup(State &st, Op op, const TensorView<float> &a,
              const TensorView<float> &b, const TensorView<float> &out,
              const ConvParams &p) {
  OneDnnLayout layout = getOneDnnLayout();
  const TensorView<float> *views[3] = {&a, &b, &out};
  Key key;
  std::memset(&key, 0, sizeof key);
  key.op = static_cast<int>(op);
  key.layout = static_cast<int>(layout);
  for (int i = 0; i < 3; ++i)
    for (int d = 0; d < 4; ++d) {
      key.sizes[i][d] = views[i]->sizes[d];
      key.strides[i][d] = views[i]->strides[d];
    }
  key.stride = p.stride, key.dilation = p.dilation, key.padding = p.padding;
  DilatedFilterGrad policy = getDilatedFilterGrad();
  key.dilatedFilterGrad = static_cast<int64_t>(policy);
  auto it = st.cache.find(key);
  if (it != st.cache.end())
    return *it->second;
  if (st.cache.size() >= 4096) // a runaway number of shapes: start over
    st.cache.clear();
  auto entry = buildFor(op, views, p, layout, st.engine);
  if (op == Op::BwdFilter &&
      !considerTaps(*entry, views, p, layout, policy, st.engine))
    considerPhases(*entry, views, p, layout, policy, st.engine);
  Entry &ref = *entry;
  st.cache.emplace(key, std::move(entry));
  return ref;
}

void copyToDense(const TensorView<float> &v, float *dst) {
  for (int64_t i0 = 0; i0 < v.sizes[0]; ++i0)
    for (int64_t i1 = 0; i1 < v.sizes[1]; ++i1)
      for (int64_t i2 = 0; i2 < v.sizes[2]; ++i2)
        for (int64_t i3 = 0; i3 < v.sizes[3]; ++i3)
          *dst++ = v.at(i0, i1, i2, i3);
}

void copyFromDense(const float *src, const TensorView<float> &v) {
  for (int64_t i0 = 0; i0 < v.sizes[0]; ++i0)
    for (int64_t i1 = 0; i1 < v.sizes[1]; ++i1)
      for (int64_t i2 = 0; i2 < v.sizes[2]; ++i2)
        for (int64_t i3 = 0; i3 < v.sizes[3]; ++i3)
          v.at(i0, i1, i2, i3) = *src++;
}

[[noreturn]] void rethrow(const dnnl::error &e, const std::string &what) {
  throw std::runtime_error(what + "oneDNN failed: " + e.what() + " (" +
                           dnnl_status2str(e.status) + ")");
}

/// Gathers the phase images of the caller's `data` into scratch at `base`.
void gatherPhases(State &st, PhaseImages &pi, float *data, float *base) {
  pi.view.data = base + pi.phasesAt;
  pi.phases6.set_data_handle(pi.view.data);
  if (pi.paddedAt >= 0) {
    // Zero the margins (the copy fills the rest): the scratch holds
    // whatever the last call left.
    float *padded = base + pi.paddedAt;
    for (int64_t i = 0; i < pi.planes; ++i) {
      float *p = padded + i * pi.paddedRows * pi.paddedCols;
      for (int64_t r = 0; r < pi.rows; ++r)
        std::fill(p + r * pi.paddedCols + pi.cols, p + (r + 1) * pi.paddedCols,
                  0.f);
      std::fill(p + pi.rows * pi.paddedCols,
                p + pi.paddedRows * pi.paddedCols, 0.f);
    }
    pi.user.set_data_handle(data);
    pi.paddedMem.set_data_handle(padded);
    pi.source6.set_data_handle(padded);
    pi.toPadded.execute(st.stream, {{DNNL_ARG_FROM, pi.user},
                                    {DNNL_ARG_TO, pi.paddedMem}});
  } else {
    pi.source6.set_data_handle(data);
  }
  pi.toPhases.execute(st.stream, {{DNNL_ARG_FROM, pi.source6},
                                  {DNNL_ARG_TO, pi.phases6}});
}

/// The floats of scratch a call of `e` takes.
int64_t scratchOf(const Entry &e) {
  if (e.taps)
    return e.taps->scratch;
  return e.split ? e.split->scratch + scratchOf(*e.split->inner) : e.scratch;
}

/// Runs the per-tap GEMMs `t` on x, dy (views[0], views[1]) into dw
/// (views[2]), with the scratch from `base`.
void runTaps(State &st, TapGemms &t, const TensorView<float> *views[3],
             float *base) {
  float *xRows = base + t.xAt, *dyRows = base + t.dyAt, *acc = base + t.accAt;
  t.xUser.set_data_handle(views[0]->data);
  t.dyUser.set_data_handle(views[1]->data);
  t.xRows.set_data_handle(xRows);
  t.dyRows.set_data_handle(dyRows);
  t.toXRows.execute(st.stream,
                    {{DNNL_ARG_FROM, t.xUser}, {DNNL_ARG_TO, t.xRows}});
  t.toDyRows.execute(st.stream,
                     {{DNNL_ARG_FROM, t.dyUser}, {DNNL_ARG_TO, t.dyRows}});
  st.stream.wait();
  if (t.cRows)
    std::fill(dyRows + t.k * t.oh * t.ow * t.n,
              dyRows + t.width * t.oh * t.ow * t.n, 0.f);
  else
    std::fill(xRows + t.c * t.h * t.w * t.n, xRows + t.width * t.h * t.w * t.n,
              0.f);
  const int64_t taps = t.kh * t.kw, block = t.blockFloats(),
                pairs = taps * t.oh;
  const int64_t ldx = t.h * t.w * t.n, ldy = t.oh * t.ow * t.n;
  int team = 1;
  std::atomic<int> failed{0};
#pragma omp parallel num_threads(t.threads)
  {
    int threads = omp_get_num_threads(), id = omp_get_thread_num();
    if (id == 0)
      team = threads;
    float *mine = acc + id * taps * block;
    std::fill(mine, mine + taps * block, 0.f);
    for (int64_t i = pairs * id / threads, end = pairs * (id + 1) / threads;
         i < end; ++i) {
      int64_t tap = i / t.oh, y = i % t.oh;
      int64_t sy = tap / t.kw * t.d - t.pad, sx = tap % t.kw * t.d - t.pad;
      int64_t row = y + sy;
      int64_t x0 = std::max<int64_t>(0, -sx);
      int64_t x1 = std::min<int64_t>(t.ow, t.w - sx);
      if (row < 0 || row >= t.h || x1 <= x0)
        continue; // the tap reads only padding on this row
      const float *a = dyRows + (y * t.ow + x0) * t.n;
      const float *b = xRows + (row * t.w + x0 + sx) * t.n;
      dnnl_dim_t run = (x1 - x0) * t.n;
      dnnl_status_t status =
          t.cRows ? dnnl_sgemm('N', 'T', t.c, t.width, run, 1.f, b, ldx, a,
                               ldy, 1.f, mine + tap * block, t.width)
                  : dnnl_sgemm('N', 'T', t.k, t.width, run, 1.f, a, ldy, b,
                               ldx, 1.f, mine + tap * block, t.width);
      if (status != dnnl_success)
        failed = 1;
    }
  }
  if (failed)
    throw std::runtime_error("per-tap backward filter: dnnl_sgemm failed");
  const TensorView<float> &dw = *views[2];
  for (int64_t tap = 0; tap < taps; ++tap)
    for (int64_t k = 0; k < t.k; ++k)
      for (int64_t c = 0; c < t.c; ++c) {
        float sum = 0.f;
        int64_t at =
            tap * block + (t.cRows ? c * t.width + k : k * t.width + c);
        for (int i = 0; i < team; ++i)
          sum += acc[i * taps * block + at];
        dw.at(k, c, tap / t.kw, tap % t.kw) = sum;
      }
}

/// Runs the built call `e` on `views` (its operands in argument order),
/// its buffers in the scratch from `base` (reserved by the caller).
/// Runs `e` on `views`, its reordered operands in the scratch from `base`;
/// operand `given` (-1: none) is already in the primitive's layout at
/// `givenData` (another call of a pair reordered it).
void execute(State &st, Entry &e, const TensorView<float> *views[3],
             float *base, int given = -1, float *givenData = nullptr) {
  if (e.taps) {
    runTaps(st, *e.taps, views, base);
    return;
  }
  if (e.split) {
    PhaseSplit &s = *e.split;
    gatherPhases(st, s.x, views[0]->data, base);
    gatherPhases(st, s.dy, views[1]->data, base);
    const TensorView<float> *inner[3] = {&s.x.view, &s.dy.view, views[2]};
    execute(st, *s.inner, inner, base + s.scratch);
    return;
  }
  std::unordered_map<int, memory> args;
  for (int i = 0; i < 3; ++i) {
    Operand &o = e.ops[i];
    float *ptr = views[i]->data;
    if (o.copy) {
      if (o.input)
        copyToDense(*views[i], o.dense.data());
      ptr = o.dense.data();
    }
    o.userMem.set_data_handle(ptr);
    if (o.reorder)
      o.primMem.set_data_handle(i == given ? givenData : base + o.primAt);
    if (o.reorder && o.input && i != given)
      o.reorderPrim.execute(st.stream, {{DNNL_ARG_FROM, o.userMem},
                                        {DNNL_ARG_TO, o.primMem}});
    args[e.args[i]] = o.reorder ? o.primMem : o.userMem;
  }
  e.prim.execute(st.stream, args);
  Operand &o = e.ops[2];
  if (o.reorder)
    o.reorderPrim.execute(st.stream, {{DNNL_ARG_FROM, o.primMem},
                                      {DNNL_ARG_TO, o.userMem}});
  st.stream.wait();
  if (o.copy)
    copyFromDense(o.dense.data(), *views[2]);
}

std::string describe(const Entry &e) {
  if (e.taps)
    return "taps: " + std::to_string(e.taps->kh * e.taps->kw) + " sgemm (" +
           (e.taps->cRows ? "C x K" : "K x C") + ") over [C, H, W, N] copies";
  if (e.split)
    return "phases " + std::to_string(e.split->d) + "x" +
           std::to_string(e.split->d) + " of the undilated " +
           describe(*e.split->inner);
  std::string s = e.impl + " (layout " + wordOf(kOneDnnLayoutWords, e.layout);
  std::string reorders;
  for (int i = 0; i < 3; ++i)
    if (e.ops[i].reorder || e.ops[i].copy)
      reorders += std::string(reorders.empty() ? "" : ", ") + "operand " +
                  std::to_string(i) + (e.ops[i].copy ? " copied" : "") +
                  (e.ops[i].reorder ? " reordered" : "");
  return s + "; " + (reorders.empty() ? "no reorders" : reorders) + ")";
}
} // namespace

void run(Op op, const TensorView<float> &a, const TensorView<float> &b,
         const TensorView<float> &out, const ConvParams &p,
         const std::string &what) {
  State &st = state();
  std::lock_guard<std::mutex> lock(st.mutex);
  try {
    Entry &e = lookup(st, op, a, b, out, p);
    const TensorView<float> *views[3] = {&a, &b, &out};
    execute(st, e, views, st.scratch.reserve(scratchOf(e)));
  } catch (const dnnl::error &e) {
    rethrow(e, what);
  }
}

namespace {
/// Whether the elements of two views can share an address (their spans
/// overlap; views of one buffer that interleave count as overlapping).
bool mayOverlap(const TensorView<float> &u, const TensorView<float> &v) {
  auto span = [](const TensorView<float> &t) {
    const float *lo = t.data, *hi = t.data;
    for (int d = 0; d < 4; ++d) {
      if (t.sizes[d] == 0)
        return std::make_pair(lo, lo);
      int64_t reach = (t.sizes[d] - 1) * t.strides[d];
      (reach < 0 ? lo : hi) += reach;
    }
    return std::make_pair(lo, hi + 1);
  };
  auto [ulo, uhi] = span(u);
  auto [vlo, vhi] = span(v);
  return ulo < vhi && vlo < uhi;
}

bool sameView(const TensorView<float> &u, const TensorView<float> &v) {
  if (u.data != v.data)
    return false;
  for (int d = 0; d < 4; ++d)
    if (u.sizes[d] != v.sizes[d] || u.strides[d] != v.strides[d])
      return false;
  return true;
}

/// The input of `b` that may take `a`'s reordered copy of one of its own
/// inputs, as {input of a, input of b}; {-1, -1} for none. Both must be
/// plain primitive calls (not taps or phases), the views the same, reordered
/// from the same descriptor into the same one, and `a`'s output apart from
/// it (`a` leaves the copy and the view as they were).
std::pair<int, int> sharedInput(const Entry &a, const TensorView<float> *va[3],
                                const Entry &b,
                                const TensorView<float> *vb[3]) {
  if (a.taps || a.split || b.taps || b.split)
    return {-1, -1};
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 2; ++i) {
      const Operand &oa = a.ops[i], &ob = b.ops[j];
      if (oa.reorder && ob.reorder && !oa.copy && !ob.copy &&
          sameView(*va[i], *vb[j]) && oa.user == ob.user &&
          oa.prim == ob.prim && !mayOverlap(*va[2], *va[i]))
        return {i, j};
    }
  return {-1, -1};
}
} // namespace

int runPair(Op opA, const TensorView<float> *a[3], Op opB,
            const TensorView<float> *b[3], const ConvParams &p,
            const std::string &whatA, const std::string &whatB) {
  State &st = state();
  std::lock_guard<std::mutex> lock(st.mutex);
  const std::string *what = &whatA;
  try {
    lookup(st, opA, *a[0], *a[1], *a[2], p);
    what = &whatB;
    Entry *eb = &lookup(st, opB, *b[0], *b[1], *b[2], p);
    // Again: building b's entry may have emptied a full cache.
    what = &whatA;
    Entry *ea = &lookup(st, opA, *a[0], *a[1], *a[2], p);
    auto [i, j] = sharedInput(*ea, a, *eb, b);
    int64_t first = alignedFloats(scratchOf(*ea));
    float *base = st.scratch.reserve(first + scratchOf(*eb));
    execute(st, *ea, a, base);
    what = &whatB;
    execute(st, *eb, b, base + first, j,
            i < 0 ? nullptr : base + ea->ops[i].primAt);
    return j;
  } catch (const dnnl::error &e) {
    rethrow(e, *what);
  }
}

std::string implementation(Op op, const TensorView<float> &a,
                           const TensorView<float> &b,
                           const TensorView<float> &out, const ConvParams &p,
                           const std::string &what) {
  State &st = state();
  std::lock_guard<std::mutex> lock(st.mutex);
  try {
    return describe(lookup(st, op, a, b, out, p));
  } catch (const dnnl::error &e) {
    rethrow(e, what);
  }
}

} // namespace onednn

void clearOneDnnCache() {
  onednn::State &st = onednn::state();
  std::lock_guard<std::mutex> lock(st.mutex);
  st.cache.clear();
  st.scratch.release();
}

} // namespace cscc::rt
