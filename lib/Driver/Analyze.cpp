//===- Analyze.cpp - The report of `cscc analyze` -------------------------===//
#include "cscc/Driver/Analyze.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace cscc::driver {

Stability stabilityOf(const DictionaryUse &use,
                      const rt::LipschitzEstimate &estimate) {
  if (use.normalised)
    return Stability::Normalised;
  if (!use.iterated)
    return Stability::FeedForward;
  return estimate.stepMax * estimate.lipschitz < 2 ? Stability::Stable
                                                   : Stability::MayDiverge;
}

const char *stabilityText(Stability stability) {
  switch (stability) {
  case Stability::Stable:
    return "stable (c L < 2)";
  case Stability::MayDiverge:
    return "may diverge (c L >= 2)";
  case Stability::FeedForward:
    return "feed-forward (unfold = 0: no iteration)";
  case Stability::Normalised:
    return "bn = prox (normalised at every step)";
  }
  return "?";
}

const char *stabilityKey(Stability stability) {
  switch (stability) {
  case Stability::Stable:
    return "stable";
  case Stability::MayDiverge:
    return "may_diverge";
  case Stability::FeedForward:
    return "feed_forward";
  case Stability::Normalised:
    return "normalised";
  }
  return "?";
}

rt::AtomGeometry atomGeometry(const Dictionary &dict) {
  rt::AtomGeometry g;
  bool first = true;
  for (const DictBlock &block : dict.blocks) {
    // An identity atom is one pixel; a chain F_n ... F_1 composes: each
    // conv's taps and padding count in the units of the strides before it.
    int64_t extent = 1, padding = 0, stride = 1;
    for (const ConvAtom &a : block.chain) {
      extent += a.dilation * (a.kernel - 1) * stride;
      padding += a.padding * stride;
      stride *= a.stride;
    }
    g.extent = std::max(g.extent, extent);
    g.padding = std::max(g.padding, padding);
    g.stride = first ? stride : std::max(g.stride, stride);
    first = false;
  }
  return g;
}

const Dictionary &dictionaryOf(const Model &model, const DictionaryUse &use) {
  const Layer &l = model.layers.at(use.layer);
  return l.kind == LayerKind::Stack ? l.dicts.at(use.level) : l.dict;
}

namespace {

std::string shapeText(const Shape &s) {
  return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" +
         std::to_string(s.w);
}

/// Rows of cells in columns two spaces apart, each as wide as its widest.
void printAligned(std::ostream &os,
                  const std::vector<std::vector<std::string>> &cells) {
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto &row : cells)
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  for (const auto &row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    os << line << "\n";
  }
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

} // namespace

std::string formatAnalysisTable(const std::string &model,
                                const std::vector<DictionaryReport> &rows,
                                const rt::EigenOptions &options) {
  std::ostringstream os;
  if (rows.empty()) {
    os << "model '" << model
       << "' has no dictionaries (no pursuit or stack layer)\n";
    return os.str();
  }
  bool coherence = rows.front().coherence.has_value();
  std::vector<std::vector<std::string>> cells = {
      {"dictionary", "signal", "code", "lambda_max", "L", "c", "c L",
       "D^T D applied", "residual", "stability"}};
  if (coherence)
    cells[0].insert(cells[0].end(), {"mu", "mu (conv blocks)"});
  for (const DictionaryReport &r : rows) {
    const rt::LipschitzEstimate &e = r.estimate;
    cells.push_back({r.use.name, shapeText(r.use.signal),
                     shapeText(r.use.code), number(e.lambdaMax),
                     number(e.lipschitz), number(e.stepMax),
                     number(e.stepMax * e.lipschitz),
                     std::to_string(e.applications) +
                         (e.converged ? "" : " (not converged)"),
                     number(e.residual),
                     stabilityText(stabilityOf(r.use, e))});
    if (coherence) {
      cells.back().push_back(number(r.coherence->mu));
      cells.back().push_back(r.convCoherence ? number(r.convCoherence->mu)
                                             : "(same)");
    }
  }
  printAligned(os, cells);
  os << "L = 2 lambda_max(D^T D) at each layer's size, on the compiled "
        "D^T D: as a matrix up to "
     << rt::kDenseLimit
     << " unknowns, else by Lanczos iteration (Spectra; Ritz residual below "
     << number(options.tolerance)
     << " lambda_max); residual: ||D^T D v - lambda_max v|| / lambda_max of "
        "its eigenvector; c: the largest step (1 for step = none)\n";
  bool data = std::any_of(rows.begin(), rows.end(), [](const auto &r) {
    return r.data.has_value();
  });
  if (data) {
    std::vector<std::vector<std::string>> dataCells = {
        {"dictionary", "images", "code zeros", "||X - D G|| / ||X||", "beta",
         "unsuccessful (mean, max of signal)"}};
    for (const DictionaryReport &r : rows) {
      if (!r.data) {
        dataCells.push_back({r.use.name, "-", "-", "-", "-",
                             "(a stack level: no code of its own)"});
        continue;
      }
      const rt::ReconstructionStats &d = *r.data;
      char unsuccessful[96];
      std::snprintf(unsuccessful, sizeof unsuccessful, "%.4g, %lld of %lld",
                    d.unsuccessfulMean, (long long)d.unsuccessfulMax,
                    (long long)d.signalSize);
      dataCells.push_back({r.use.name, std::to_string(d.images),
                           number(d.zeroFraction), number(d.relativeError),
                           number(d.beta), unsuccessful});
    }
    os << "\n";
    printAligned(os, dataCells);
    os << "on data: X a pursuit's input, G its code (eval mode: batch norm "
          "with its running statistics); code zeros: the fraction of G that "
          "is 0; beta: the Lasso weight max_k b_k / c_k; unsuccessful: "
          "coordinates of X with |(D G)_j - X_j| > 2 beta per image (the "
          "paper's Definition 1)\n";
  }
  if (coherence)
    os << "mu: the mutual coherence max |<d_a, d_b>| / (||d_a|| ||d_b||) over "
          "distinct atoms at the layer's size, borders included (columns of "
          "the compiled D^T D); mu (conv blocks): the same without the "
          "identity blocks\n";
  return os.str();
}

std::string formatAnalysisJson(const std::string &model,
                               const std::vector<DictionaryReport> &rows,
                               const rt::EigenOptions &options) {
  nlohmann::json dicts = nlohmann::json::array();
  for (const DictionaryReport &r : rows) {
    const rt::LipschitzEstimate &e = r.estimate;
    dicts.push_back({
        {"name", r.use.name},
        {"signal", {r.use.signal.c, r.use.signal.h, r.use.signal.w}},
        {"code", {r.use.code.c, r.use.code.h, r.use.code.w}},
        {"step", r.use.step},
        {"lambda_max", e.lambdaMax},
        {"lipschitz", e.lipschitz},
        {"c", e.stepMax},
        {"c_times_lipschitz", e.stepMax * e.lipschitz},
        {"applications", e.applications},
        {"converged", e.converged},
        {"relative_residual", e.residual},
        {"stability", stabilityKey(stabilityOf(r.use, e))},
    });
    auto coherenceJson = [](const rt::CoherenceResult &c) {
      return nlohmann::json{
          {"mu", c.mu},
          {"atoms", c.atoms},
          {"columns", c.columns},
          {"zero_atoms", c.zeroAtoms},
          {"pair", {{c.a[0], c.a[1], c.a[2]}, {c.b[0], c.b[1], c.b[2]}}}};
    };
    if (r.coherence)
      dicts.back()["coherence"] = coherenceJson(*r.coherence);
    if (r.convCoherence)
      dicts.back()["conv_coherence"] = coherenceJson(*r.convCoherence);
    if (r.data)
      dicts.back()["data"] = {
          {"images", r.data->images},
          {"signal_size", r.data->signalSize},
          {"code_size", r.data->codeSize},
          {"code_zero_fraction", r.data->zeroFraction},
          {"relative_error", r.data->relativeError},
          {"beta", r.data->beta},
          {"unsuccessful_mean", r.data->unsuccessfulMean},
          {"unsuccessful_max", r.data->unsuccessfulMax}};
  }
  nlohmann::json out = {
      {"model", model},
      {"eigensolver",
       {{"dense_limit", rt::kDenseLimit},
        {"lanczos_tolerance", options.tolerance},
        {"max_restarts", options.maxRestarts}}},
      {"dictionaries", dicts}};
  return out.dump(2) + "\n";
}

} // namespace cscc::driver
