//===- ConvPairTest.cpp - two convolutions sharing a reordered operand ----===//
//
// conv2dPair (Conv.h) runs the two convolutions of a vector-Jacobian
// product in one call, reordering an input both read once. Its results
// must be those of the two calls, bit for bit (the same primitives on the
// same reordered data), and the copy must really be shared where the views
// are the same and not where they differ.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/ConvABI.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace cscc::rt;

namespace {

struct Buffers {
  // x, dx: [N, 3C, H, W] (a view takes channels [C, 2C)); w, dw [K, C, 3, 3];
  // y, dy [N, K, H, W] (padding = dilation: same size).
  int64_t n = 4, c = 16, k = 16, hw = 9;
  std::vector<float> x, dx, w, dw, y, dy;
  explicit Buffers(unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    auto fill = [&](std::vector<float> &v, size_t size) {
      v.resize(size);
      for (float &e : v)
        e = normal(rng);
    };
    fill(x, n * 3 * c * hw * hw);
    fill(dx, x.size());
    fill(w, k * c * 9);
    fill(dw, w.size());
    fill(y, n * k * hw * hw);
    fill(dy, y.size());
  }
  // x-shaped: the middle channels of the 3C-channel buffer, or its first C
  // channels as a dense tensor when !slice.
  TensorView<float> signal(std::vector<float> &v, bool slice) {
    if (!slice)
      return TensorView<float>::dense(v.data(), n, c, hw, hw);
    auto t = TensorView<float>::dense(v.data(), n, 3 * c, hw, hw);
    t.data += c * t.strides[1];
    t.sizes[1] = c;
    return t;
  }
  TensorView<float> filter(std::vector<float> &v) {
    return TensorView<float>::dense(v.data(), k, c, 3, 3);
  }
  TensorView<float> code(std::vector<float> &v) {
    return TensorView<float>::dense(v.data(), n, k, hw, hw);
  }
};

ConvParams params() {
  ConvParams p;
  p.dilation = 2, p.padding = 2;
  return p;
}

// The calls of a pair on `b`'s buffers, as built by `make`, run as a pair
// and as two calls on a copy of the buffers: the outputs must be equal bit
// for bit. Returns what conv2dPair returned.
template <typename Make> int pairMatchesTwoCalls(unsigned seed, Make make) {
  Buffers paired(seed), separate(seed);
  auto [f1, s1] = make(paired);
  auto [f2, s2] = make(separate);
  int shared = conv2dPair(f1, s1, params());
  for (const ConvCall<float> *c : {&f2, &s2})
    conv2d(c->kind, c->a, c->b, c->out, params());
  EXPECT_EQ(paired.dx, separate.dx);
  EXPECT_EQ(paired.dw, separate.dw);
  EXPECT_EQ(paired.y, separate.y);
  EXPECT_EQ(paired.dy, separate.dy);
  return shared;
}

using Pair = std::pair<ConvCall<float>, ConvCall<float>>;

// A convolution's product: dw from (x, dy), then dx from (dy, w); dy is
// read by both.
TEST(ConvPair, BackwardFilterThenDataShareDy) {
  for (bool slice : {false, true})
    EXPECT_EQ(pairMatchesTwoCalls(1, [&](Buffers &b) {
                return Pair{{Conv2dKind::BackwardFilter, b.signal(b.x, slice),
                             b.code(b.dy), b.filter(b.dw)},
                            {Conv2dKind::BackwardData, b.code(b.dy),
                             b.filter(b.w), b.signal(b.dx, slice)}};
              }),
              0)
        << (slice ? "channel-slice views" : "dense tensors");
}

// A transposed convolution's product: the forward of its cotangent, then
// the filter gradient from the same cotangent; x is read by both.
TEST(ConvPair, ForwardThenBackwardFilterShareX) {
  for (bool slice : {false, true})
    EXPECT_EQ(pairMatchesTwoCalls(2, [&](Buffers &b) {
                return Pair{{Conv2dKind::Forward, b.signal(b.x, slice),
                             b.filter(b.w), b.code(b.y)},
                            {Conv2dKind::BackwardFilter, b.signal(b.x, slice),
                             b.code(b.dy), b.filter(b.dw)}};
              }),
              0)
        << (slice ? "channel-slice views" : "dense tensors");
}

// Views of one buffer that differ (dense first channels against the middle
// slice) are not the same operand: nothing is shared.
TEST(ConvPair, DifferentViewsShareNothing) {
  EXPECT_EQ(pairMatchesTwoCalls(3, [&](Buffers &b) {
              return Pair{{Conv2dKind::Forward, b.signal(b.x, false),
                           b.filter(b.w), b.code(b.y)},
                          {Conv2dKind::BackwardFilter, b.signal(b.x, true),
                           b.code(b.dy), b.filter(b.dw)}};
            }),
            -1);
}

// The second call reads the first's output: it must see it written.
TEST(ConvPair, SecondReadsFirstsOutput) {
  EXPECT_EQ(pairMatchesTwoCalls(4, [&](Buffers &b) {
              return Pair{{Conv2dKind::Forward, b.signal(b.x, false),
                           b.filter(b.w), b.code(b.y)},
                          {Conv2dKind::BackwardFilter, b.signal(b.x, false),
                           b.code(b.y), b.filter(b.dw)}};
            }),
            0);
}

// A bad second call is reported before either runs: the first's output is
// left as it was.
TEST(ConvPair, CheckedBeforeEitherRuns) {
  Buffers b(5);
  std::vector<float> before = b.y;
  auto x = b.signal(b.x, false);
  auto wrong = TensorView<float>::dense(b.dw.data(), b.k, b.c, 5, 5);
  EXPECT_THROW(conv2dPair<float>({Conv2dKind::Forward, x, b.filter(b.w),
                                  b.code(b.y)},
                                 {Conv2dKind::BackwardFilter, x, b.code(b.dy),
                                  wrong},
                                 params()),
               std::invalid_argument);
  EXPECT_EQ(b.y, before);
}

// Through the C entry point generated code calls: the kinds as integers.
TEST(ConvPair, EntryPointRunsBothAndRejectsUnknownKinds) {
  Buffers paired(6), separate(6);
  auto desc = [](const TensorView<float> &t) {
    MemRefDescriptor<float, 4> m{t.data, t.data, 0, {}, {}};
    for (int d = 0; d < 4; ++d)
      m.sizes[d] = t.sizes[d], m.strides[d] = t.strides[d];
    return m;
  };
  auto x = desc(paired.signal(paired.x, true)), dy = desc(paired.code(paired.dy)),
       dw = desc(paired.filter(paired.dw)), w = desc(paired.filter(paired.w)),
       dx = desc(paired.signal(paired.dx, true));
  _mlir_ciface_cscc_conv2d_pair_f32(
      static_cast<int64_t>(Conv2dKind::BackwardFilter), &x, &dy, &dw,
      static_cast<int64_t>(Conv2dKind::BackwardData), &dy, &w, &dx, 1, 2, 2);
  conv2dBackwardFilter(separate.signal(separate.x, true),
                       separate.code(separate.dy), separate.filter(separate.dw),
                       params());
  conv2dBackwardData(separate.code(separate.dy), separate.filter(separate.w),
                     separate.signal(separate.dx, true), params());
  EXPECT_EQ(paired.dw, separate.dw);
  EXPECT_EQ(paired.dx, separate.dx);
  // oneDNN's threads are running: re-execute the binary for the death test.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(_mlir_ciface_cscc_conv2d_pair_f32(7, &x, &dy, &dw, 1, &dy, &w,
                                                 &dx, 1, 2, 2),
               "convolution kind 7 is none of 0 \\(forward\\)");
  EXPECT_DEATH(_mlir_ciface_cscc_conv2d_pair_f32(2, &x, &dy, &dw, 1, &dy,
                                                 nullptr, &dx, 1, 2, 2),
               "conv2d_pair \\(f32\\): called with a null memref descriptor");
}

// double has no oneDNN path: the two calls, nothing shared.
TEST(ConvPair, DoubleRunsTheTwoCalls) {
  std::vector<double> x(2 * 3 * 5 * 5, 0.5), w(4 * 3 * 9, 0.25),
      y(2 * 4 * 5 * 5), dw(w.size());
  auto xv = TensorView<double>::dense(x.data(), 2, 3, 5, 5);
  auto wv = TensorView<double>::dense(w.data(), 4, 3, 3, 3);
  auto yv = TensorView<double>::dense(y.data(), 2, 4, 5, 5);
  auto dwv = TensorView<double>::dense(dw.data(), 4, 3, 3, 3);
  ConvParams p;
  p.padding = 1;
  EXPECT_EQ(conv2dPair<double>({Conv2dKind::Forward, xv, wv, yv},
                               {Conv2dKind::BackwardFilter, xv, yv, dwv}, p),
            -1);
  // The centre pixel of an image: all 27 taps inside, 0.5 * 0.25 each.
  EXPECT_DOUBLE_EQ(y[2 * 5 + 2], 27 * 0.125);
  // dw[0, 0, 1, 1] = sum over n, pixels of y[n, 0] * x = 0.5 * sum y[:, 0].
  double sum = 0;
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 25; ++i)
      sum += y[n * 100 + i];
  EXPECT_DOUBLE_EQ(dw[4], 0.5 * sum);
}

} // namespace
