//===- DatasetChecks.cpp - cscc-runtime-check: data sets --------------------===//
//
// The data set readers (IDX, CIFAR, SVHN), loadData, and MAT file
// conversion for the SVHN tests.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include "cscc/Runtime/DataLoader.h"
#include "cscc/Runtime/Datasets.h"
#include "cscc/Runtime/Npy.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <matio.h>
#include <sys/stat.h>

using namespace cscc::rt;
using namespace runtime_check;

DataSpec runtime_check::dataSpecFrom(const CommandLine &args, const char *usage) {
  if (args.positionals().empty() || args.positionals().size() > 2)
    throw UsageError(std::string("expected ") + usage);
  DataSpec spec;
  spec.kind = args.positionals()[0];
  if (args.positionals().size() == 2)
    spec.path = args.positionals()[1];
  spec.seed = static_cast<uint64_t>(parseInteger(args.get("--data-seed", "0"),
                                             "--data-seed"));
  // The simulated sets' settings (the train section's simulated(...)).
  if (args.has("--data-shape"))
    spec.simulatedShape = parseShape(args.get("--data-shape"));
  if (args.has("--data-classes"))
    spec.simulatedClasses = parseInteger(args.get("--data-classes"), "--data-classes");
  if (args.has("--data-train"))
    spec.simulatedTrain = parseInteger(args.get("--data-train"), "--data-train");
  if (args.has("--data-test"))
    spec.simulatedTest = parseInteger(args.get("--data-test"), "--data-test");
  if (args.has("--data-dim"))
    spec.simulatedDim = parseInteger(args.get("--data-dim"), "--data-dim");
  if (args.has("--data-noise"))
    spec.simulatedNoise = std::stod(args.get("--data-noise"));
  return spec;
}

void runtime_check::makeDirectory(const std::string &dir) {
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create directory '" + dir + "': " +
                             std::strerror(errno));
}

Tensor runtime_check::labelTensor(const std::vector<int64_t> &v) {
  return Tensor::fromValues<int64_t>({static_cast<int64_t>(v.size())}, v);
}

namespace {

void printDataset(const Dataset &ds) {
  const Tensor &im = ds.images;
  size_t n = ds.labels.size();
  std::printf("N %zu\n", n);
  std::printf("images %s %s\n", dtypeName(im.dtype), shapeString(im.shape).c_str());
  std::printf("classes %lld\n", static_cast<long long>(ds.classes));
  std::printf("first-labels");
  for (size_t i = 0; i < std::min<size_t>(n, 10); ++i)
    std::printf(" %lld", static_cast<long long>(ds.labels[i]));
  std::printf("\n");
  std::vector<uint64_t> counts(static_cast<size_t>(ds.classes), 0);
  for (int64_t l : ds.labels)
    ++counts.at(static_cast<size_t>(l));
  std::printf("label-counts");
  for (uint64_t c : counts)
    std::printf(" %llu", static_cast<unsigned long long>(c));
  std::printf("\n");
  uint64_t sum = 0, weighted = 0;
  const uint8_t *px = im.data.data();
  for (size_t i = 0; i < im.data.size(); ++i) {
    sum += px[i];
    weighted += (i % 65521 + 1) * px[i];
  }
  std::printf("pixel-sum %llu\n", static_cast<unsigned long long>(sum));
  std::printf("pixel-checksum %llu\n",
              static_cast<unsigned long long>(weighted));
}

int cmdDatasetsIdx(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({});
  args.expectPositionals(2, "datasets-idx IMAGES LABELS");
  printDataset(readIdx(args.positionals()[0], args.positionals()[1]));
  return 0;
}

int cmdDatasetsCifar(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({});
  if (args.positionals().size() < 2)
    throw UsageError("expected datasets-cifar CLASSES FILES...");
  int64_t classes = parseInteger(args.positionals()[0], "CLASSES");
  std::vector<std::string> files(args.positionals().begin() + 1, args.positionals().end());
  printDataset(readCifar(files, static_cast<int>(classes)));
  return 0;
}

int cmdDatasetsSvhn(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({});
  args.expectPositionals(1, "datasets-svhn FILE.mat");
  printDataset(readSvhn(args.positionals()[0]));
  return 0;
}

int cmdDatasetsLoad(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({"--data-seed", "--npy", "--data-shape", "--data-classes",
                  "--data-train", "--data-test", "--data-dim", "--data-noise"});
  DataSpec spec = dataSpecFrom(args, "datasets-load KIND [DIR]");
  DataSplits s = loadData(spec);
  std::printf("description: %s\n[train]\n", s.description.c_str());
  printDataset(s.train);
  std::printf("[test]\n");
  printDataset(s.test);
  if (args.has("--npy")) {
    std::string dir = args.get("--npy");
    makeDirectory(dir);
    writeNpy(dir + "/train_images.npy", s.train.images);
    writeNpy(dir + "/train_labels.npy", labelTensor(s.train.labels));
    writeNpy(dir + "/test_images.npy", s.test.images);
    writeNpy(dir + "/test_labels.npy", labelTensor(s.test.labels));
  }
  return 0;
}

int cmdMatConvert(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {"--compress"});
  args.allowOnly({"--version", "--compress"});
  args.expectPositionals(2, "mat-convert IN.mat OUT.mat --version 5|7.3");
  std::string version = args.get("--version", "7.3");
  mat_ft ft;
  if (version == "5")
    ft = MAT_FT_MAT5;
  else if (version == "7.3")
    ft = MAT_FT_MAT73;
  else
    throw UsageError("unknown --version '" + version + "' (5 or 7.3)");
  mat_t *in = Mat_Open(args.positionals()[0].c_str(), MAT_ACC_RDONLY);
  if (!in)
    throw std::runtime_error("matio cannot open '" + args.positionals()[0] + "'");
  mat_t *out = Mat_CreateVer(args.positionals()[1].c_str(), nullptr, ft);
  if (!out) {
    Mat_Close(in);
    throw std::runtime_error("matio cannot create '" + args.positionals()[1] + "'");
  }
  int copied = 0;
  bool ok = true;
  while (matvar_t *v = Mat_VarReadNext(in)) {
    ok = ok && Mat_VarWrite(out, v,
                            args.has("--compress") ? MAT_COMPRESSION_ZLIB
                                                   : MAT_COMPRESSION_NONE) == 0;
    Mat_VarFree(v);
    ++copied;
  }
  Mat_Close(out);
  Mat_Close(in);
  if (!ok)
    throw std::runtime_error("matio could not write every variable to '" +
                             args.positionals()[1] + "'");
  std::printf("copied %d variables\n", copied);
  return 0;
}

} // namespace

CheckFamily runtime_check::datasetChecks() {
  CheckFamily family;
  family.usage = R"(  datasets-idx IMAGES LABELS          read an IDX (MNIST) images and labels
                                      file (plain or gzip) and print a
                                      summary (see datasets-cifar)
  datasets-cifar CLASSES FILES...     read CIFAR-10/100 binary batches
      (CLASSES 10 or 100) and print N, the images' shape, the classes, the
      first 10 labels, the count of each label, the sum of the pixels and
      their checksum sum_i (i % 65521 + 1) * pixel[i] (i in C order)
  datasets-svhn FILE.mat              read an SVHN cropped-digits MAT file
                                      (v5 or v7.3) and print the summary
  datasets-load KIND [DIR] [--data-seed S] [--npy OUTDIR]
                [--data-shape C,H,W --data-classes K --data-train N
                 --data-test M --data-dim D --data-noise S]  (simulated)
      loadData: print 'description: ...', then '[train]' and '[test]' with
      a summary each; --npy writes OUTDIR/{train,test}_{images,labels}.npy
      (KIND: fashion_mnist, mnist, cifar10, cifar100, svhn, simulated)
  mat-convert IN.mat OUT.mat --version 5|7.3 [--compress]
      copy every variable of a MAT file with matio (to make v7.3 files for
      the tests: Python here cannot write them)
)";
  family.checks = {
      {"datasets-idx", cmdDatasetsIdx},
      {"datasets-cifar", cmdDatasetsCifar},
      {"datasets-svhn", cmdDatasetsSvhn},
      {"datasets-load", cmdDatasetsLoad},
      {"mat-convert", cmdMatConvert},
  };
  return family;
}
