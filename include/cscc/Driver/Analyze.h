//===- Analyze.h - The report of `cscc analyze` ----------------*- C++ -*-===//
//
// One row per dictionary of a model (Model::dictionaryUses order): the
// lambda_max(D^T D) of its compiled operator (runtime Lipschitz.h),
// L = 2 lambda_max, the step c, c L, and what decides the stability of its
// iteration (and, with --coherence, the mutual coherence). Formatting
// only: Commands.cpp compiles and estimates.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_DRIVER_ANALYZE_H
#define CSCC_DRIVER_ANALYZE_H

#include "cscc/Frontend/Model.h"
#include "cscc/Runtime/Coherence.h"
#include "cscc/Runtime/Lipschitz.h"
#include "cscc/Runtime/Reconstruction.h"

#include <optional>
#include <string>
#include <vector>

namespace cscc::driver {

/// What decides whether a dictionary's unfolded iteration
/// G <- P(G + c D^T (X - D G)) stays bounded.
enum class Stability {
  Stable,      ///< it iterates, c L < 2
  MayDiverge,  ///< it iterates, c L >= 2: I - c D^T D can grow the iterate
  FeedForward, ///< unfold = 0: one step P(c D^T X), nothing iterates
  Normalised,  ///< bn = prox: every step's argument is batch-normalised
};
Stability stabilityOf(const DictionaryUse &use,
                      const rt::LipschitzEstimate &estimate);
/// "stable (c L < 2)", "may diverge (c L >= 2)", ...
const char *stabilityText(Stability stability);
/// "stable", "may_diverge", "feed_forward", "normalised" (JSON).
const char *stabilityKey(Stability stability);

struct DictionaryReport {
  DictionaryUse use;
  rt::LipschitzEstimate estimate;
  /// With --coherence: of the whole dictionary, and of its convolutional
  /// blocks alone (absent for a dictionary without identity blocks: the
  /// same).
  std::optional<rt::CoherenceResult> coherence, convCoherence;
  /// With --input: the codes on those images (a layer-wise pursuit's; a
  /// stack level has none).
  std::optional<rt::ReconstructionStats> data;
};

/// Where the atoms of `dict` reach in its signal (Coherence.h): the
/// composed extent, padding and stride of each block's chain, the largest
/// over the blocks.
rt::AtomGeometry atomGeometry(const Dictionary &dict);
/// The dictionary of `use` in `model` (a pursuit's, a stack level's).
const Dictionary &dictionaryOf(const Model &model, const DictionaryUse &use);

/// The aligned table `cscc analyze` prints, with a line on how lambda_max
/// was computed (and on mu, with --coherence).
std::string formatAnalysisTable(const std::string &model,
                                const std::vector<DictionaryReport> &rows,
                                const rt::EigenOptions &options);
/// The same as one JSON object: {"model", "eigensolver",
/// "dictionaries": [...]}.
std::string formatAnalysisJson(const std::string &model,
                               const std::vector<DictionaryReport> &rows,
                               const rt::EigenOptions &options);

/// The same as an SVG figure: one row per dictionary, one panel per
/// quantity (c L against the stability bound 2; with --coherence mu, whole
/// and conv blocks alone; with --input the fraction of the signal left
/// unreconstructed by Definition 1 and ||X - D G|| / ||X||), each a
/// horizontal bar chart on its own scale.
std::string formatAnalysisSvg(const std::string &model,
                              const std::vector<DictionaryReport> &rows);

} // namespace cscc::driver

#endif // CSCC_DRIVER_ANALYZE_H
