//===- DataLoaderTest.cpp - the data pipeline (cscc/Runtime/DataLoader.h) -===//
//
// The checks the lit tests cannot reach through `cscc-runtime-check
// dataloader-dump` (which only builds valid loaders from data set files):
// argument errors, edge cases, and the seed mixing against published
// reference values.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/Datasets.h"

#include "ThrowsWithMessage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace cscc::rt;
using cscc::rt::unittest::throwsWithMessage;

namespace {

// splitmix64 seeded with 0: the state advances by the golden gamma and the
// first outputs are e220a8397b1dcdaf, 6e789e6aa1b965f4 (Vigna's reference
// splitmix64.c).
TEST(Splitmix64, MatchesTheReferenceOutputs) {
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafull);
  EXPECT_EQ(splitmix64(0x9e3779b97f4a7c15ull), 0x6e789e6aa1b965f4ull);
}

TEST(DeriveSeed, SeparatesStreamsAndArguments) {
  EXPECT_NE(deriveSeed(1, kStreamShuffle, 0, 0),
            deriveSeed(1, kStreamShuffle, 1, 0));
  EXPECT_NE(deriveSeed(1, kStreamShuffle, 0, 0),
            deriveSeed(1, kStreamAugment, 0, 0));
  EXPECT_NE(deriveSeed(1, kStreamAugment, 0, 1),
            deriveSeed(1, kStreamAugment, 1, 0));
}

TEST(UniformBelow, StaysBelowTheBound) {
  Rng r(3);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_LT(uniformBelow(r, 7), 7u) << "draw " << i;
    ASSERT_EQ(uniformBelow(r, 1), 0u) << "draw " << i;
  }
}

TEST(UniformBelow, RejectsBoundZero) {
  Rng r(3);
  EXPECT_TRUE(throwsWithMessage([&] { uniformBelow(r, 0); },
                                "bound must be at least 1"));
}

// A 5-image, 2-channel 2x2 data set whose pixel i is i * 7 (mod 256).
Dataset fiveImages() {
  Dataset d;
  d.classes = 3;
  d.images = Tensor(DType::U8, {5, 2, 2, 2});
  for (size_t i = 0; i < d.images.data.size(); ++i)
    d.images.data[i] = static_cast<uint8_t>(i * 7);
  d.labels = {0, 1, 2, 0, 1};
  return d;
}

class BatchLoaderTest : public ::testing::Test {
protected:
  // Unshuffled, unaugmented batches of `data`.
  BatchLoader loader(std::vector<int64_t> indices, Normalization norm,
                     DType dtype, int64_t batch = 2) {
    return BatchLoader(data, std::move(indices), batch, false, 0, 0,
                       std::move(norm), Augmentation{}, dtype);
  }

  Dataset data = fiveImages();
  Normalization none;
};

TEST_F(BatchLoaderTest, RejectsAnIndexOutOfRange) {
  EXPECT_TRUE(throwsWithMessage(
      [&] { loader({0, 5}, none, DType::F32); },
      "BatchLoader: index 5 (entry 1) is outside the data set's 0..4"));
}

TEST_F(BatchLoaderTest, RejectsANegativeIndex) {
  EXPECT_TRUE(throwsWithMessage([&] { loader({-1}, none, DType::F32); },
                                "index -1 (entry 0)"));
}

TEST_F(BatchLoaderTest, RejectsANormalisationOfAnotherChannelCount) {
  EXPECT_TRUE(throwsWithMessage(
      [&] { loader({0}, Normalization{{0.5}, {0.2}}, DType::F32); },
      "the normalisation has 1 means and 1 standard deviations for images "
      "of 2 channels"));
}

TEST_F(BatchLoaderTest, RejectsAZeroStandardDeviation) {
  EXPECT_TRUE(throwsWithMessage(
      [&] { loader({0}, Normalization{{0.5, 0.5}, {0.2, 0}}, DType::F32); },
      "channel 1 has mean 0.500000 and standard deviation 0.000000; the "
      "deviation must be positive"));
}

TEST_F(BatchLoaderTest, RejectsAnIntegerDType) {
  EXPECT_TRUE(throwsWithMessage([&] { loader({0}, none, DType::I64); },
                                "batches are F32 or F64, not I64"));
}

TEST_F(BatchLoaderTest, ChecksTheLabelCount) {
  Dataset bad = data;
  bad.labels.pop_back();
  EXPECT_TRUE(throwsWithMessage(
      [&] {
        BatchLoader(bad, {0}, 1, false, 0, 0, none, Augmentation{},
                    DType::F32);
      },
      "the data set has 5 images but 4 labels"));
}

TEST_F(BatchLoaderTest, NoIndicesMakeNoBatches) {
  BatchLoader empty = loader({}, none, DType::F32);
  Batch b;
  EXPECT_EQ(empty.batches(), 0);
  EXPECT_FALSE(empty.next(b));
}

TEST_F(BatchLoaderTest, OneBatchLargerThanTheSetInTheGivenOrder) {
  BatchLoader big = loader({4, 0, 2}, none, DType::F64, 10);
  Batch b;
  ASSERT_TRUE(big.next(b));
  EXPECT_EQ(big.batches(), 1);
  EXPECT_EQ(b.images.shape, (std::vector<int64_t>{3, 2, 2, 2}));
  EXPECT_EQ(b.images.dtype, DType::F64);
  EXPECT_EQ(b.labels.as<int64_t>()[0], 1);
  EXPECT_EQ(b.images.as<double>()[0], (4 * 8 * 7 % 256) / 255.0);
  EXPECT_EQ(b.indices, (std::vector<int64_t>{4, 0, 2}));
}

TEST_F(BatchLoaderTest, NextStaysFalseAfterTheEnd) {
  BatchLoader big = loader({4, 0, 2}, none, DType::F64, 10);
  Batch b;
  ASSERT_TRUE(big.next(b));
  EXPECT_FALSE(big.next(b));
  EXPECT_FALSE(big.next(b));
}

// Loaders dropped before and after their first batch, many in a row: the
// destructor must stop the background thread either way. A hang or a crash
// here is the failure.
TEST_F(BatchLoaderTest, DestroyedBeforeAndAfterTheFirstBatch) {
  for (int i = 0; i < 50; ++i) {
    BatchLoader l = loader({0, 1, 2, 3, 4}, none, DType::F32, 1);
    Batch b;
    if (i % 2) {
      ASSERT_TRUE(l.next(b)) << "loader " << i;
    }
  }
}

TEST(ChannelStatistics, RejectsDoubleImages) {
  Dataset f = fiveImages();
  f.images = convertDType(f.images, DType::F64);
  EXPECT_TRUE(throwsWithMessage([&] { channelStatistics(f, {0}); },
                                "images must be U8 or F32 [N, C, H, W], got F64"));
}

// Float signals (the Gaussian-centres set) are their own scale: the mean
// and population deviation of the values, per channel, no / 255.
TEST(ChannelStatistics, FloatImagesInTheirOwnUnits) {
  Dataset f;
  f.classes = 2;
  f.labels = {0, 1};
  f.images = Tensor::fromValues<float>({2, 2, 1, 2},
                                       {1, 3, -2, 2, 5, 7, 4, 0});
  Normalization n = channelStatistics(f, {0, 1});
  ASSERT_EQ(n.mean.size(), 2u);
  EXPECT_DOUBLE_EQ(n.mean[0], 4.0); // 1, 3, 5, 7
  EXPECT_DOUBLE_EQ(n.std[0], std::sqrt(5.0));
  EXPECT_DOUBLE_EQ(n.mean[1], 1.0); // -2, 2, 4, 0
  EXPECT_DOUBLE_EQ(n.std[1], std::sqrt(5.0));
  Normalization one = channelStatistics(f, {1});
  EXPECT_DOUBLE_EQ(one.mean[0], 6.0);
  EXPECT_DOUBLE_EQ(one.std[0], 1.0);
}

TEST(ChannelStatistics, ChecksTheIndices) {
  Dataset d = fiveImages();
  EXPECT_TRUE(throwsWithMessage([&] { channelStatistics(d, {7}); },
                                "channelStatistics: index 7"));
}

// A constant channel has std 0 (which the loader then refuses).
TEST(ChannelStatistics, ConstantChannelHasMeanValueOver255AndStdZero) {
  Dataset c = fiveImages();
  std::fill(c.images.data.begin(), c.images.data.end(), 51);
  Normalization cn = channelStatistics(c, {0, 1, 2});
  EXPECT_EQ(cn.mean, (std::vector<double>{0.2, 0.2}));
  EXPECT_EQ(cn.std, (std::vector<double>{0.0, 0.0}));
}

TEST(LoadData, SimulatedChecksTheImageShape) {
  DataSpec sim;
  sim.kind = "simulated";
  sim.simulatedShape = {1, 28};
  EXPECT_TRUE(throwsWithMessage([&] { loadData(sim); },
                                "the image shape must be [C, H, W]"));
}

TEST(LoadData, SimulatedChecksTheClassCount) {
  DataSpec sim;
  sim.kind = "simulated";
  sim.simulatedShape = {3, 8, 8};
  sim.simulatedClasses = 1;
  EXPECT_TRUE(
      throwsWithMessage([&] { loadData(sim); }, "classes must be in 2..256"));
}

TEST(LoadData, SimulatedShapeSizesAndClasses) {
  DataSpec sim;
  sim.kind = "simulated";
  sim.simulatedShape = {3, 8, 8};
  sim.simulatedClasses = 4;
  sim.simulatedTrain = 40;
  sim.simulatedTest = 8;
  DataSplits s = loadData(sim);
  EXPECT_EQ(s.train.images.shape, (std::vector<int64_t>{40, 3, 8, 8}));
  EXPECT_EQ(s.test.labels.size(), 8u);
  EXPECT_EQ(s.train.classes, 4);
  EXPECT_EQ(s.description,
            "simulated (seed 0): 40 train, 8 test, 3x8x8, 4 classes");
}

} // namespace
