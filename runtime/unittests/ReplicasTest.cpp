//===- ReplicasTest.cpp - data-parallel shares (cscc/Runtime/Replicas.h) --===//
//
// What one process can check of data-parallel training: how a batch is
// split over processes, that each process's loader share is exactly its
// rows of the whole batch (images, labels, crops and flips), and that a
// single process's collectives leave their buffers alone. The processes
// themselves are tested under mpirun (test/Train/mpi-*.test).
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/Replicas.h"

#include "ThrowsWithMessage.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

using namespace cscc::rt;
using cscc::rt::unittest::throwsWithMessage;

namespace {

TEST(ReplicaShare, SplitsInRankOrderWithSizesDifferingByAtMostOne) {
  // 20 on 3: 7, 7, 6; 10 on 3: 4, 3, 3; 5 on 5: one each; 2 on 4: the
  // last two get nothing (the trainer refuses such batches).
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(replicaShare(20, 0, 3), P(0, 7));
  EXPECT_EQ(replicaShare(20, 1, 3), P(7, 14));
  EXPECT_EQ(replicaShare(20, 2, 3), P(14, 20));
  EXPECT_EQ(replicaShare(10, 0, 3), P(0, 4));
  EXPECT_EQ(replicaShare(10, 1, 3), P(4, 7));
  EXPECT_EQ(replicaShare(10, 2, 3), P(7, 10));
  for (int r = 0; r < 5; ++r)
    EXPECT_EQ(replicaShare(5, r, 5), P(r, r + 1));
  EXPECT_EQ(replicaShare(2, 3, 4), P(2, 2));
  EXPECT_EQ(replicaShare(7, 0, 1), P(0, 7));
}

// 11 images of 1x4x4, pixel values from the image index and position.
Dataset elevenImages() {
  Dataset d;
  d.classes = 11;
  d.images = Tensor(DType::U8, {11, 1, 4, 4});
  for (size_t i = 0; i < d.images.data.size(); ++i)
    d.images.data[i] = static_cast<uint8_t>((i * 37 + i / 16) % 251);
  for (int64_t i = 0; i < 11; ++i)
    d.labels.push_back(i);
  return d;
}

TEST(ReplicaShare, EachLoaderShareIsItsRowsOfTheWholeBatch) {
  Dataset data = elevenImages();
  std::vector<int64_t> all;
  for (int64_t i = 0; i < 11; ++i)
    all.push_back(i);
  // Shuffled, cropped and flipped: the draws of the rows before a share
  // must be made for it to see the same augmentation.
  Augmentation aug{/*cropPadding=*/1, /*flip=*/true};
  const int kProcs = 3;
  BatchLoader whole(data, all, 5, true, 9, 2, Normalization{}, aug,
                    DType::F64, 0);
  std::vector<Batch> wholeBatches;
  Batch b;
  while (whole.next(b))
    wholeBatches.push_back(b);
  ASSERT_EQ(wholeBatches.size(), 3u); // 5, 5, 1
  for (int r = 0; r < kProcs; ++r) {
    BatchLoader share(data, all, 5, true, 9, 2, Normalization{}, aug,
                      DType::F64, 0, 0, r, kProcs);
    for (const Batch &w : wholeBatches) {
      ASSERT_TRUE(share.next(b));
      auto [lo, hi] = replicaShare(w.images.shape[0], r, kProcs);
      EXPECT_EQ(b.globalSize, w.images.shape[0]);
      ASSERT_EQ(b.images.shape[0], hi - lo);
      const size_t image = 16 * sizeof(double);
      EXPECT_EQ(std::memcmp(b.images.data.data(),
                            w.images.data.data() + lo * image,
                            (hi - lo) * image),
                0)
          << "process " << r << ", batch " << w.index;
      for (int64_t i = 0; i < hi - lo; ++i) {
        EXPECT_EQ(b.labels.as<int64_t>()[i], w.labels.as<int64_t>()[lo + i]);
        EXPECT_EQ(b.indices[i], w.indices[lo + i]);
      }
    }
    EXPECT_FALSE(share.next(b));
  }
}

TEST(ReplicaShare, RejectsAReplicaOutsideTheGroup) {
  Dataset data = elevenImages();
  EXPECT_TRUE(throwsWithMessage(
      [&] {
        BatchLoader(data, {0, 1}, 2, false, 0, 0, Normalization{},
                    Augmentation{}, DType::F32, 0, 0, 3, 3);
      },
      "BatchLoader: replica 3 of 3 does not exist"));
}

TEST(Replicas, OneProcessLeavesItsBuffersAlone) {
  // Not started by mpirun: a group of one, whose collectives are the
  // identity whatever the share (the generated step calls them anyway).
  Replicas &one = Replicas::world();
  ASSERT_FALSE(one.distributed());
  EXPECT_EQ(one.size(), 1);
  EXPECT_EQ(one.rank(), 0);
  EXPECT_EQ(one.where(), "");
  one.setShare(3, 7);
  std::vector<float> f{1.5f, -2.0f};
  std::vector<double> d{0.25, 3.0};
  one.mean(f.data(), 2);
  one.mean(d.data(), 2);
  one.sum(d.data(), 2);
  EXPECT_EQ(f, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(d, (std::vector<double>{0.25, 3.0}));
  EXPECT_EQ(one.max(5), 5);
  EXPECT_TRUE(one.same(42));
  EXPECT_EQ(one.traffic().calls, 0);
}

} // namespace
