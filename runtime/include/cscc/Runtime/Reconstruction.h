//===- Reconstruction.h - How well each pursuit's code rebuilds its input -*- C++ -*-===//
//
// On data, for every layer-wise pursuit of a model (signal X = the layer's
// input, code G = its output, both from the eval-mode forward pass
// @pursuit_codes, and xi = D G from @dictionary_synthesis_<i>):
//
//   - the code's fraction of zeros;
//   - the relative reconstruction error ||X - D G||_F / ||X||_F over all
//     images together;
//   - the paper's unsuccessfully reconstructed dimensions (Zhang et al.,
//     Definition 1): coordinates j of the signal with |xi_j - X_j| > 2 beta,
//     beta the pursuit's Lasso weight, counted per image (mean, and the
//     largest count of one image).
//
// The threshold b of a code channel is the Lasso weight times the step c
// (docs/language.md: relu(c D^T X - b) = relu(c (D^T X - b / c))), so the
// weight of channel k is b_k / c_k. Definition 1 has one beta; with one
// weight per channel this takes the largest (the loosest test: a
// coordinate fails for every channel's weight). No threshold: beta = 0.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_RECONSTRUCTION_H
#define CSCC_RUNTIME_RECONSTRUCTION_H

#include "cscc/Runtime/Program.h"
#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cscc::rt {

struct ReconstructionStats {
  std::string name;
  int64_t images = 0;
  int64_t signalSize = 0, codeSize = 0; ///< per image
  double zeroFraction = 0;              ///< of the code's elements
  double relativeError = 0;             ///< ||X - D G|| / ||X||, Frobenius
  double beta = 0;                      ///< the Lasso weight (max_k b_k / c_k)
  double unsuccessfulMean = 0;          ///< per image
  int64_t unsuccessfulMax = 0;          ///< the largest count of one image
};

/// The Lasso weight beta of a pursuit's code (the file comment): the
/// largest b_k / c_k over the thresholded channels, entry k of the
/// threshold acting on code channel channels[k] (all in order when
/// `channels` is empty), where a per-channel step is read too. Throws for
/// a step that is not positive.
double lassoWeight(const Tensor *threshold, const Tensor *step,
                   const std::vector<int64_t> &channels);

/// Runs `program`'s @pursuit_codes over `input` ([N, C, H, W], the model's
/// float type) in batches of `batch`, rebuilds every code with its
/// dictionary, and returns one row per entry of `pursuits`.
std::vector<ReconstructionStats>
measureReconstruction(Program &program,
                      const std::vector<PursuitCodes> &pursuits,
                      const std::map<std::string, Tensor> &weights,
                      const Tensor &input, int64_t batch);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_RECONSTRUCTION_H
