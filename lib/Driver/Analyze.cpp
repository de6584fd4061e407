//===- Analyze.cpp - The report of `cscc analyze` -------------------------===//
#include "cscc/Driver/Analyze.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
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
                         (!e.converged ? " (not converged)"
                          : e.tolerance > options.tolerance
                              ? " (to " + number(e.tolerance) + ")"
                              : ""),
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
     << " lambda_max; where crowded top eigenvalues keep it from that, "
        "again with 64 vectors to "
     << number(options.fallbackTolerance)
     << ", marked \"(to ...)\"); residual: ||D^T D v - lambda_max v|| / "
        "lambda_max of its eigenvector; c: the largest step (1 for step = "
        "none)\n";
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

namespace {

/// One panel of the figure: a value per row (NaN: no bar), a reference
/// line (NaN: none).
struct Panel {
  std::string title;
  std::vector<double> values, second; ///< second: a thinner bar (or empty)
  std::string secondLabel;
  double reference = NAN;
  std::string referenceLabel;
};

std::string xml(const std::string &s) {
  std::string out;
  for (char c : s)
    switch (c) {
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '&': out += "&amp;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  return out;
}

} // namespace

// The figure is a few rectangles and labels written here: no C++ plotting
// library is packaged for these machines, and the runtime's curves.svg is
// written the same way.
std::string formatAnalysisSvg(const std::string &model,
                              const std::vector<DictionaryReport> &rows) {
  std::vector<Panel> panels;
  Panel cl{"c L (stable below 2)", {}, {}, "", 2.0, "2"};
  for (const DictionaryReport &r : rows)
    cl.values.push_back(r.estimate.stepMax * r.estimate.lipschitz);
  panels.push_back(cl);
  if (std::any_of(rows.begin(), rows.end(),
                  [](const auto &r) { return r.coherence.has_value(); })) {
    Panel mu{"mutual coherence mu", {}, {}, "conv blocks alone", NAN, ""};
    for (const DictionaryReport &r : rows) {
      mu.values.push_back(r.coherence ? r.coherence->mu : NAN);
      mu.second.push_back(r.convCoherence ? r.convCoherence->mu : NAN);
    }
    panels.push_back(mu);
  }
  if (std::any_of(rows.begin(), rows.end(),
                  [](const auto &r) { return r.data.has_value(); })) {
    Panel un{"unreconstructed fraction (Def. 1)", {}, {}, "", NAN, ""};
    Panel err{"||X - D G|| / ||X||", {}, {}, "", 1.0, "1"};
    for (const DictionaryReport &r : rows) {
      un.values.push_back(r.data && r.data->signalSize
                              ? r.data->unsuccessfulMean / r.data->signalSize
                              : NAN);
      err.values.push_back(r.data ? r.data->relativeError : NAN);
    }
    panels.push_back(un);
    panels.push_back(err);
  }
  const double labelW = 150, panelW = 240, rowH = 20, top = 70, gap = 30;
  const double width = labelW + panels.size() * (panelW + gap) + 10;
  const double height = top + rows.size() * rowH + 40;
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
    << "\" height=\"" << height
    << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
       "font-size=\"12\">\n"
    << "<title>" << xml(model) << ": dictionaries</title>\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"10\" y=\"24\" font-size=\"16\">" << xml(model)
    << ": cscc analyze</text>\n";
  for (size_t i = 0; i < rows.size(); ++i)
    o << "<text x=\"" << labelW - 8 << "\" y=\"" << top + i * rowH + 14
      << "\" text-anchor=\"end\">" << xml(rows[i].use.name) << "</text>\n";
  for (size_t p = 0; p < panels.size(); ++p) {
    const Panel &pl = panels[p];
    double x0 = labelW + p * (panelW + gap);
    double maxV = std::isfinite(pl.reference) ? pl.reference : 0;
    for (const auto *vs : {&pl.values, &pl.second})
      for (double v : *vs)
        if (std::isfinite(v))
          maxV = std::max(maxV, v);
    if (!(maxV > 0))
      maxV = 1;
    auto X = [&](double v) { return x0 + panelW * std::max(v, 0.0) / maxV; };
    o << "<g class=\"panel\" data-panel=\"" << xml(pl.title) << "\">\n"
      << "<text x=\"" << x0 << "\" y=\"" << top - 30 << "\" font-size=\"13\">"
      << xml(pl.title) << "</text>\n"
      << "<line x1=\"" << x0 << "\" y1=\"" << top - 4 << "\" x2=\"" << x0
      << "\" y2=\"" << top + rows.size() * rowH << "\" stroke=\"#333\"/>\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      double y = top + i * rowH;
      double v = pl.values[i];
      if (std::isfinite(v)) {
        bool over = std::isfinite(pl.reference) && v >= pl.reference;
        o << "<rect class=\"bar\" x=\"" << x0 << "\" y=\"" << y + 3
          << "\" width=\"" << std::setprecision(10) << X(v) - x0
          << std::setprecision(6) << "\" height=\"" << rowH - 6
          << "\" fill=\"" << (over ? "#d62728" : "#1f77b4") << "\"/>"
          << "<text class=\"value\" x=\"" << X(v) + 4 << "\" y=\"" << y + 14
          << "\" font-size=\"10\">" << number(v) << "</text>\n";
      } else {
        o << "<text x=\"" << x0 + 4 << "\" y=\"" << y + 14
          << "\" font-size=\"10\" fill=\"#888\">-</text>\n";
      }
      if (i < pl.second.size() && std::isfinite(pl.second[i]))
        o << "<rect class=\"bar second\" x=\"" << x0 << "\" y=\""
          << y + rowH / 2 - 1 << "\" width=\"" << X(pl.second[i]) - x0
          << "\" height=\"3\" fill=\"#ff7f0e\"/>\n";
    }
    if (std::isfinite(pl.reference))
      o << "<line x1=\"" << X(pl.reference) << "\" y1=\"" << top - 4
        << "\" x2=\"" << X(pl.reference) << "\" y2=\""
        << top + rows.size() * rowH << "\" stroke=\"#333\" "
           "stroke-dasharray=\"4,3\"/><text x=\""
        << X(pl.reference) << "\" y=\"" << top - 8
        << "\" text-anchor=\"middle\" font-size=\"10\">"
        << xml(pl.referenceLabel) << "</text>\n";
    if (!pl.secondLabel.empty())
      o << "<text x=\"" << x0 << "\" y=\"" << top - 14
        << "\" font-size=\"10\" fill=\"#ff7f0e\">thin: "
        << xml(pl.secondLabel) << "</text>\n";
    o << "<text x=\"" << x0 << "\" y=\"" << top + rows.size() * rowH + 16
      << "\" font-size=\"10\" fill=\"#555\">0</text><text x=\""
      << x0 + panelW << "\" y=\"" << top + rows.size() * rowH + 16
      << "\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">"
      << number(maxV) << "</text>\n</g>\n";
  }
  o << "</svg>\n";
  return o.str();
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
        {"tolerance", e.tolerance},
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
        {"fallback_tolerance", options.fallbackTolerance},
        {"max_restarts", options.maxRestarts}}},
      {"dictionaries", dicts}};
  return out.dump(2) + "\n";
}

} // namespace cscc::driver
