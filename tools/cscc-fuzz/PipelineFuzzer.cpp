//===- PipelineFuzzer.cpp - libFuzzer target: the MLIR pipeline and JIT --===//
//
// One input is one .csc file. Inputs the front end rejects, and models
// past the small limits below, are dropped at once (return -1: not kept in
// the corpus). A model the front end accepts then goes through the cscc
// commands exactly as the tool calls them (lib/Driver, Commands.h):
//   cscc --emit=cst MODEL -o MODEL.mlir         (csc -> tensor level)
//   cscc init MODEL -o W.safetensors
//   cscc run MODEL --weights W --input X.npy --batch-size 2 -o Y.npy
// on 3 images (a full batch and a partial one). A model the front end
// accepts must compile and run: a command that fails on it means a check
// is missing in the front end (or a bug below it), and is a finding like a
// crash, a sanitizer report or a hang. scripts/fuzz.sh builds and runs it
// (--target pipeline).
//
//===----------------------------------------------------------------------===//
#include "cscc/Driver/Commands.h"
#include "cscc/Frontend/Parser.h"
#include "cscc/Frontend/Sema.h"
#include "cscc/Runtime/Npy.h"
#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

using namespace cscc;

namespace {

// Small models only: compiling one takes most of a run; these keep a run
// under a few seconds with the sanitizers.
constexpr size_t kMaxSourceBytes = 4096;
constexpr int64_t kMaxActivation = 1 << 14; // elements of one sample's tensor
constexpr int64_t kMaxParameters = 1 << 16;
constexpr size_t kMaxLayers = 24;
constexpr int64_t kMaxWindow = 8; // kernel, stride, dilation, padding
constexpr int64_t kMaxUnfold = 3;
constexpr size_t kMaxStackDepth = 4;
constexpr int64_t kImages = 3, kBatch = 2;

int64_t numel(const Shape &s) { return s.c * s.h * s.w; }

bool smallWindow(int64_t kernel, int64_t stride, int64_t dilation,
                 int64_t padding) {
  return kernel <= kMaxWindow && stride <= kMaxWindow &&
         dilation <= kMaxWindow && padding <= kMaxWindow;
}

bool smallDictionary(const Dictionary &dict, const Shape &in) {
  for (const DictBlock &block : dict.blocks)
    for (const ConvAtom &atom : block.chain)
      if (!smallWindow(atom.kernel, atom.stride, atom.dilation, atom.padding) ||
          atom.out * in.h * in.w > kMaxActivation)
        return false;
  return dict.codeChannels() * in.h * in.w <= kMaxActivation;
}

bool withinLimits(const Model &model) {
  if (numel(model.input) > kMaxActivation || model.layers.size() > kMaxLayers ||
      model.totalParameters() > kMaxParameters)
    return false;
  for (const Layer &layer : model.layers) {
    if (numel(layer.in) > kMaxActivation || numel(layer.out) > kMaxActivation ||
        !smallWindow(layer.kernel, layer.stride, layer.dilation, layer.padding) ||
        layer.opts.unfold > kMaxUnfold || layer.dicts.size() > kMaxStackDepth)
      return false;
    if (layer.kind == LayerKind::Pursuit && !smallDictionary(layer.dict, layer.in))
      return false;
    for (const Dictionary &dict : layer.dicts)
      if (!smallDictionary(dict, layer.in))
        return false;
  }
  return true;
}

/// A directory of this process's own for the files the commands read and
/// write, removed at exit (so never destroyed before that).
const std::string &workDir() {
  static const std::string *dir = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cscc-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      std::perror("cscc-fuzz: mkdtemp");
      std::abort();
    }
    std::atexit([] { std::filesystem::remove_all(*dir); });
    return new std::string(pattern);
  }();
  return *dir;
}

/// Runs one command; a failure on an accepted model is a finding.
void mustSucceed(const driver::Options &options, const char *what) {
  if (driver::runCompilerCommand(options) != 0) {
    std::cerr << "cscc-fuzz: '" << what
              << "' failed on a model the front end accepted\n";
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > kMaxSourceBytes)
    return -1;
  const std::string &dir = workDir();
  std::string file = dir + "/model.csc";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(data), size);
  }
  Model model;
  try {
    SourceManager sm;
    model = elaborate(parseFile(sm, file), sm, /*overrides=*/{});
  } catch (const CompileError &) {
    return -1; // the front end's target covers these
  }
  if (!withinLimits(model))
    return -1;

  // Images in [-1, 1), the same for the same input.
  rt::Tensor images(rt::DType::F32,
                    {kImages, model.input.c, model.input.h, model.input.w});
  uint32_t state = static_cast<uint32_t>(size) * 2654435761u + 1;
  float *pixel = images.as<float>();
  for (int64_t i = 0; i < images.numel(); ++i) {
    state = state * 1664525u + 1013904223u;
    pixel[i] = static_cast<float>(state >> 8) / float(1 << 23) - 1.0f;
  }
  rt::writeNpy(dir + "/x.npy", images);

  driver::Options options;
  options.file = file;
  options.emit = driver::EmitKind::Cst;
  options.emitGiven = true;
  options.output = dir + "/model.mlir";
  mustSucceed(options, "cscc --emit=cst");

  options.command = driver::Command::Init;
  options.emitGiven = false;
  options.output = dir + "/w.safetensors";
  mustSucceed(options, "cscc init");

  options.command = driver::Command::Run;
  options.weights = dir + "/w.safetensors";
  options.input = dir + "/x.npy";
  options.batchSize = kBatch;
  options.output = dir + "/y.npy";
  mustSucceed(options, "cscc run");
  return 0;
}
