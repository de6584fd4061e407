//===- ConvPhasesTest.cpp - the oneDNN calls' shared scratch --------------===//
//
// Every call's buffers (its operands reordered to the primitive's layout,
// the phase images of a dilated backward-filter) share one scratch buffer
// that lives only during a call: each call must place its operands at its
// own offsets, and the zero margins of a padded phase copy (sizes that are
// no multiple of the dilation) must be written on every call, whatever
// another shape left there. These calls alternate shapes (and grow the
// scratch between them) in one process, each compared with the plain loops.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace cscc::rt;

namespace {

struct Case {
  int64_t n, c, k, hw, kernel, dilation, padding;
};

// Max |got - ref| / max |ref|.
double maxRelative(const std::vector<float> &got,
                   const std::vector<float> &ref) {
  double err = 0, scale = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    err = std::max(err, std::fabs(double(got[i]) - ref[i]));
    scale = std::max(scale, std::fabs(double(ref[i])));
  }
  return err / scale;
}

// What a failure names.
std::string describe(const Case &t) {
  return "n " + std::to_string(t.n) + " c " + std::to_string(t.c) + " k " +
         std::to_string(t.k) + " " + std::to_string(t.hw) + "x" +
         std::to_string(t.hw) + " dilation " + std::to_string(t.dilation);
}

// Max |dw - loops| / max |loops| of one backward-filter call.
double relativeError(const Case &t, std::mt19937 &rng) {
  ConvParams p;
  p.stride = 1, p.dilation = t.dilation, p.padding = t.padding;
  int64_t o = convOutputSize(t.hw, t.kernel, p);
  std::normal_distribution<float> normal;
  std::vector<float> x(t.n * t.c * t.hw * t.hw), dy(t.n * t.k * o * o),
      dw(t.k * t.c * t.kernel * t.kernel), ref(dw.size());
  for (float &v : x)
    v = normal(rng);
  for (float &v : dy)
    v = normal(rng);
  auto xv = TensorView<float>::dense(x.data(), t.n, t.c, t.hw, t.hw);
  auto dyv = TensorView<float>::dense(dy.data(), t.n, t.k, o, o);
  auto dwv = TensorView<float>::dense(dw.data(), t.k, t.c, t.kernel, t.kernel);
  auto refv = TensorView<float>::dense(ref.data(), t.k, t.c, t.kernel, t.kernel);
  conv2dBackwardFilter(xv, dyv, dwv, p);
  conv2dBackwardFilterLoops(xv, dyv, refv, p);
  return maxRelative(dw, ref);
}

TEST(DilatedFilterGradPhases, SharedScratchKeepsZeroMargins) {
  setDilatedFilterGrad(DilatedFilterGrad::Phases);
  std::mt19937 rng(7);
  // Dilation 2 on 12x12 reads its phases in place and fills the scratch
  // with data; dilation 3 on 11x11 and 4 on 13x13 go through padded copies
  // laid over it; a larger in-place one grows the scratch in between.
  const Case cases[] = {{3, 2, 5, 12, 3, 2, 2},  {2, 3, 4, 11, 3, 3, 3},
                        {3, 2, 5, 12, 3, 2, 2},  {4, 8, 8, 16, 3, 2, 2},
                        {2, 1, 8, 13, 3, 4, 4},  {2, 3, 4, 11, 3, 3, 3},
                        {4, 8, 8, 16, 3, 2, 2},  {2, 1, 8, 13, 3, 4, 4}};
  for (const Case &t : cases)
    EXPECT_LT(relativeError(t, rng), 1e-5) << describe(t);
  setDilatedFilterGrad(DilatedFilterGrad::Auto);
}

// Max |out - loops| / max |loops| of one call of each kind on `t`.
double relativeErrorAllKinds(const Case &t, std::mt19937 &rng) {
  ConvParams p;
  p.stride = 1, p.dilation = t.dilation, p.padding = t.padding;
  int64_t o = convOutputSize(t.hw, t.kernel, p);
  std::normal_distribution<float> normal;
  std::vector<float> x(t.n * t.c * t.hw * t.hw), w(t.k * t.c * t.kernel *
                                                   t.kernel),
      dy(t.n * t.k * o * o);
  for (auto *v : {&x, &w, &dy})
    for (float &f : *v)
      f = normal(rng);
  std::vector<float> y(dy.size()), yRef(dy.size()), dx(x.size()),
      dxRef(x.size()), dw(w.size()), dwRef(w.size());
  auto view4 = [](std::vector<float> &v, int64_t a, int64_t b, int64_t h) {
    return TensorView<float>::dense(v.data(), a, b, h, h);
  };
  conv2dForward(view4(x, t.n, t.c, t.hw), view4(w, t.k, t.c, t.kernel),
                view4(y, t.n, t.k, o), p);
  conv2dForwardLoops(view4(x, t.n, t.c, t.hw), view4(w, t.k, t.c, t.kernel),
                     view4(yRef, t.n, t.k, o), p);
  conv2dBackwardData(view4(dy, t.n, t.k, o), view4(w, t.k, t.c, t.kernel),
                     view4(dx, t.n, t.c, t.hw), p);
  conv2dBackwardDataLoops(view4(dy, t.n, t.k, o), view4(w, t.k, t.c, t.kernel),
                          view4(dxRef, t.n, t.c, t.hw), p);
  conv2dBackwardFilter(view4(x, t.n, t.c, t.hw), view4(dy, t.n, t.k, o),
                       view4(dw, t.k, t.c, t.kernel), p);
  conv2dBackwardFilterLoops(view4(x, t.n, t.c, t.hw), view4(dy, t.n, t.k, o),
                            view4(dwRef, t.k, t.c, t.kernel), p);
  return std::max({maxRelative(y, yRef), maxRelative(dx, dxRef),
                   maxRelative(dw, dwRef)});
}

TEST(OneDnnScratch, ReorderedOperandsOfEveryShapeShareIt) {
  std::mt19937 rng(11);
  // Blocked layouts (every operand reordered), shapes alternating between
  // small and large, so that a later call finds another's data where its
  // own operands go; dilated ones take the phases where auto chooses them.
  const Case cases[] = {{4, 16, 16, 10, 3, 1, 1}, {2, 24, 8, 20, 3, 2, 2},
                        {4, 16, 16, 10, 3, 1, 1}, {3, 1, 8, 12, 3, 2, 2},
                        {2, 24, 8, 20, 3, 2, 2},  {5, 32, 32, 14, 3, 1, 1},
                        {3, 1, 8, 12, 3, 2, 2},   {4, 16, 16, 10, 3, 1, 1}};
  for (const Case &t : cases)
    EXPECT_LT(relativeErrorAllKinds(t, rng), 1e-5) << describe(t);
}

} // namespace
