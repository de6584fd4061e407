//===- NpyTest.cpp - .npy in memory (cscc/Runtime/Npy.h) ------------------===//
#include "cscc/Runtime/Npy.h"

#include <gtest/gtest.h>

using namespace cscc::rt;

namespace {

TEST(Npy, RoundTripsInMemory) {
  Tensor t = Tensor::fromValues<double>({3}, {0.1, -2.5, 1e300});
  Tensor u = parseNpy(serializeNpy(t), "<memory>");
  EXPECT_EQ(u.dtype, DType::F64);
  EXPECT_EQ(u.shape, t.shape);
  EXPECT_EQ(u.data, t.data);
}

} // namespace
