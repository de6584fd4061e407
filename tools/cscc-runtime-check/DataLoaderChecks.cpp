//===- DataLoaderChecks.cpp - cscc-runtime-check: the data loader -----------===//
//
// The data loader: one epoch's batches written as .npy for Python to
// re-derive, validation splits, and the background thread's benchmark.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/Datasets.h"
#include "cscc/Runtime/Npy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

int cmdDataloaderDump(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {"--shuffle", "--flip", "--normalize"});
  args.allowOnly({"--batch", "--epoch", "--seed", "--shuffle", "--crop", "--flip",
              "--normalize", "--validation", "--split", "--dtype",
              "--prefetch", "--max-batches", "--data-seed", "--fail-at-batch",
              "--first-batch", "-o", "--data-shape", "--data-classes",
              "--data-train", "--data-test", "--data-dim", "--data-noise"});
  DataSpec spec = dataSpecFrom(args, "dataloader-dump KIND [DIR] -o OUTDIR");
  if (!args.has("-o"))
    throw UsageError("dataloader-dump needs -o OUTDIR");
  std::string out = args.get("-o");
  int64_t batch = parseInteger(args.get("--batch", "32"), "--batch");
  int64_t epoch = parseInteger(args.get("--epoch", "0"), "--epoch");
  uint64_t seed = static_cast<uint64_t>(parseInteger(args.get("--seed", "0"), "--seed"));
  int64_t maxBatches =
      parseInteger(args.get("--max-batches", "-1"), "--max-batches");
  int prefetch = static_cast<int>(parseInteger(args.get("--prefetch", "3"), "--prefetch"));
  int64_t firstBatch = parseInteger(args.get("--first-batch", "0"), "--first-batch");
  double fraction = parseReal(args.get("--validation", "0"), "--validation");
  std::string split = args.get("--split", "train");
  if (split != "train" && split != "validation" && split != "test")
    throw UsageError("unknown --split '" + split + "' (train, validation, test)");
  Augmentation aug;
  aug.cropPadding = parseInteger(args.get("--crop", "0"), "--crop");
  aug.flip = args.has("--flip");
  DType dtype = parseDType(args.get("--dtype", "f32"));
  testing::setBatchFailure(
      parseInteger(args.get("--fail-at-batch", "-1"), "--fail-at-batch"));

  DataSplits data = loadData(spec);
  auto [train, validation] = validationSplit(
      static_cast<int64_t>(data.train.labels.size()), fraction, seed);
  Normalization norm;
  if (args.has("--normalize"))
    norm = channelStatistics(data.train, train);
  else
    norm = {std::vector<double>(data.train.images.shape[1], 0.0),
            std::vector<double>(data.train.images.shape[1], 1.0)};
  const Dataset &set = split == "test" ? data.test : data.train;
  std::vector<int64_t> indices;
  if (split == "train")
    indices = train;
  else if (split == "validation")
    indices = validation;
  else
    for (int64_t i = 0; i < static_cast<int64_t>(data.test.labels.size()); ++i)
      indices.push_back(i);

  std::printf("description: %s\n", data.description.c_str());
  std::printf("split train %zu validation %zu test %zu\n", train.size(),
              validation.size(), data.test.labels.size());
  makeDirectory(out);
  writeNpy(out + "/mean.npy", Tensor::fromValues<double>(
                                  {static_cast<int64_t>(norm.mean.size())}, norm.mean));
  writeNpy(out + "/std.npy", Tensor::fromValues<double>(
                                 {static_cast<int64_t>(norm.std.size())}, norm.std));
  writeNpy(out + "/train_indices.npy", labelTensor(train));
  writeNpy(out + "/validation_indices.npy", labelTensor(validation));

  std::vector<int64_t> sizes, allIndices, allLabels;
  std::vector<uint8_t> imageBytes;
  int64_t total;
  {
    BatchLoader loader(set, indices, batch, args.has("--shuffle"), seed, epoch,
                       norm, aug, dtype, prefetch, firstBatch);
    total = loader.batches();
    std::printf("batches %lld\n", static_cast<long long>(total));
    std::fflush(stdout);
    Batch b;
    while ((maxBatches < 0 ||
            static_cast<int64_t>(sizes.size()) < maxBatches) &&
           loader.next(b)) {
      int64_t n = b.images.shape[0];
      std::printf("batch %lld size %lld\n", static_cast<long long>(b.index),
                  static_cast<long long>(n));
      std::fflush(stdout);
      if (b.index != firstBatch + static_cast<int64_t>(sizes.size()))
        throw std::runtime_error("batch " + std::to_string(b.index) +
                                 " arrived out of order");
      sizes.push_back(n);
      allIndices.insert(allIndices.end(), b.indices.begin(), b.indices.end());
      const int64_t *l = b.labels.as<int64_t>();
      allLabels.insert(allLabels.end(), l, l + n);
      imageBytes.insert(imageBytes.end(), b.images.data.begin(),
                        b.images.data.end());
    }
    // The loader (and its thread, maybe mid-epoch) is destroyed here.
  }
  std::vector<int64_t> shape = set.images.shape;
  shape[0] = static_cast<int64_t>(allIndices.size());
  Tensor images(dtype, shape);
  images.data = std::move(imageBytes);
  writeNpy(out + "/images.npy", images);
  writeNpy(out + "/labels.npy", labelTensor(allLabels));
  writeNpy(out + "/indices.npy", labelTensor(allIndices));
  writeNpy(out + "/sizes.npy", labelTensor(sizes));
  std::printf("wrote %zu of %lld batches\n", sizes.size(),
              static_cast<long long>(total));
  return 0;
}

int cmdDataloaderSplit(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({"-o"});
  args.expectPositionals(3, "dataloader-split N FRACTION SEED -o OUTDIR");
  if (!args.has("-o"))
    throw UsageError("dataloader-split needs -o OUTDIR");
  auto [train, validation] = validationSplit(
      parseInteger(args.positionals()[0], "N"), parseReal(args.positionals()[1], "FRACTION"),
      static_cast<uint64_t>(parseInteger(args.positionals()[2], "SEED")));
  std::string out = args.get("-o");
  makeDirectory(out);
  writeNpy(out + "/train.npy", labelTensor(train));
  writeNpy(out + "/validation.npy", labelTensor(validation));
  std::printf("train %zu validation %zu\n", train.size(), validation.size());
  return 0;
}

int cmdDataloaderBench(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {"--flip"});
  args.allowOnly({"--batch", "--crop", "--flip", "--dtype", "--prefetch",
              "--epochs", "--data-seed", "--step-ms"});
  DataSpec spec = dataSpecFrom(args, "dataloader-bench KIND [DIR]");
  int64_t batch = parseInteger(args.get("--batch", "128"), "--batch");
  int64_t epochs = parseInteger(args.get("--epochs", "1"), "--epochs");
  double stepMs = parseReal(args.get("--step-ms", "1"), "--step-ms");
  int prefetch = static_cast<int>(parseInteger(args.get("--prefetch", "3"), "--prefetch"));
  Augmentation aug;
  aug.cropPadding = parseInteger(args.get("--crop", "0"), "--crop");
  aug.flip = args.has("--flip");
  DType dtype = parseDType(args.get("--dtype", "f32"));
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  DataSplits data = loadData(spec);
  double loadS = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<int64_t> all(data.train.labels.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<int64_t>(i);
  auto t1 = Clock::now();
  Normalization norm = channelStatistics(data.train, all);
  double statsS = std::chrono::duration<double>(Clock::now() - t1).count();
  std::printf("%s\nload %.3f s, statistics %.3f s\n", data.description.c_str(),
              loadS, statsS);
  for (int pass = 0; pass < 2; ++pass) {
    int pf = pass == 0 ? prefetch : 0;
    double waitS = 0, totalS = 0;
    int64_t batches = 0, images = 0;
    for (int64_t e = 0; e < epochs; ++e) {
      auto te = Clock::now();
      BatchLoader loader(data.train, all, batch, true, 1, e, norm, aug, dtype,
                         pf);
      Batch b;
      for (;;) {
        auto tw = Clock::now();
        bool more = loader.next(b);
        waitS += std::chrono::duration<double>(Clock::now() - tw).count();
        if (!more)
          break;
        ++batches;
        images += b.images.shape[0];
        // The training step: the loader's thread works meanwhile.
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(stepMs));
      }
      totalS += std::chrono::duration<double>(Clock::now() - te).count();
    }
    std::printf("prefetch %d: %lld batches of %lld, %.3f ms per batch in "
                "next(), %.0f images/s with the steps\n",
                pf, static_cast<long long>(batches),
                static_cast<long long>(batch), 1e3 * waitS / batches,
                images / totalS);
  }
  return 0;
}

} // namespace

CheckFamily runtime_check::dataLoaderChecks() {
  CheckFamily family;
  family.usage = R"(  dataloader-dump KIND [DIR] -o OUTDIR [options]
      load the data set, split it, compute the normalisation and write the
      batches of one epoch: OUTDIR/images.npy (the batches concatenated),
      labels.npy, indices.npy (data set index of each image), sizes.npy
      (each batch's size), mean.npy, std.npy (the normalisation used),
      train_indices.npy, validation_indices.npy; prints the description,
      the split sizes and each batch's number and size as it arrives
    --batch B (32) --epoch E (0) --seed S (0) --shuffle --crop P --flip
    --normalize            mean/std of the train split (else 0 and 1)
    --validation F         hold out the fraction F of the train set (0)
    --split train|validation|test    the images to batch (train)
    --dtype f32|f64 (f32) --prefetch K (3; 0 = no thread)
    --max-batches M        stop after M batches (the loader is destroyed
                           mid-epoch)
    --data-seed S          simulated data: the generator's seed (0)
    --fail-at-batch K      make batch K's preparation throw (testing)
    --first-batch K        start the epoch at batch K (a resumed epoch)
  dataloader-split N FRACTION SEED -o OUTDIR
      validationSplit: OUTDIR/train.npy and validation.npy (I64)
  dataloader-bench KIND [DIR] [--batch B] [--crop P] [--flip]
                   [--dtype f32|f64] [--prefetch K] [--epochs E] [--step-ms T]
      time shuffled epochs of the train set: the mean time next() takes per
      batch with the background thread (prefetch K, default 3) and without
      (prefetch 0), while the caller spends T ms (default 1) per batch as a
      training step would
)";
  family.checks = {
      {"dataloader-dump", cmdDataloaderDump},
      {"dataloader-split", cmdDataloaderSplit},
      {"dataloader-bench", cmdDataloaderBench},
  };
  return family;
}
