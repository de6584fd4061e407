//===- DataLoader.cpp - data sets, splits and batches for training --------===//
#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/Replicas.h"

#include <cctype>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include <sys/stat.h>

namespace cscc::rt {

//===----------------------------------------------------------------------===//
// Seeds and draws
//===----------------------------------------------------------------------===//

uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t deriveSeed(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b) {
  return splitmix64(splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ a) ^ b);
}

uint64_t uniformBelow(Rng &rng, uint64_t bound) {
  if (bound == 0)
    throw std::invalid_argument("uniformBelow: bound must be at least 1");
  // 2^64 mod bound: draws below it would make small results more likely.
  uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    uint64_t r = rng.next();
    if (r >= threshold)
      return r % bound;
  }
}

void shuffleInPlace(std::vector<int64_t> &v, Rng &rng) {
  for (size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[uniformBelow(rng, i)]);
}

//===----------------------------------------------------------------------===//
// Data set kinds and files
//===----------------------------------------------------------------------===//

namespace {

[[noreturn]] void fail(const std::string &msg) {
  throw std::runtime_error(msg);
}

enum class PathKind { Missing, File, Directory, Other };

PathKind pathKind(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return PathKind::Missing;
  if (S_ISDIR(st.st_mode))
    return PathKind::Directory;
  if (S_ISREG(st.st_mode))
    return PathKind::File;
  return PathKind::Other;
}

std::string join(const std::string &dir, const std::string &name) {
  if (dir.empty() || dir.back() == '/')
    return dir + name;
  return dir + "/" + name;
}

enum class DatasetKind { FashionMnist, Mnist, Cifar10, Cifar100, Svhn, Simulated };

struct KindInfo {
  DatasetKind id;
  const char *kind;     // as in DataSpec::kind
  const char *title;    // for descriptions
  const char *files;    // the files expected, for messages
  const char *howToGet; // where they come from
};

const KindInfo kKinds[] = {
    {DatasetKind::FashionMnist, "fashion_mnist", "Fashion-MNIST",
     "train-images-idx3-ubyte, train-labels-idx1-ubyte, "
     "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally .gz)",
     "on Debian 'apt install dataset-fashion-mnist' installs them in "
     "/usr/share/datasets/fashion-mnist; or download the four .gz files from "
     "https://github.com/zalandoresearch/fashion-mnist (data/fashion)"},
    {DatasetKind::Mnist, "mnist", "MNIST",
     "train-images-idx3-ubyte, train-labels-idx1-ubyte, "
     "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally .gz)",
     "download the four .gz files from http://yann.lecun.com/exdb/mnist/ "
     "(or a mirror, e.g. https://ossci-datasets.s3.amazonaws.com/mnist/)"},
    {DatasetKind::Cifar10, "cifar10", "CIFAR-10",
     "data_batch_1.bin .. data_batch_5.bin, test_batch.bin (the binary "
     "version)",
     "download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and "
     "unpack it with 'tar xzf' (it makes cifar-10-batches-bin/, which may be "
     "named directly or through its parent directory)"},
    {DatasetKind::Cifar100, "cifar100", "CIFAR-100",
     "train.bin, test.bin (the binary version)",
     "download https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz and "
     "unpack it with 'tar xzf' (it makes cifar-100-binary/, which may be "
     "named directly or through its parent directory)"},
    {DatasetKind::Svhn, "svhn", "SVHN",
     "train_32x32.mat, test_32x32.mat (cropped digits, format 2)",
     "download http://ufldl.stanford.edu/housenumbers/train_32x32.mat and "
     "http://ufldl.stanford.edu/housenumbers/test_32x32.mat"},
    {DatasetKind::Simulated, "simulated", "simulated", "none (generated from the seed)", ""},
};

const KindInfo *findKind(const std::string &kind) {
  for (const KindInfo &k : kKinds)
    if (kind == k.kind)
      return &k;
  return nullptr;
}

const char *kFashionMnistDefault = "/usr/share/datasets/fashion-mnist";

std::string kindPrefix(const KindInfo &k, const std::string &dir) {
  return std::string(k.kind) + " data set in '" + dir + "': ";
}

// The first of `names` present as a file in `dir`; fails naming them all.
std::string resolveFile(const KindInfo &k, const std::string &dir,
                        const std::vector<std::string> &names) {
  for (const std::string &n : names) {
    std::string p = join(dir, n);
    if (pathKind(p) == PathKind::File)
      return p;
  }
  std::string also;
  for (size_t i = 1; i < names.size(); ++i)
    also += (also.empty() ? " (also looked for " : ", ") + names[i];
  if (!also.empty())
    also += ")";
  fail(kindPrefix(k, dir) + "missing " + names[0] + also +
       "; the directory must hold " + k.files + "; " + k.howToGet);
}

// The directory to read: `path` itself, or the directory the distributed
// archive unpacks to (`subdir`) when `path` holds that instead of the files.
std::string resolveDirectory(const KindInfo &k, const std::string &path,
                             const std::string &probe,
                             const std::string &subdir) {
  if (path.empty())
    fail(std::string("no directory given for the ") + k.kind +
         " data set: name the directory that holds " + k.files + "; " +
         k.howToGet);
  PathKind pk = pathKind(path);
  if (pk == PathKind::Missing)
    fail(std::string(k.kind) + " data set: the directory '" + path +
         "' does not exist; it should hold " + k.files + "; " + k.howToGet);
  if (pk != PathKind::Directory)
    fail(std::string(k.kind) + " data set: '" + path +
         "' is not a directory; name the directory that holds " + k.files);
  if (!subdir.empty() && pathKind(join(path, probe)) == PathKind::Missing &&
      pathKind(join(path, subdir)) == PathKind::Directory)
    return join(path, subdir);
  return path;
}

std::vector<std::string> idxNames(const std::string &set,
                                  const std::string &what, int dims) {
  // train-images-idx3-ubyte, and the spellings also in circulation.
  std::string dash = set + "-" + what + "-idx" + std::to_string(dims) + "-ubyte";
  std::string dot = set + "-" + what + ".idx" + std::to_string(dims) + "-ubyte";
  return {dash, dash + ".gz", dot, dot + ".gz"};
}

std::string shapeText(const Tensor &images) {
  std::string s;
  for (size_t i = 1; i < images.shape.size(); ++i)
    s += (i > 1 ? "x" : "") + std::to_string(images.shape[i]);
  return s;
}

void checkDataset(const Dataset &d, const char *who) {
  const Tensor &im = d.images;
  if ((im.dtype != DType::U8 && im.dtype != DType::F32) ||
      im.shape.size() != 4)
    throw std::invalid_argument(std::string(who) +
                                ": the data set's images must be U8 or F32 "
                                "[N, C, H, W], got " + dtypeName(im.dtype) +
                                " " + shapeString(im.shape));
  if (static_cast<int64_t>(d.labels.size()) != im.shape[0] ||
      static_cast<int64_t>(im.data.size()) !=
          im.numel() * static_cast<int64_t>(dtypeSize(im.dtype)))
    throw std::invalid_argument(std::string(who) + ": the data set has " +
                                std::to_string(im.shape[0]) + " images but " +
                                std::to_string(d.labels.size()) +
                                " labels (or its pixel data is not " +
                                shapeString(im.shape) + ")");
}

void checkIndices(const std::vector<int64_t> &indices, int64_t n,
                  const char *who) {
  for (size_t i = 0; i < indices.size(); ++i)
    if (indices[i] < 0 || indices[i] >= n)
      throw std::invalid_argument(std::string(who) + ": index " +
                                  std::to_string(indices[i]) + " (entry " +
                                  std::to_string(i) +
                                  ") is outside the data set's 0.." +
                                  std::to_string(n - 1));
}

} // namespace

std::string knownDataKinds() {
  std::string s;
  for (const KindInfo &k : kKinds)
    s += (s.empty() ? "" : ", ") + std::string(k.kind);
  return s;
}

bool isGeneratedData(const DataSpec &spec) {
  const KindInfo *k = findKind(spec.kind);
  if (!k)
    return false;
  switch (k->id) {
  case DatasetKind::Simulated:
    return true;
  case DatasetKind::FashionMnist:
  case DatasetKind::Mnist:
  case DatasetKind::Cifar10:
  case DatasetKind::Cifar100:
  case DatasetKind::Svhn:
    return false;
  }
  return false;
}

std::optional<std::string> detectDataKind(const std::string &dir) {
  if (pathKind(dir) != PathKind::Directory)
    return std::nullopt;
  auto hasAny = [](const std::string &d, const std::vector<std::string> &ns) {
    for (const std::string &n : ns)
      if (pathKind(join(d, n)) == PathKind::File)
        return true;
    return false;
  };
  if (hasAny(dir, idxNames("train", "images", 3))) {
    // The same format; only the name of the directory tells them apart.
    std::string lower;
    for (char ch : dir)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return std::string(lower.find("fashion") != std::string::npos
                           ? "fashion_mnist"
                           : "mnist");
  }
  if (hasAny(dir, {"data_batch_1.bin"}) ||
      hasAny(join(dir, "cifar-10-batches-bin"), {"data_batch_1.bin"}))
    return std::string("cifar10");
  if (hasAny(dir, {"train.bin"}) ||
      hasAny(join(dir, "cifar-100-binary"), {"train.bin"}))
    return std::string("cifar100");
  if (hasAny(dir, {"train_32x32.mat"}))
    return std::string("svhn");
  return std::nullopt;
}

namespace {

/// simulated(dim = D, ...): the paper's Gaussian-centres set (DataLoader.h).
DataSplits generateGaussianCentres(const DataSpec &spec) {
  const std::vector<int64_t> &shape = spec.simulatedShape;
  const int64_t D = spec.simulatedDim, K = spec.simulatedClasses;
  if (shapeNumel(shape) != D)
    throw std::invalid_argument(
        "simulated(dim = " + std::to_string(D) + ") makes signals of " +
        std::to_string(D) + " values, and the model's input " +
        shapeString(shape) + " holds " + std::to_string(shapeNumel(shape)) +
        " (write `input [" + std::to_string(D) + ", 1, 1];`, or give dim = " +
        std::to_string(shapeNumel(shape)) + ")");
  if (!(spec.simulatedNoise >= 0) || !std::isfinite(spec.simulatedNoise))
    throw std::invalid_argument("simulated data: the noise is a standard "
                                "deviation >= 0, got " +
                                std::to_string(spec.simulatedNoise));
  std::vector<double> centres(static_cast<size_t>(K * D));
  {
    Rng rng(deriveSeed(spec.seed, kStreamSimulated, 2, 0));
    for (double &c : centres)
      c = rng.normal();
  }
  auto make = [&](int64_t n, uint64_t which) {
    Rng rng(deriveSeed(spec.seed, kStreamSimulated, which, 0));
    Dataset d;
    d.classes = K;
    d.labels.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      d.labels[i] = i % K;
    shuffleInPlace(d.labels, rng);
    std::vector<int64_t> full{n};
    full.insert(full.end(), shape.begin(), shape.end());
    d.images = Tensor(DType::F32, full);
    float *px = d.images.as<float>();
    for (int64_t i = 0; i < n; ++i) {
      const double *centre = centres.data() + d.labels[i] * D;
      for (int64_t j = 0; j < D; ++j)
        *px++ = static_cast<float>(centre[j] +
                                   spec.simulatedNoise * rng.normal());
    }
    return d;
  };
  DataSplits s;
  s.train = make(spec.simulatedTrain, 0);
  s.test = make(spec.simulatedTest, 1);
  char noise[32];
  std::snprintf(noise, sizeof noise, "%g", spec.simulatedNoise);
  s.description = "simulated Gaussian centres (seed " +
                  std::to_string(spec.seed) + ", dim " + std::to_string(D) +
                  ", noise " + noise + "): " +
                  std::to_string(spec.simulatedTrain) + " train, " +
                  std::to_string(spec.simulatedTest) + " test, " +
                  shapeText(s.train.images) + ", " + std::to_string(K) +
                  " classes";
  return s;
}

} // namespace

DataSplits generateSimulated(const DataSpec &spec) {
  const std::vector<int64_t> &shape = spec.simulatedShape;
  if (shape.size() != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1)
    throw std::invalid_argument("simulated data: the image shape must be "
                                "[C, H, W] with positive extents, got " +
                                shapeString(shape));
  if (spec.simulatedClasses < 2 || spec.simulatedClasses > 256)
    throw std::invalid_argument("simulated data: classes must be in 2..256, "
                                "got " +
                                std::to_string(spec.simulatedClasses));
  if (spec.simulatedTrain < 1 || spec.simulatedTest < 1)
    throw std::invalid_argument(
        "simulated data: the train and test sizes must be at least 1, got " +
        std::to_string(spec.simulatedTrain) + " and " +
        std::to_string(spec.simulatedTest));
  const int64_t C = shape[0], H = shape[1], W = shape[2];
  const int64_t K = spec.simulatedClasses;
  const double kPi = 3.14159265358979323846;
  if (spec.simulatedDim > 0)
    return generateGaussianCentres(spec);

  auto make = [&](int64_t n, uint64_t which) {
    Rng rng(deriveSeed(spec.seed, kStreamSimulated, which, 0));
    Dataset d;
    d.classes = K;
    d.labels.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      d.labels[i] = i % K;
    shuffleInPlace(d.labels, rng);
    d.images = Tensor(DType::U8, {n, C, H, W});
    uint8_t *px = d.images.data.data();
    for (int64_t i = 0; i < n; ++i) {
      int64_t k = d.labels[i];
      double theta = kPi * static_cast<double>(k) / static_cast<double>(K);
      double freq = 2.0 + static_cast<double>(k % 3);
      double ct = std::cos(theta), st = std::sin(theta);
      double phase = 2 * kPi * rng.uniform();
      for (int64_t c = 0; c < C; ++c)
        for (int64_t y = 0; y < H; ++y)
          for (int64_t x = 0; x < W; ++x) {
            double u = static_cast<double>(x) / W, v = static_cast<double>(y) / H;
            double g = std::cos(2 * kPi * freq * (u * ct + v * st) + phase);
            double val = 127.5 + 80.0 * g + 40.0 * rng.normal();
            val = std::floor(val + 0.5);
            *px++ = static_cast<uint8_t>(std::clamp(val, 0.0, 255.0));
          }
    }
    return d;
  };
  DataSplits s;
  s.train = make(spec.simulatedTrain, 0);
  s.test = make(spec.simulatedTest, 1);
  s.description = "simulated (seed " + std::to_string(spec.seed) +
                  "): " + std::to_string(spec.simulatedTrain) + " train, " +
                  std::to_string(spec.simulatedTest) + " test, " +
                  shapeText(s.train.images) + ", " + std::to_string(K) +
                  " classes";
  return s;
}

DataSplits loadData(const DataSpec &spec) {
  const KindInfo *k = findKind(spec.kind);
  if (!k)
    fail("unknown data set kind '" + spec.kind + "'; the kinds are " +
         knownDataKinds());
  std::string path = spec.path;
  DataSplits s;
  std::string dir;
  switch (k->id) {
  case DatasetKind::Simulated:
    return generateSimulated(spec);
  case DatasetKind::FashionMnist:
  case DatasetKind::Mnist: {
    if (path.empty() && k->id == DatasetKind::FashionMnist)
      path = kFashionMnistDefault;
    dir = resolveDirectory(*k, path, "", "");
    std::string trImg = resolveFile(*k, dir, idxNames("train", "images", 3));
    std::string trLbl = resolveFile(*k, dir, idxNames("train", "labels", 1));
    std::string teImg = resolveFile(*k, dir, idxNames("t10k", "images", 3));
    std::string teLbl = resolveFile(*k, dir, idxNames("t10k", "labels", 1));
    s.train = readIdx(trImg, trLbl);
    s.test = readIdx(teImg, teLbl);
    break;
  }
  case DatasetKind::Cifar10: {
    dir = resolveDirectory(*k, path, "data_batch_1.bin", "cifar-10-batches-bin");
    std::vector<std::string> train;
    for (int i = 1; i <= 5; ++i)
      train.push_back(
          resolveFile(*k, dir, {"data_batch_" + std::to_string(i) + ".bin"}));
    std::string test = resolveFile(*k, dir, {"test_batch.bin"});
    s.train = readCifar(train, 10);
    s.test = readCifar({test}, 10);
    break;
  }
  case DatasetKind::Cifar100: {
    dir = resolveDirectory(*k, path, "train.bin", "cifar-100-binary");
    std::string train = resolveFile(*k, dir, {"train.bin"});
    std::string test = resolveFile(*k, dir, {"test.bin"});
    s.train = readCifar({train}, 100);
    s.test = readCifar({test}, 100);
    break;
  }
  case DatasetKind::Svhn: {
    dir = resolveDirectory(*k, path, "", "");
    std::string train = resolveFile(*k, dir, {"train_32x32.mat"});
    std::string test = resolveFile(*k, dir, {"test_32x32.mat"});
    s.train = readSvhn(train);
    s.test = readSvhn(test);
    break;
  }
  }

  std::vector<int64_t> trShape(s.train.images.shape.begin() + 1,
                               s.train.images.shape.end());
  std::vector<int64_t> teShape(s.test.images.shape.begin() + 1,
                               s.test.images.shape.end());
  if (trShape != teShape)
    fail(kindPrefix(*k, dir) + "the train images are " + shapeString(trShape) +
         " but the test images " + shapeString(teShape) +
         "; the files come from different data sets");
  // IDX files do not record the classes: take the larger of the two guesses.
  int64_t classes = std::max(s.train.classes, s.test.classes);
  s.train.classes = s.test.classes = classes;
  s.description = std::string(k->title) + " (" + dir + "): " +
                  std::to_string(s.train.labels.size()) + " train, " +
                  std::to_string(s.test.labels.size()) + " test, " +
                  shapeText(s.train.images) + ", " + std::to_string(classes) +
                  " classes";
  return s;
}

//===----------------------------------------------------------------------===//
// Statistics and splits
//===----------------------------------------------------------------------===//

Normalization channelStatistics(const Dataset &data,
                                const std::vector<int64_t> &indices) {
  checkDataset(data, "channelStatistics");
  if (indices.empty())
    throw std::invalid_argument("channelStatistics: no images (empty index "
                                "list)");
  checkIndices(indices, data.images.shape[0], "channelStatistics");
  const int64_t C = data.images.shape[1];
  const int64_t plane = data.images.shape[2] * data.images.shape[3];
  if (plane == 0)
    throw std::invalid_argument("channelStatistics: the images have no pixels");
  if (data.images.dtype == DType::F32) {
    // Signals in their own units: mean, then the squared deviations.
    Normalization norm;
    const float *px = data.images.as<float>();
    const long double n = static_cast<long double>(indices.size()) * plane;
    for (int64_t c = 0; c < C; ++c) {
      long double s = 0, q = 0;
      for (int64_t idx : indices)
        for (int64_t i = 0; i < plane; ++i)
          s += px[(idx * C + c) * plane + i];
      long double mean = s / n;
      for (int64_t idx : indices)
        for (int64_t i = 0; i < plane; ++i) {
          long double d = px[(idx * C + c) * plane + i] - mean;
          q += d * d;
        }
      norm.mean.push_back(static_cast<double>(mean));
      norm.std.push_back(static_cast<double>(std::sqrt(q / n)));
    }
    return norm;
  }
  // Exact integer sums of v and v^2 (v <= 255): n * S2 - S1^2 in 128 bits is
  // the exact n^2 * variance, so no cancellation.
  std::vector<unsigned __int128> s1(C, 0), s2(C, 0);
  const uint8_t *px = data.images.data.data();
  for (int64_t idx : indices)
    for (int64_t c = 0; c < C; ++c) {
      const uint8_t *p = px + (idx * C + c) * plane;
      uint64_t a = 0, b = 0;
      for (int64_t i = 0; i < plane; ++i) {
        a += p[i];
        b += static_cast<uint64_t>(p[i]) * p[i];
      }
      s1[c] += a;
      s2[c] += b;
    }
  Normalization norm;
  const unsigned __int128 n =
      static_cast<unsigned __int128>(indices.size()) * plane;
  const long double nn = static_cast<long double>(n);
  for (int64_t c = 0; c < C; ++c) {
    unsigned __int128 var = n * s2[c] - s1[c] * s1[c];
    long double mean = static_cast<long double>(s1[c]) / nn / 255.0L;
    long double sd =
        std::sqrt(static_cast<long double>(var)) / nn / 255.0L;
    norm.mean.push_back(static_cast<double>(mean));
    norm.std.push_back(static_cast<double>(sd));
  }
  return norm;
}

std::pair<std::vector<int64_t>, std::vector<int64_t>>
validationSplit(int64_t n, double fraction, uint64_t seed) {
  if (n < 0)
    throw std::invalid_argument("validationSplit: n must be >= 0, got " +
                                std::to_string(n));
  if (!(fraction >= 0 && fraction < 1))
    throw std::invalid_argument(
        "validationSplit: the validation fraction must be in [0, 1), got " +
        std::to_string(fraction));
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(deriveSeed(seed, kStreamValidation, static_cast<uint64_t>(n), 0));
  shuffleInPlace(perm, rng);
  int64_t k = std::llround(fraction * static_cast<double>(n));
  std::vector<int64_t> val(perm.begin(), perm.begin() + k);
  std::vector<int64_t> train(perm.begin() + k, perm.end());
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  return {std::move(train), std::move(val)};
}

//===----------------------------------------------------------------------===//
// BatchLoader
//===----------------------------------------------------------------------===//

namespace {
std::atomic<int64_t> gFailAtBatch{-1};
} // namespace

void testing::setBatchFailure(int64_t batchIndex) {
  gFailAtBatch.store(batchIndex);
}

BatchLoader::BatchLoader(const Dataset &data, std::vector<int64_t> indices,
                         int64_t batchSize, bool shuffle, uint64_t seed,
                         int64_t epoch, Normalization norm, Augmentation aug,
                         DType dtype, int prefetch, int64_t firstBatch,
                         int replica, int replicas)
    : data_(data), order_(std::move(indices)), batchSize_(batchSize),
      batches_(0), seed_(seed), epoch_(epoch), aug_(aug), dtype_(dtype),
      prefetch_(prefetch), replica_(replica), replicas_(replicas) {
  checkDataset(data, "BatchLoader");
  if (batchSize < 1)
    throw std::invalid_argument("BatchLoader: the batch size must be at "
                                "least 1, got " + std::to_string(batchSize));
  if (dtype != DType::F32 && dtype != DType::F64)
    throw std::invalid_argument(std::string("BatchLoader: batches are F32 or "
                                            "F64, not ") + dtypeName(dtype));
  if (aug.cropPadding < 0)
    throw std::invalid_argument("BatchLoader: the crop padding must be >= 0, "
                                "got " + std::to_string(aug.cropPadding));
  if (prefetch < 0)
    throw std::invalid_argument("BatchLoader: prefetch must be >= 0, got " +
                                std::to_string(prefetch));
  if (replicas < 1 || replica < 0 || replica >= replicas)
    throw std::invalid_argument("BatchLoader: replica " +
                                std::to_string(replica) + " of " +
                                std::to_string(replicas) + " does not exist");
  checkIndices(order_, data.images.shape[0], "BatchLoader");
  const int64_t C = data.images.shape[1];
  if (norm.mean.empty() && norm.std.empty()) {
    norm.mean.assign(C, 0.0);
    norm.std.assign(C, 1.0);
  }
  if (static_cast<int64_t>(norm.mean.size()) != C ||
      static_cast<int64_t>(norm.std.size()) != C)
    throw std::invalid_argument(
        "BatchLoader: the normalisation has " +
        std::to_string(norm.mean.size()) + " means and " +
        std::to_string(norm.std.size()) + " standard deviations for images "
        "of " + std::to_string(C) + " channels");
  for (int64_t c = 0; c < C; ++c)
    if (!(norm.std[c] > 0) || !std::isfinite(norm.std[c]) ||
        !std::isfinite(norm.mean[c]))
      throw std::invalid_argument(
          "BatchLoader: channel " + std::to_string(c) + " has mean " +
          std::to_string(norm.mean[c]) + " and standard deviation " +
          std::to_string(norm.std[c]) +
          "; the deviation must be positive (a constant channel cannot be "
          "normalised: pass std 1 for it)");
  // Every pixel value's normalised value, computed as (v / 255 - mean) / std
  // in double: the same operations, in the same order, as NumPy's or
  // torchvision's ToTensor + Normalize in double precision.
  if (data.images.dtype == DType::F32) {
    mean_ = norm.mean;
    std_ = norm.std;
  } else {
    lut_.resize(static_cast<size_t>(C) * 256);
    for (int64_t c = 0; c < C; ++c)
      for (int v = 0; v < 256; ++v)
        lut_[c * 256 + v] = (static_cast<double>(v) / 255.0 - norm.mean[c]) /
                            norm.std[c];
  }

  if (shuffle) {
    Rng rng(deriveSeed(seed, kStreamShuffle, static_cast<uint64_t>(epoch), 0));
    shuffleInPlace(order_, rng);
  }
  int64_t n = static_cast<int64_t>(order_.size());
  batches_ = (n + batchSize - 1) / batchSize;
  if (firstBatch < 0 || firstBatch > batches_)
    throw std::invalid_argument(
        "BatchLoader: the first batch must be in [0, " +
        std::to_string(batches_) + "] (the epoch's batches), got " +
        std::to_string(firstBatch));
  first_ = consumed_ = firstBatch;
  if (prefetch_ > 0 && batches_ > firstBatch)
    worker_ = std::thread([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable())
    worker_.join();
}

namespace {
/// Normalises stored values of type S (U8 pixels through a table, F32
/// signals by their channel's mean and deviation) into T.
template <typename S> struct Normalizer;
template <> struct Normalizer<uint8_t> {
  const std::vector<double> &lut;
  double operator()(int64_t c, uint8_t v) const { return lut[c * 256 + v]; }
};
template <> struct Normalizer<float> {
  const std::vector<double> &mean, &std;
  double operator()(int64_t c, float v) const {
    return (static_cast<double>(v) - mean[c]) / std[c];
  }
};

/// The images idx[lo, hi) of a batch `idx` into `out`. The augmentation's
/// draws are made for every image of the batch, so that a share of it gets
/// the crops and flips the whole batch would.
template <typename T, typename S>
void fillImages(Tensor &out, const Dataset &data,
                const std::vector<int64_t> &idx, size_t lo, size_t hi,
                const Normalizer<S> &norm, const Augmentation &aug, Rng &rng) {
  const int64_t C = data.images.shape[1], H = data.images.shape[2],
                W = data.images.shape[3];
  const int64_t p = aug.cropPadding;
  const S *src = reinterpret_cast<const S *>(data.images.data.data());
  T *dst = out.as<T>();
  for (size_t i = 0; i < hi; ++i) {
    // Offsets into the zero-padded image; p, p is the uncropped image.
    int64_t dy = p, dx = p;
    if (p > 0) {
      dy = static_cast<int64_t>(uniformBelow(rng, 2 * p + 1));
      dx = static_cast<int64_t>(uniformBelow(rng, 2 * p + 1));
    }
    bool flip = aug.flip && rng.uniform() < 0.5;
    if (i < lo)
      continue;
    const S *img = src + idx[i] * C * H * W;
    for (int64_t c = 0; c < C; ++c) {
      const S *pl = img + c * H * W;
      for (int64_t y = 0; y < H; ++y) {
        int64_t sy = y + dy - p;
        bool rowIn = sy >= 0 && sy < H;
        for (int64_t x = 0; x < W; ++x) {
          // Crop, then mirror: output column x shows cropped column W-1-x.
          int64_t sx = (flip ? W - 1 - x : x) + dx - p;
          S v = rowIn && sx >= 0 && sx < W ? pl[sy * W + sx] : S(0);
          *dst++ = static_cast<T>(norm(c, v));
        }
      }
    }
  }
}
} // namespace

Batch BatchLoader::make(int64_t b) const {
  if (b == gFailAtBatch.load())
    throw std::runtime_error("BatchLoader: injected failure at batch " +
                             std::to_string(b) + " (testing::setBatchFailure)");
  const int64_t n = static_cast<int64_t>(order_.size());
  const int64_t lo = b * batchSize_, hi = std::min(n, lo + batchSize_);
  const std::vector<int64_t> whole(order_.begin() + lo, order_.begin() + hi);
  auto [shareLo, shareHi] = replicaShare(hi - lo, replica_, replicas_);
  Batch out;
  out.index = b;
  out.globalSize = hi - lo;
  out.indices.assign(whole.begin() + shareLo, whole.begin() + shareHi);
  const int64_t m = shareHi - shareLo;
  const std::vector<int64_t> &s = data_.images.shape;
  out.images = Tensor(dtype_, {m, s[1], s[2], s[3]});
  out.labels = Tensor(DType::I64, {m});
  int64_t *labels = out.labels.as<int64_t>();
  for (int64_t i = 0; i < m; ++i)
    labels[i] = data_.labels[out.indices[i]];
  Rng rng(deriveSeed(seed_, kStreamAugment, static_cast<uint64_t>(epoch_),
                     static_cast<uint64_t>(b)));
  auto fill = [&](auto norm) {
    if (dtype_ == DType::F32)
      fillImages<float>(out.images, data_, whole, shareLo, shareHi, norm,
                        aug_, rng);
    else
      fillImages<double>(out.images, data_, whole, shareLo, shareHi, norm,
                         aug_, rng);
  };
  if (data_.images.dtype == DType::F32)
    fill(Normalizer<float>{mean_, std_});
  else
    fill(Normalizer<uint8_t>{lut_});
  return out;
}

void BatchLoader::work() {
  for (int64_t b = first_; b < batches_; ++b) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] {
        return stop_ || static_cast<int64_t>(ready_.size()) < prefetch_;
      });
      if (stop_)
        return;
    }
    Batch batch;
    std::exception_ptr error;
    try {
      batch = make(b);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (error)
        error_ = error;
      else
        ready_.push_back(std::move(batch));
    }
    cv_.notify_all();
    if (error)
      return;
  }
}

bool BatchLoader::next(Batch &out) {
  if (consumed_ >= batches_)
    return false;
  if (prefetch_ == 0) {
    out = make(consumed_);
    ++consumed_;
    return true;
  }
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !ready_.empty() || error_; });
  // Batches finished before a failure are handed out first, so the error
  // surfaces at the batch that failed.
  if (ready_.empty())
    std::rethrow_exception(error_);
  out = std::move(ready_.front());
  ready_.pop_front();
  ++consumed_;
  lock.unlock();
  cv_.notify_all();
  return true;
}

} // namespace cscc::rt
