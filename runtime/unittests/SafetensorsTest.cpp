//===- SafetensorsTest.cpp - safetensors in memory (Safetensors.h) --------===//
#include "cscc/Runtime/Safetensors.h"

#include "ThrowsWithMessage.h"

#include <gtest/gtest.h>

using namespace cscc::rt;
using cscc::rt::unittest::throwsWithMessage;

namespace {

TensorFile twoTensorsAndMetadata() {
  TensorFile f;
  f.tensors["w"] = Tensor::fromValues<float>({2, 2}, {1.f, 2.f, 3.f, 4.f});
  f.tensors["n"] = Tensor::fromValues<int64_t>({1}, {-5});
  f.metadata["k"] = "v";
  return f;
}

TEST(Safetensors, RoundTripsInMemory) {
  TensorFile f = twoTensorsAndMetadata();
  TensorFile g = parseSafetensors(serializeSafetensors(f), "<memory>");
  EXPECT_EQ(g.tensors.size(), 2u);
  EXPECT_EQ(g.get("w").data, f.tensors["w"].data);
  EXPECT_EQ(g.get("n").as<int64_t>()[0], -5);
  EXPECT_EQ(g.metadata, f.metadata);
}

TEST(Safetensors, FindReturnsNullForAnAbsentName) {
  TensorFile g = parseSafetensors(serializeSafetensors(twoTensorsAndMetadata()),
                                  "<memory>");
  EXPECT_EQ(g.find("absent"), nullptr);
}

// The header's metadata lives under that key: a tensor of that name would
// make the file ambiguous.
TEST(Safetensors, RejectsATensorNamedMetadata) {
  TensorFile bad = twoTensorsAndMetadata();
  bad.tensors["__metadata__"] = Tensor(DType::F32, {1});
  EXPECT_TRUE(throwsWithMessage([&] { serializeSafetensors(bad); },
                                "cannot be named '__metadata__'"));
}

} // namespace
