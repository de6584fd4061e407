//===- DataLoader.h - data sets, splits and batches for training -*- C++ -*-===//
//
// The training data pipeline: load a data set by kind from a directory of
// its standard files (or generate the simulated one), hold out a validation
// split, compute the per-channel normalisation, and produce the batches of
// an epoch -- shuffled, augmented (random crop, horizontal flip) and
// normalised -- on a background thread.
//
// Determinism. Every random draw comes from cscc::rt::Rng (mt19937_64)
// seeded by deriveSeed(seed, stream, a, b), a splitmix64 mix defined below,
// never from shared state:
//   validation split   stream kStreamValidation, (a, b) = (n, 0)
//   epoch order        stream kStreamShuffle,    (a, b) = (epoch, 0)
//   augmentation       stream kStreamAugment,    (a, b) = (epoch, batch)
//   simulated data     stream kStreamSimulated,  (a, b) = (0 train | 1 test
//                      | 2 the Gaussian centres, 0)
// So a (seed, epoch) gives bit-identical batches on every run, with any
// prefetch depth and thread timing, and an epoch replayed after a resume is
// the same epoch. Integers in [0, k) are drawn by rejection (uniformBelow),
// so they are unbiased and do not depend on the standard library.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_DATALOADER_H
#define CSCC_RUNTIME_DATALOADER_H

#include "cscc/Runtime/Datasets.h"
#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Tensor.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cscc::rt {

/// Which data set to load and from where.
struct DataSpec {
  /// fashion_mnist | mnist | cifar10 | cifar100 | svhn | simulated
  std::string kind = "fashion_mnist";
  /// The directory of the data set's files. fashion_mnist defaults to
  /// /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist); the
  /// other file kinds need it; simulated ignores it.
  std::string path;
  /// simulated only: the generator's seed.
  uint64_t seed = 0;
  /// simulated only: image shape [C, H, W], classes and set sizes.
  std::vector<int64_t> simulatedShape = {1, 28, 28};
  int64_t simulatedClasses = 10;
  int64_t simulatedTrain = 2048;
  int64_t simulatedTest = 512;
  /// simulated(dim = D, noise = S): the paper's Gaussian-centres set
  /// instead of the gratings (generateSimulated); 0: the gratings.
  int64_t simulatedDim = 0;
  double simulatedNoise = 1.0;
};

/// Whether `spec` names a generated data set (simulated), whose seed,
/// classes and set sizes apply, rather than files.
bool isGeneratedData(const DataSpec &spec);

/// The kinds loadData knows, for messages: "fashion_mnist, mnist, ...".
std::string knownDataKinds();

/// The kind of the data set whose files are in directory `dir` (the file
/// names loadData reads, below): "mnist" for IDX files (MNIST and
/// Fashion-MNIST share the format; "fashion_mnist" when the directory's
/// name says fashion), "cifar10", "cifar100" (also through the archive's
/// subdirectory) or "svhn". nullopt when `dir` is not a directory or holds
/// none of them; `dir` holding several kinds gives the first of that order.
std::optional<std::string> detectDataKind(const std::string &dir);

struct DataSplits {
  Dataset train, test;
  /// One line for logs, e.g. "Fashion-MNIST (/usr/share/datasets/
  /// fashion-mnist): 60000 train, 10000 test, 1x28x28, 10 classes".
  std::string description;
};

/// Loads the train and test sets of `spec`. File names in the directory:
///   mnist, fashion_mnist: train-images-idx3-ubyte, train-labels-idx1-ubyte,
///     t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each also accepted
///     with .gz appended (as distributed) or with a '.' before idx
///     (train-images.idx3-ubyte, another common spelling);
///   cifar10: data_batch_1.bin .. data_batch_5.bin, test_batch.bin;
///   cifar100: train.bin, test.bin;
///   svhn: train_32x32.mat, test_32x32.mat (extra_32x32.mat is not used).
/// For cifar10/cifar100 the directory the archive unpacks to
/// (cifar-10-batches-bin, cifar-100-binary) is also looked for inside
/// `path`. simulated: generateSimulated(spec).
/// Throws std::runtime_error for an unknown kind (listing the kinds), a
/// missing directory or file (naming the path, the kind, the files expected
/// and how to get them), any reader error, and train and test sets whose
/// image shapes differ.
DataSplits loadData(const DataSpec &spec);

/// The simulated set. With spec.simulatedDim = D > 0 the paper's
/// experiment (Zhang et al., Section V): signals of D values, F32, around
/// spec.simulatedClasses centres drawn once from N(0, 1)^D (stream
/// kStreamSimulated with a = 2, shared by train and test), each signal its
/// class's centre plus spec.simulatedNoise times N(0, 1) noise per value;
/// labels balanced (i % classes) in a shuffled order; the set's shape is
/// spec.simulatedShape, which must hold D values (a model's input [D, 1, 1]
/// for a dense dictionary as 1x1 convolutions). Draws per set: the label
/// shuffle, then per signal its noise in C order. Otherwise the gratings:
/// spec.simulatedClasses classes, each an oriented
/// sinusoidal grating (orientation pi k / classes, 2 + k % 3 periods across
/// the image, the same in every channel) with a random phase per image,
/// plus Gaussian noise: pixel = clamp(round(127.5 + 80 cos(...) + 40 z),
/// 0, 255). Labels are balanced (i % classes) in a shuffled order.
/// The class is in the grating's orientation and frequency, not in any
/// fixed pixel (the phase is random), so it takes a convolutional model to
/// learn it; a small one does within an epoch. A pure function of the seed
/// (draws: train from stream kStreamSimulated with a = 0, test with a = 1;
/// per set the label shuffle, then per image the phase and the noise in C
/// order).
DataSplits generateSimulated(const DataSpec &spec);

/// Per-channel statistics of pixels scaled to [0, 1]; BatchLoader maps a
/// pixel x of channel c to (x / 255 - mean[c]) / std[c]. F32 data (the
/// Gaussian-centres set) are their own scale: x -> (x - mean[c]) / std[c].
struct Normalization {
  std::vector<double> mean, std;
};

/// Per-channel mean and standard deviation (population, divided by n) of
/// the images at `indices`, pixels scaled to [0, 1]. The sums of x and x^2
/// are exact integers, so the variance suffers no cancellation; the results
/// are within a few ulps of the exact values. F32 images: the values
/// themselves, two passes in long double. Throws std::invalid_argument
/// for no indices, an index out of range, or images that are not U8 or
/// F32 [N, C, H, W].
Normalization channelStatistics(const Dataset &data,
                                const std::vector<int64_t> &indices);

/// Holds out round(fraction * n) of 0..n-1, chosen by a permutation drawn
/// from (seed, n) (the same on every call): {train indices, validation
/// indices}, each sorted ascending. Throws std::invalid_argument for
/// fraction outside [0, 1) or n < 0.
std::pair<std::vector<int64_t>, std::vector<int64_t>>
validationSplit(int64_t n, double fraction, uint64_t seed);

/// Training-time augmentation, as torchvision's RandomCrop(size, padding =
/// cropPadding) then RandomHorizontalFlip(0.5): the raw image is padded
/// with cropPadding zero pixels on every side (pixel value 0, i.e. black,
/// *before* normalisation, as PyTorch pads the tensor before Normalize), a
/// window of the original size is taken at an offset (dy, dx) uniform in
/// [0, 2 cropPadding]^2, and with probability 0.5 mirrored left-right.
/// Per image, in batch order, the draws are dy, dx (when cropPadding > 0),
/// then the flip (uniform() < 0.5, when flip).
struct Augmentation {
  int64_t cropPadding = 0;
  bool flip = false;
};

struct Batch {
  /// F32 or F64 [B, C, H, W]: (x / 255 - mean[c]) / std[c], computed in
  /// double and rounded once to the dtype.
  Tensor images;
  /// I64 [B].
  Tensor labels;
  /// The batch's number in the epoch (0-based).
  int64_t index = 0;
  /// The data set index of each image (for checks and debugging).
  std::vector<int64_t> indices;
  /// The whole batch's size when this is one replica's share of it
  /// (BatchLoader's `replica`); else images.shape[0].
  int64_t globalSize = 0;
};

/// splitmix64 (Steele, Lea, Flood 2014): x + 0x9e3779b97f4a7c15, then the
/// mixing function z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9,
/// z = (z ^ z >> 27) * 0x94d049bb133111eb, z ^ z >> 31.
uint64_t splitmix64(uint64_t x);
/// splitmix64(splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ a) ^ b):
/// independent-looking seeds for distinct (stream, a, b).
uint64_t deriveSeed(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b);
constexpr uint64_t kStreamShuffle = 1, kStreamAugment = 2,
                   kStreamValidation = 3, kStreamSimulated = 4;
/// Uniform integer in [0, bound) (bound >= 1) by rejection of the top
/// partial range of 64-bit draws.
uint64_t uniformBelow(Rng &rng, uint64_t bound);
/// Fisher-Yates shuffle, i from the end: swap v[i] with v[uniformBelow(i+1)].
void shuffleInPlace(std::vector<int64_t> &v, Rng &rng);

/// The batches of one epoch over `indices` of `data` (the last batch may be
/// smaller), in the order of a permutation drawn from (seed, epoch) when
/// shuffle is true, else in the given order; augmented as above from an
/// RNG derived from (seed, epoch, batch index) only. `data` must outlive
/// the loader (it is read, not copied). An empty `norm` means mean 0 and
/// std 1 (pixels scaled to [0, 1] only).
///
/// With prefetch >= 1 a background thread prepares up to `prefetch` batches
/// ahead; an error there is rethrown by next() when it reaches that batch.
/// prefetch 0 prepares each batch inside next(), on the caller's thread.
/// The destructor stops and joins the thread, also mid-epoch.
///
/// firstBatch > 0 starts the epoch there (a run resumed mid-epoch): the
/// batches before it are neither made nor returned, and every later batch
/// is the same as in a full pass (its draws depend on (seed, epoch, batch)
/// only).
///
/// The constructor throws std::invalid_argument for batchSize < 1, a dtype
/// other than F32/F64, an index out of range, a normalisation whose size is
/// not the channel count or with a std <= 0, a negative crop padding or
/// prefetch, a firstBatch outside [0, batches()], or images that are not U8 [N, C, H, W] with N labels.
class BatchLoader {
public:
  BatchLoader(const Dataset &data, std::vector<int64_t> indices,
              int64_t batchSize, bool shuffle, uint64_t seed, int64_t epoch,
              Normalization norm, Augmentation aug, DType dtype,
              int prefetch = 3, int64_t firstBatch = 0, int replica = 0,
              int replicas = 1);
  ~BatchLoader();
  BatchLoader(const BatchLoader &) = delete;
  BatchLoader &operator=(const BatchLoader &) = delete;

  /// The next batch into `out`; false after the last batch.
  bool next(Batch &out);
  /// Number of batches in the epoch: ceil(indices / batchSize).
  int64_t batches() const { return batches_; }
  /// The epoch's order of data set indices (after shuffling).
  const std::vector<int64_t> &order() const { return order_; }

private:
  Batch make(int64_t b) const;
  void work();

  const Dataset &data_;
  std::vector<int64_t> order_;
  int64_t batchSize_, batches_;
  uint64_t seed_;
  int64_t epoch_;
  Augmentation aug_;
  DType dtype_;
  int prefetch_;
  // U8 images: lut_[c * 256 + v], the normalised value of pixel value v in
  // channel c. F32 images: mean_, std_ of each channel.
  std::vector<double> lut_, mean_, std_;

  // Data-parallel training: each batch is cut into `replicas_` contiguous
  // shares (replicaShare) and this loader makes share `replica_` of each,
  // with the images, order and augmentation one loader would give them.
  int replica_ = 0, replicas_ = 1;
  int64_t first_ = 0;    // the first batch made (a resumed epoch)
  int64_t consumed_ = 0; // batches handed out by next()
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> ready_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread worker_;
};

namespace testing {
/// Test hook: the loader's batch preparation throws std::runtime_error at
/// this batch index (-1, the default: never), to exercise the rethrow path.
void setBatchFailure(int64_t batchIndex);
} // namespace testing

} // namespace cscc::rt

#endif // CSCC_RUNTIME_DATALOADER_H
