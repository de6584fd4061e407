//===- BatchedRun.cpp - A compiled forward pass over many images ----------===//
#include "cscc/Execution/BatchedRun.h"

#include <algorithm>
#include <chrono>
#include <iostream>

namespace cscc {

rt::Tensor runForwardInBatches(JitModel &jit,
                               const std::vector<rt::Tensor> &weights,
                               const rt::Tensor &input, int64_t batchSize,
                               int64_t repeat) {
  const ModelSignature &sig = jit.signature();
  std::vector<int64_t> imageShape(sig.input.begin() + 1, sig.input.end());
  rt::DType dt = input.dtype;

  // The output keeps its shape [N, C, H, W], written as [N, K] for logits
  // (H = W = 1).
  std::vector<int64_t> outShape = sig.results.at(0);
  int64_t n = input.shape[0];
  int64_t perOutput = 1;
  for (size_t i = 1; i < outShape.size(); ++i)
    perOutput *= outShape[i];
  std::vector<int64_t> fileShape{n};
  bool logitsOnly =
      outShape.size() == 4 && outShape[2] == 1 && outShape[3] == 1;
  fileShape.insert(fileShape.end(), outShape.begin() + 1,
                   logitsOnly ? outShape.begin() + 2 : outShape.end());
  int64_t perImage = rt::shapeNumel(imageShape);
  size_t elem = rt::dtypeSize(dt);
  rt::Tensor output(dt, fileShape);
  // The JIT's buffers are mutable; the weights and images are only read.
  auto *images = const_cast<uint8_t *>(input.data.data());
  auto forwardAll = [&] {
    for (int64_t start = 0; start < n; start += batchSize) {
      int64_t b = std::min(batchSize, n - start);
      std::vector<Buffer> args{
          {images + start * perImage * elem,
           {b, imageShape[0], imageShape[1], imageShape[2]}}};
      for (size_t i = 0; i < weights.size(); ++i)
        args.push_back({const_cast<uint8_t *>(weights[i].data.data()),
                        sig.params[i].shape});
      std::vector<int64_t> shape = outShape;
      shape[0] = b;
      std::vector<Buffer> results{
          {output.data.data() + start * perOutput * elem, shape}};
      jit.invoke(args, results);
    }
  };
  forwardAll();
  if (repeat > 0)
    reportRepeatTiming("forward", repeat, n, forwardAll);
  return output;
}

void reportRepeatTiming(const char *what, int64_t repeat, int64_t images,
                        const std::function<void()> &step) {
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < repeat; ++r)
    step();
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - t0)
                  .count() /
              repeat;
  std::cerr << what << ": " << ms << " ms for " << images << " images ("
            << repeat << " repeats)\n";
}

} // namespace cscc
