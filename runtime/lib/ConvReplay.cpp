//===- ConvReplay.cpp - re-run traced convolutions and time them ----------===//
//
// See cscc/Runtime/ConvReplay.h. The primitive mode builds its own oneDNN
// primitives (as ConvOneDnn.cpp does for the runtime's Any layout, but
// without the reorders around them).
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/ConvReplay.h"
#include "cscc/Runtime/ConvABI.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace cscc::rt {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void fillUniform(float *p, size_t n, uint64_t &state) {
  for (size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = static_cast<float>((state >> 40) * (1.0 / (1ull << 24))) * 2.0f -
           1.0f;
  }
}
void fillUniform(double *p, size_t n, uint64_t &state) {
  for (size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = static_cast<double>(state >> 11) * (1.0 / (1ull << 53)) * 2.0 - 1.0;
  }
}

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};

/// Buffers for the traced views: one per (operation, operand, dtype,
/// extent, alignment).
class Pool {
public:
  template <typename T>
  TensorView<T> view(const TracedConv &c, int operand) {
    int64_t extent = 1, back = 0; // elements; back: offset of index 0
    bool empty = false;
    for (int d = 0; d < 4; ++d) {
      int64_t n = c.sizes[operand][d], s = c.strides[operand][d];
      if (n == 0)
        empty = true;
      if (n > 1) {
        extent += (n - 1) * (s < 0 ? -s : s);
        if (s < 0)
          back += (n - 1) * -s;
      }
    }
    if (empty)
      extent = 1;
    auto key = std::make_tuple(static_cast<int>(c.op), operand, sizeof(T),
                               extent, c.align[operand]);
    auto it = buffers_.find(key);
    if (it == buffers_.end()) {
      size_t bytes = static_cast<size_t>(extent) * sizeof(T) + 64 +
                     static_cast<size_t>(c.align[operand]);
      bytes = (bytes + 4095) / 4096 * 4096;
      void *raw = std::aligned_alloc(4096, bytes);
      if (!raw)
        throw std::runtime_error("conv replay: out of memory (" +
                                 std::to_string(bytes >> 20) + " MiB)");
      T *data = reinterpret_cast<T *>(static_cast<char *>(raw) +
                                      c.align[operand]);
      fillUniform(data, static_cast<size_t>(extent), state_);
      bytes_ += bytes;
      it = buffers_.emplace(key, Buffer{std::unique_ptr<void, FreeDeleter>(raw),
                                        data})
               .first;
    }
    TensorView<T> v;
    v.data = static_cast<T *>(it->second.data) + back;
    for (int d = 0; d < 4; ++d) {
      v.sizes[d] = c.sizes[operand][d];
      v.strides[d] = c.strides[operand][d];
    }
    return v;
  }
  size_t bytes() const { return bytes_; }

private:
  struct Buffer {
    std::unique_ptr<void, FreeDeleter> raw;
    void *data;
  };
  std::map<std::tuple<int, int, size_t, int64_t, int64_t>, Buffer> buffers_;
  uint64_t state_ = 1;
  size_t bytes_ = 0;
};

template <typename T> MemRefDescriptor<T, 4> memref(const TensorView<T> &v) {
  MemRefDescriptor<T, 4> m;
  m.allocated = m.aligned = v.data;
  m.offset = 0;
  for (int d = 0; d < 4; ++d) {
    m.sizes[d] = v.sizes[d];
    m.strides[d] = v.strides[d];
  }
  return m;
}

/// One call through the extern "C" entry point, on views from the pool.
struct RuntimeCall {
  TracedConv c;
  MemRefDescriptor<float, 4> f[3];
  MemRefDescriptor<double, 4> d[3];

  void run() {
    const ConvParams &p = c.params;
    if (!c.f64) {
      switch (c.op) {
      case Conv2dKind::Forward:
        return _mlir_ciface_cscc_conv2d_fwd_f32(&f[0], &f[1], &f[2], p.stride,
                                                p.dilation, p.padding);
      case Conv2dKind::BackwardData:
        return _mlir_ciface_cscc_conv2d_bwd_data_f32(
            &f[0], &f[1], &f[2], p.stride, p.dilation, p.padding);
      case Conv2dKind::BackwardFilter:
        return _mlir_ciface_cscc_conv2d_bwd_filter_f32(
            &f[0], &f[1], &f[2], p.stride, p.dilation, p.padding);
      }
    } else {
      switch (c.op) {
      case Conv2dKind::Forward:
        return _mlir_ciface_cscc_conv2d_fwd_f64(&d[0], &d[1], &d[2], p.stride,
                                                p.dilation, p.padding);
      case Conv2dKind::BackwardData:
        return _mlir_ciface_cscc_conv2d_bwd_data_f64(
            &d[0], &d[1], &d[2], p.stride, p.dilation, p.padding);
      case Conv2dKind::BackwardFilter:
        return _mlir_ciface_cscc_conv2d_bwd_filter_f64(
            &d[0], &d[1], &d[2], p.stride, p.dilation, p.padding);
      }
    }
  }
};

/// One f32 call as a bare oneDNN primitive (format_tag::any), with its
/// operands in the primitive's formats.
struct PrimitiveCall {
  Conv2dKind op;
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory> args;
  std::string impl;
};

class Primitives {
public:
  /// Builds the primitive for c, or returns false when oneDNN has none.
  bool add(const TracedConv &c, PrimitiveCall &out) {
    using namespace dnnl;
    using tag = memory::format_tag;
    auto dims = [&](int i) {
      return memory::dims{c.sizes[i][0], c.sizes[i][1], c.sizes[i][2],
                          c.sizes[i][3]};
    };
    memory::desc md[3];
    for (int i = 0; i < 3; ++i)
      md[i] = memory::desc(dims(i), memory::data_type::f32, tag::any);
    const memory::desc *src, *wei, *dst;
    int argOf[3];
    switch (c.op) {
    case Conv2dKind::Forward:
      src = &md[0], wei = &md[1], dst = &md[2];
      argOf[0] = DNNL_ARG_SRC, argOf[1] = DNNL_ARG_WEIGHTS,
      argOf[2] = DNNL_ARG_DST;
      break;
    case Conv2dKind::BackwardData:
      dst = &md[0], wei = &md[1], src = &md[2];
      argOf[0] = DNNL_ARG_DIFF_DST, argOf[1] = DNNL_ARG_WEIGHTS,
      argOf[2] = DNNL_ARG_DIFF_SRC;
      break;
    case Conv2dKind::BackwardFilter:
    default:
      src = &md[0], dst = &md[1], wei = &md[2];
      argOf[0] = DNNL_ARG_SRC, argOf[1] = DNNL_ARG_DIFF_DST,
      argOf[2] = DNNL_ARG_DIFF_WEIGHTS;
      break;
    }
    const ConvParams &p = c.params;
    memory::dims strides = {p.stride, p.stride};
    memory::dims dilates = {p.dilation - 1, p.dilation - 1};
    memory::dims pad = {p.padding, p.padding};
    memory::desc chosen[3];
    try {
      convolution_forward::desc fd(prop_kind::forward_training,
                                   algorithm::convolution_direct, *src, *wei,
                                   *dst, strides, dilates, pad, pad);
      convolution_forward::primitive_desc fpd(fd, engine_);
      switch (c.op) {
      case Conv2dKind::Forward:
        chosen[0] = fpd.src_desc(), chosen[1] = fpd.weights_desc(),
        chosen[2] = fpd.dst_desc();
        out.impl = fpd.impl_info_str();
        out.prim = convolution_forward(fpd);
        break;
      case Conv2dKind::BackwardData: {
        convolution_backward_data::desc d(algorithm::convolution_direct, *src,
                                          *wei, *dst, strides, dilates, pad,
                                          pad);
        convolution_backward_data::primitive_desc pd(d, engine_, fpd);
        chosen[0] = pd.diff_dst_desc(), chosen[1] = pd.weights_desc(),
        chosen[2] = pd.diff_src_desc();
        out.impl = pd.impl_info_str();
        out.prim = convolution_backward_data(pd);
        break;
      }
      case Conv2dKind::BackwardFilter: {
        convolution_backward_weights::desc d(algorithm::convolution_direct,
                                             *src, *wei, *dst, strides,
                                             dilates, pad, pad);
        convolution_backward_weights::primitive_desc pd(d, engine_, fpd);
        chosen[0] = pd.src_desc(), chosen[1] = pd.diff_dst_desc(),
        chosen[2] = pd.diff_weights_desc();
        out.impl = pd.impl_info_str();
        out.prim = convolution_backward_weights(pd);
        break;
      }
      }
    } catch (const dnnl::error &) {
      return false;
    }
    out.op = c.op;
    for (int i = 0; i < 3; ++i)
      out.args[argOf[i]] = memoryFor(static_cast<int>(c.op), i, chosen[i]);
    return true;
  }

  void run(PrimitiveCall &call) {
    call.prim.execute(stream_, call.args);
    stream_.wait();
  }
  size_t bytes() const { return bytes_; }

private:
  // Shared by calls with the same operation, operand and format.
  dnnl::memory memoryFor(int op, int operand, const dnnl::memory::desc &d) {
    for (auto &[o, i, desc, mem] : memories_)
      if (o == op && i == operand && desc == d)
        return mem;
    dnnl::memory mem(d, engine_);
    size_t n = d.get_size() / sizeof(float);
    fillUniform(static_cast<float *>(mem.get_data_handle()), n, state_);
    bytes_ += d.get_size();
    memories_.emplace_back(op, operand, d, mem);
    return mem;
  }

  dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream_{engine_};
  std::vector<std::tuple<int, int, dnnl::memory::desc, dnnl::memory>> memories_;
  uint64_t state_ = 7;
  size_t bytes_ = 0;
};

/// Times options.repeat passes over the steps after options.warmup
/// untimed ones. run(step, call) runs one call and returns false for a call
/// it skips.
template <typename RunFn>
void timeSteps(const std::vector<std::vector<TracedConv>> &steps,
               const ConvReplayOptions &options, RunFn run,
               ConvReplayResult &out) {
  std::vector<std::vector<double>> perCall(steps[0].size());
  for (int r = 0; r < options.warmup + options.repeat; ++r)
    for (size_t s = 0; s < steps.size(); ++s) {
      double kinds[3] = {0, 0, 0};
      auto t0 = Clock::now();
      for (size_t i = 0; i < steps[s].size(); ++i) {
        auto t1 = Clock::now();
        if (!run(s, i))
          continue;
        double ms = msSince(t1);
        kinds[static_cast<int>(steps[s][i].op)] += ms;
        if (options.perCall && s == 0 && r >= options.warmup)
          perCall[i].push_back(ms);
      }
      double total = msSince(t0);
      if (r < options.warmup)
        continue;
      out.stepMs.push_back(total);
      for (int k = 0; k < 3; ++k)
        out.kindMs[k].push_back(kinds[k]);
    }
  if (options.perCall) {
    out.callMs.resize(steps[0].size());
    for (size_t i = 0; i < steps[0].size(); ++i)
      out.callMs[i] = perCall[i].empty() ? -1 : medianOf(perCall[i]);
  }
}

bool emptyCall(const TracedConv &c) {
  for (int j = 0; j < 3; ++j)
    for (int d = 0; d < 4; ++d)
      if (c.sizes[j][d] == 0)
        return true;
  return false;
}

} // namespace

ConvPartsTiming timeConvParts(const ConvPartsShape &s, int iters,
                              int warmup) {
  using namespace dnnl;
  using tag = memory::format_tag;
  if (s.part <= 0 || s.c % s.part != 0)
    throw std::invalid_argument("conv parts: the part width " +
                                std::to_string(s.part) +
                                " must divide the channels " +
                                std::to_string(s.c));
  const ConvParams &p = s.params;
  int64_t o = convOutputSize(s.hw, s.kernel, p);
  if (o < 1 || iters < 1 || warmup < 0)
    throw std::invalid_argument("conv parts: empty output or no iterations");
  engine eng(engine::kind::cpu, 0);
  stream st(eng);
  memory::dims strides{p.stride, p.stride},
      dil{p.dilation - 1, p.dilation - 1}, pad{p.padding, p.padding};
  auto f32 = memory::data_type::f32;
  struct Calls {
    std::vector<primitive> prims;
    std::vector<std::unordered_map<int, memory>> args;
  };
  uint64_t rng = 1;
  auto filled = [&](const memory::desc &md) {
    memory m(md, eng);
    fillUniform(static_cast<float *>(m.get_data_handle()),
                md.get_size() / sizeof(float), rng);
    return m;
  };
  // The three operations of a convolution from `c` channels; the forward
  // adds into its output when `accumulate`.
  auto build = [&](int64_t c, bool accumulate, memory &y, memory &dy,
                   Calls (&calls)[3]) {
    tag act = s.channelsLast ? tag::nhwc : tag::any;
    memory::desc src({s.n, c, s.hw, s.hw}, f32, act),
        wei({s.k, c, s.kernel, s.kernel}, f32, tag::any),
        dst({s.n, s.k, o, o}, f32, act);
    convolution_forward::desc fd(prop_kind::forward_training,
                                 algorithm::convolution_direct, src, wei, dst,
                                 strides, dil, pad, pad);
    primitive_attr attr;
    if (accumulate) {
      post_ops ops;
      ops.append_sum(1.f);
      attr.set_post_ops(ops);
    }
    convolution_forward::primitive_desc fpd(fd, attr, eng);
    convolution_backward_data::primitive_desc bpd(
        convolution_backward_data::desc(algorithm::convolution_direct, src,
                                        wei, dst, strides, dil, pad, pad),
        eng, fpd);
    convolution_backward_weights::primitive_desc wpd(
        convolution_backward_weights::desc(algorithm::convolution_direct, src,
                                           wei, dst, strides, dil, pad, pad),
        eng, fpd);
    if (!y)
      y = filled(fpd.dst_desc()), dy = filled(bpd.diff_dst_desc());
    if (fpd.dst_desc() != y.get_desc() || bpd.diff_dst_desc() != dy.get_desc())
      throw std::runtime_error("conv parts: oneDNN chose another output "
                               "layout for a part than for the first");
    memory x = filled(fpd.src_desc()), w = filled(fpd.weights_desc());
    memory dx(bpd.diff_src_desc(), eng), dw(wpd.diff_weights_desc(), eng);
    calls[0].prims.push_back(convolution_forward(fpd));
    calls[0].args.push_back(
        {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}});
    calls[1].prims.push_back(convolution_backward_data(bpd));
    calls[1].args.push_back(
        {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dx}});
    calls[2].prims.push_back(convolution_backward_weights(wpd));
    calls[2].args.push_back({{DNNL_ARG_SRC, x},
                             {DNNL_ARG_DIFF_DST, dy},
                             {DNNL_ARG_DIFF_WEIGHTS, dw}});
    return std::string(fpd.impl_info_str());
  };
  auto run = [&](Calls &c) {
    auto t0 = Clock::now();
    for (size_t j = 0; j < c.prims.size(); ++j)
      c.prims[j].execute(st, c.args[j]);
    st.wait();
    return msSince(t0);
  };
  ConvPartsTiming t;
  Calls whole[3], parts[3];
  memory y, dy, py, pdy;
  t.impl = build(s.c, false, y, dy, whole);
  for (int64_t p = 0; p < s.c / s.part; ++p)
    build(s.part, p > 0, py, pdy, parts);
  // The two ways interleaved, so that a slower spell of the machine falls
  // on both.
  for (int op = 0; op < 3; ++op) {
    std::vector<double> w, p;
    for (int i = 0; i < warmup + iters; ++i) {
      double a = run(whole[op]), b = run(parts[op]);
      if (i >= warmup)
        w.push_back(a), p.push_back(b);
    }
    t.whole[op] = medianOf(w);
    t.parts[op] = medianOf(p);
  }
  return t;
}

double medianOf(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

ConvReplayResult replayConvolutions(
    const std::vector<std::vector<TracedConv>> &steps, ConvReplayMode mode,
    const ConvReplayOptions &options) {
  ConvReplayResult out;
  if (steps.empty() || steps[0].empty())
    throw std::invalid_argument("conv replay: no calls to replay");
  if (options.repeat < 1 || options.warmup < 0)
    throw std::invalid_argument("conv replay: repeat must be at least 1 and "
                                "warmup at least 0");
  if (mode == ConvReplayMode::Runtime) {
    Pool pool;
    std::vector<std::vector<RuntimeCall>> calls(steps.size());
    for (size_t s = 0; s < steps.size(); ++s)
      for (const TracedConv &c : steps[s]) {
        RuntimeCall rc;
        rc.c = c;
        for (int i = 0; i < 3; ++i) {
          if (c.f64)
            rc.d[i] = memref(pool.view<double>(c, i));
          else
            rc.f[i] = memref(pool.view<float>(c, i));
        }
        calls[s].push_back(rc);
      }
    for (const TracedConv &c : steps[0])
      ++out.calls[static_cast<int>(c.op)];
    out.bufferBytes = pool.bytes();
    if (options.perCall)
      for (const TracedConv &c : steps[0])
        out.callWhat.push_back(describeTracedConv(c));
    timeSteps(steps, options,
              [&](size_t s, size_t i) {
                calls[s][i].run();
                return true;
              },
              out);
    return out;
  }
  Primitives prims;
  std::vector<std::vector<PrimitiveCall>> calls(steps.size());
  std::vector<std::vector<char>> have(steps.size());
  for (size_t s = 0; s < steps.size(); ++s) {
    calls[s].resize(steps[s].size());
    have[s].assign(steps[s].size(), 0);
    for (size_t i = 0; i < steps[s].size(); ++i) {
      const TracedConv &c = steps[s][i];
      if (!c.f64 && !emptyCall(c))
        have[s][i] = prims.add(c, calls[s][i]);
      if (s == 0) {
        if (have[s][i])
          ++out.calls[static_cast<int>(c.op)];
        else
          ++out.skipped;
        if (options.perCall)
          out.callWhat.push_back(have[s][i] ? calls[s][i].impl : "-");
      }
    }
  }
  out.bufferBytes = prims.bytes();
  timeSteps(steps, options,
            [&](size_t s, size_t i) {
              if (!have[s][i])
                return false;
              prims.run(calls[s][i]);
              return true;
            },
            out);
  return out;
}

} // namespace cscc::rt
