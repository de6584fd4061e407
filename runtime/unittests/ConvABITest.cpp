//===- ConvABITest.cpp - the entry points' symbol list (ConvABI.h) --------===//
#include "cscc/Runtime/ConvABI.h"

#include <gtest/gtest.h>

#include <string>

using namespace cscc::rt;

namespace {

// A JIT registers these names: each must point at its own entry point.
TEST(ConvolutionSymbols, ListsTheSixEntryPointsAndThePairs) {
  ASSERT_EQ(convolutionSymbols().size(), 8u);
  EXPECT_EQ(std::string(convolutionSymbols()[0].name),
            "_mlir_ciface_cscc_conv2d_fwd_f32");
  EXPECT_EQ(convolutionSymbols()[0].address,
            reinterpret_cast<void *>(&_mlir_ciface_cscc_conv2d_fwd_f32));
  EXPECT_EQ(std::string(convolutionSymbols()[6].name),
            "_mlir_ciface_cscc_conv2d_pair_f32");
  EXPECT_EQ(convolutionSymbols()[6].address,
            reinterpret_cast<void *>(&_mlir_ciface_cscc_conv2d_pair_f32));
}

} // namespace
