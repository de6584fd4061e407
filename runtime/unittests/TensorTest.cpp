//===- TensorTest.cpp - dtype conversion and typed access (Tensor.h) ------===//
#include "cscc/Runtime/Tensor.h"

#include "ThrowsWithMessage.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace cscc::rt;
using cscc::rt::unittest::throwsWithMessage;

namespace {

// 1e300 is beyond float's range: it must become infinity.
Tensor threeDoubles() {
  return Tensor::fromValues<double>({3}, {0.1, -2.5, 1e300});
}

TEST(ConvertDType, F64ToF32Rounds) {
  Tensor h = convertDType(threeDoubles(), DType::F32);
  EXPECT_EQ(h.as<float>()[0], 0.1f);
  EXPECT_TRUE(std::isinf(h.as<float>()[2]));
}

TEST(ConvertDType, F32ToF64) {
  Tensor h = convertDType(threeDoubles(), DType::F32);
  EXPECT_EQ(convertDType(h, DType::F64).as<double>()[1], -2.5);
}

TEST(ConvertDType, RejectsFloatToInteger) {
  Tensor t = threeDoubles();
  EXPECT_TRUE(throwsWithMessage([&] { convertDType(t, DType::I32); },
                                "cannot convert a F64 tensor"));
}

TEST(Tensor, AsChecksTheDType) {
  Tensor t = threeDoubles();
  EXPECT_TRUE(throwsWithMessage([&] { t.as<float>(); }, "accessed as F32"));
}

TEST(Tensor, FromValuesChecksTheCount) {
  EXPECT_TRUE(
      throwsWithMessage([&] { Tensor::fromValues<float>({2, 2}, {1.f}); },
                        "has 4 elements but 1"));
}

// safetensors' names are upper case; lower case is not accepted.
TEST(DType, NamesAreCaseSensitive) {
  EXPECT_EQ(dtypeFromName("BF16"), DType::BF16);
  EXPECT_FALSE(dtypeFromName("bf16"));
}

} // namespace
