//===- Metrics.cpp - per-epoch metrics log and training curves ------------===//
//
// The curves are hand-written SVG: Debian has no C++ plotting library worth
// depending on for two line charts (the candidates are wrappers around
// gnuplot or matplotlib processes, or large GUI toolkits), and SVG is text
// that every browser shows and that tests can parse as XML.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Metrics.h"

#include "cscc/Runtime/FileIO.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace cscc::rt {

namespace {

using ojson = nlohmann::ordered_json;

ojson number(double v) {
  if (!std::isfinite(v))
    return nullptr;
  return v;
}

double numberOr(const nlohmann::json &j, const char *key, double def) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return def;
  if (!it->is_number())
    throw std::runtime_error(std::string("\"") + key + "\" is " + it->dump() +
                             ", not a number or null");
  return it->get<double>();
}

void makeDirectories(const std::string &dir) {
  size_t at = 0;
  for (;;) {
    at = dir.find('/', at + 1);
    std::string part = dir.substr(0, at);
    if (!part.empty() && part != "/" && ::mkdir(part.c_str(), 0777) != 0) {
      int e = errno;
      struct stat st;
      if (e != EEXIST || ::stat(part.c_str(), &st) != 0 ||
          !S_ISDIR(st.st_mode))
        throw std::runtime_error(
            "cannot create run directory '" + part + "': " +
            (e == EEXIST ? std::string("a file is in the way")
                         : std::string(std::strerror(e))));
    }
    if (at == std::string::npos)
      break;
  }
}

} // namespace

std::string recordToJson(const EpochRecord &r) {
  ojson j;
  j["epoch"] = r.epoch;
  j["step"] = r.step;
  j["lr"] = number(r.lr);
  j["seconds"] = number(r.seconds);
  j["images_per_second"] = number(r.imagesPerSecond);
  j["train_loss"] = number(r.trainLoss);
  j["train_accuracy"] = number(r.trainAccuracy);
  j["val_loss"] = number(r.valLoss);
  j["val_accuracy"] = number(r.valAccuracy);
  j["test_loss"] = number(r.testLoss);
  j["test_accuracy"] = number(r.testAccuracy);
  ojson sp = ojson::object();
  for (const auto &[name, frac] : r.sparsity)
    sp[name] = number(frac);
  j["sparsity"] = std::move(sp);
  if (!r.codes.empty()) {
    ojson codes = ojson::array();
    for (const ReconstructionStats &c : r.codes)
      codes.push_back({{"name", c.name},
                       {"images", c.images},
                       {"signal_size", c.signalSize},
                       {"code_size", c.codeSize},
                       {"code_zero_fraction", number(c.zeroFraction)},
                       {"relative_error", number(c.relativeError)},
                       {"beta", number(c.beta)},
                       {"unsuccessful_mean", number(c.unsuccessfulMean)},
                       {"unsuccessful_max", c.unsuccessfulMax}});
    j["codes"] = std::move(codes);
  }
  return j.dump();
}

EpochRecord recordFromJson(const std::string &line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception &e) {
    throw std::runtime_error(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object())
    throw std::runtime_error("not a JSON object");
  auto ep = j.find("epoch");
  if (ep == j.end() || !ep->is_number_integer())
    throw std::runtime_error("no integer \"epoch\"");
  EpochRecord r;
  r.epoch = ep->get<int64_t>();
  auto st = j.find("step");
  if (st != j.end() && !st->is_null()) {
    if (!st->is_number_integer())
      throw std::runtime_error("\"step\" is " + st->dump() +
                               ", not an integer");
    r.step = st->get<int64_t>();
  }
  r.lr = numberOr(j, "lr", NAN);
  r.seconds = numberOr(j, "seconds", NAN);
  r.imagesPerSecond = numberOr(j, "images_per_second", NAN);
  r.trainLoss = numberOr(j, "train_loss", NAN);
  r.trainAccuracy = numberOr(j, "train_accuracy", NAN);
  r.valLoss = numberOr(j, "val_loss", NAN);
  r.valAccuracy = numberOr(j, "val_accuracy", NAN);
  r.testLoss = numberOr(j, "test_loss", NAN);
  r.testAccuracy = numberOr(j, "test_accuracy", NAN);
  // Keys in file order: parse the object again keeping the order.
  auto sp = j.find("sparsity");
  if (sp != j.end() && !sp->is_null()) {
    if (!sp->is_object())
      throw std::runtime_error("\"sparsity\" is not an object");
    ojson oj = ojson::parse(line);
    for (auto &[name, v] : oj["sparsity"].items()) {
      if (!v.is_null() && !v.is_number())
        throw std::runtime_error("sparsity \"" + name + "\" is " + v.dump() +
                                 ", not a number or null");
      r.sparsity.emplace_back(name, v.is_null() ? NAN : v.get<double>());
    }
  }
  auto codes = j.find("codes");
  if (codes != j.end() && !codes->is_null()) {
    if (!codes->is_array())
      throw std::runtime_error("\"codes\" is not an array");
    for (const nlohmann::json &c : *codes) {
      if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
        throw std::runtime_error("an entry of \"codes\" has no name");
      ReconstructionStats s;
      s.name = c["name"].get<std::string>();
      s.images = c.value("images", int64_t(0));
      s.signalSize = c.value("signal_size", int64_t(0));
      s.codeSize = c.value("code_size", int64_t(0));
      s.zeroFraction = numberOr(c, "code_zero_fraction", NAN);
      s.relativeError = numberOr(c, "relative_error", NAN);
      s.beta = numberOr(c, "beta", NAN);
      s.unsuccessfulMean = numberOr(c, "unsuccessful_mean", NAN);
      s.unsuccessfulMax = c.value("unsuccessful_max", int64_t(0));
      r.codes.push_back(std::move(s));
    }
  }
  return r;
}

std::vector<EpochRecord> readMetricsFile(const std::string &path) {
  std::vector<uint8_t> bytes = readFileBytes(path);
  std::vector<EpochRecord> out;
  size_t at = 0;
  int64_t lineNo = 0;
  while (at < bytes.size()) {
    size_t nl = at;
    while (nl < bytes.size() && bytes[nl] != '\n')
      ++nl;
    bool complete = nl < bytes.size();
    std::string line(bytes.begin() + at, bytes.begin() + nl);
    ++lineNo;
    at = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    try {
      out.push_back(recordFromJson(line));
    } catch (const std::exception &e) {
      if (!complete)
        break; // cut short by a crash while it was written
      throw std::runtime_error("metrics file '" + path + "' line " +
                               std::to_string(lineNo) + ": " + e.what() +
                               "; fix or delete the line");
    }
  }
  return out;
}

MetricsLog::MetricsLog(const std::string &runDir, bool resume,
                       int64_t keepUpTo) {
  makeDirectories(runDir);
  path_ = (runDir.empty() || runDir.back() == '/' ? runDir : runDir + "/") +
          "metrics.jsonl";
  struct stat st;
  bool exists = ::stat(path_.c_str(), &st) == 0;
  std::string kept;
  if (resume && exists) {
    for (EpochRecord &r : readMetricsFile(path_))
      if (r.epoch <= keepUpTo) {
        kept += recordToJson(r) + "\n";
        records_.push_back(std::move(r));
      }
  }
  writeFileAtomic(path_, {{kept.data(), kept.size()}});
  file_ = std::fopen(path_.c_str(), "ab");
  if (!file_)
    throw std::runtime_error("cannot open '" + path_ +
                             "' for appending: " + std::strerror(errno));
}

MetricsLog::~MetricsLog() {
  if (file_)
    std::fclose(file_);
}

void MetricsLog::append(const EpochRecord &r) {
  std::string line = recordToJson(r) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
      std::fflush(file_) != 0)
    throw std::runtime_error("cannot write '" + path_ +
                             "': " + std::strerror(errno));
  records_.push_back(r);
}

//===----------------------------------------------------------------------===//
// Curves
//===----------------------------------------------------------------------===//

namespace {

std::string xmlEscape(const std::string &s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    default:
      // Control characters other than tab/newline are not allowed in XML.
      if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n')
        out += ' ';
      else
        out += ch;
    }
  }
  return out;
}

std::string fmt(const char *f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string px(double v) { return fmt("%.2f", v); }

/// An axis from lo to hi with ticks every `step` (1, 2 or 5 times a power
/// of ten), lo and hi multiples of step covering the data.
struct Axis {
  double lo = 0, hi = 1, step = 1;
  int64_t first = 0, count = 0; ///< ticks at (first + k) * step
  int decimals = 0;

  double tick(int64_t k) const { return static_cast<double>(first + k) * step; }
  std::string label(int64_t k) const {
    double v = tick(k);
    if (std::fabs(v) < step * 1e-9)
      v = 0; // no "-0.0"
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
  }
};

Axis niceAxis(double lo, double hi, bool integer) {
  if (!(hi > lo)) {
    double d = integer ? 1 : (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    lo -= d;
    hi += d;
  }
  double raw = (hi - lo) / 5;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  if (integer)
    step = std::max(1.0, std::round(step));
  Axis a;
  a.step = step;
  a.first = static_cast<int64_t>(std::floor(lo / step + 1e-9));
  int64_t last = static_cast<int64_t>(std::ceil(hi / step - 1e-9));
  if (last <= a.first)
    last = a.first + 1;
  a.count = last - a.first + 1;
  a.lo = static_cast<double>(a.first) * step;
  a.hi = static_cast<double>(last) * step;
  for (a.decimals = 0; a.decimals < 12; ++a.decimals) {
    double scaled = step * std::pow(10.0, a.decimals);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * scaled)
      break;
  }
  return a;
}

struct Series {
  const char *name;  ///< data-series and legend text
  const char *color;
  const char *dash;  ///< stroke-dasharray, "" for solid
  double EpochRecord::*field;
};

// Layout (pixels).
constexpr double kWidth = 960, kHeight = 420, kPanelWidth = 480;
constexpr double kLeft = 72, kRight = 20, kTop = 96, kBottom = 360;

void drawPanel(std::ostringstream &o, double x0, const char *id,
               const char *ylabel, const std::vector<Series> &series,
               const std::vector<EpochRecord> &records) {
  const double left = x0 + kLeft, right = x0 + kPanelWidth - kRight;
  const double top = kTop, bottom = kBottom;

  // Data ranges over the series drawn.
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  std::vector<const Series *> drawn;
  for (const Series &s : series) {
    bool any = false;
    for (const EpochRecord &r : records) {
      double v = r.*(s.field);
      if (!std::isfinite(v))
        continue;
      any = true;
      ymin = std::min(ymin, v);
      ymax = std::max(ymax, v);
      xmin = std::min(xmin, static_cast<double>(r.epoch));
      xmax = std::max(xmax, static_cast<double>(r.epoch));
    }
    if (any)
      drawn.push_back(&s);
  }
  if (drawn.empty()) {
    xmin = 1, xmax = 1, ymin = 0, ymax = 1;
  }
  Axis xa = niceAxis(xmin, xmax, true), ya = niceAxis(ymin, ymax, false);
  auto X = [&](double v) {
    return left + (v - xa.lo) / (xa.hi - xa.lo) * (right - left);
  };
  auto Y = [&](double v) {
    return bottom - (v - ya.lo) / (ya.hi - ya.lo) * (bottom - top);
  };

  o << "<g class=\"panel\" id=\"" << id << "\">\n";
  o << "<text class=\"panel-title\" x=\"" << px((left + right) / 2)
    << "\" y=\"52\" text-anchor=\"middle\" font-size=\"14\" "
       "font-weight=\"bold\">"
    << ylabel << "</text>\n";
  // Grid, then the frame.
  o << "<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n";
  for (int64_t k = 0; k < ya.count; ++k)
    o << "<line x1=\"" << px(left) << "\" y1=\"" << px(Y(ya.tick(k)))
      << "\" x2=\"" << px(right) << "\" y2=\"" << px(Y(ya.tick(k)))
      << "\"/>\n";
  for (int64_t k = 0; k < xa.count; ++k)
    o << "<line x1=\"" << px(X(xa.tick(k))) << "\" y1=\"" << px(top)
      << "\" x2=\"" << px(X(xa.tick(k))) << "\" y2=\"" << px(bottom)
      << "\"/>\n";
  o << "</g>\n";
  o << "<rect class=\"frame\" x=\"" << px(left) << "\" y=\"" << px(top)
    << "\" width=\"" << px(right - left) << "\" height=\""
    << px(bottom - top) << "\" fill=\"none\" stroke=\"#333\"/>\n";
  // Ticks and labels.
  o << "<g class=\"axis x\" stroke=\"#333\">\n";
  for (int64_t k = 0; k < xa.count; ++k) {
    double x = X(xa.tick(k));
    o << "<g class=\"tick x\"><line x1=\"" << px(x) << "\" y1=\""
      << px(bottom) << "\" x2=\"" << px(x) << "\" y2=\"" << px(bottom + 5)
      << "\"/><text x=\"" << px(x) << "\" y=\"" << px(bottom + 20)
      << "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">"
      << xa.label(k) << "</text></g>\n";
  }
  o << "<text class=\"axis-label\" x=\"" << px((left + right) / 2)
    << "\" y=\"" << px(bottom + 42)
    << "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">epoch</text>\n";
  o << "</g>\n";
  o << "<g class=\"axis y\" stroke=\"#333\">\n";
  for (int64_t k = 0; k < ya.count; ++k) {
    double y = Y(ya.tick(k));
    o << "<g class=\"tick y\"><line x1=\"" << px(left - 5) << "\" y1=\""
      << px(y) << "\" x2=\"" << px(left) << "\" y2=\"" << px(y)
      << "\"/><text x=\"" << px(left - 8) << "\" y=\"" << px(y + 4)
      << "\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">"
      << ya.label(k) << "</text></g>\n";
  }
  double ly = (top + bottom) / 2, lx = x0 + 16;
  o << "<text class=\"axis-label\" x=\"" << px(lx) << "\" y=\"" << px(ly)
    << "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\" "
       "transform=\"rotate(-90 "
    << px(lx) << " " << px(ly) << ")\">" << ylabel << "</text>\n";
  o << "</g>\n";

  if (drawn.empty())
    o << "<text class=\"no-data\" x=\"" << px((left + right) / 2) << "\" y=\""
      << px((top + bottom) / 2)
      << "\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n";

  // The lines, with a marker at each point (a single epoch is a point).
  for (const Series *s : drawn) {
    std::string points;
    std::ostringstream markers;
    for (const EpochRecord &r : records) {
      double v = r.*(s->field);
      if (!std::isfinite(v))
        continue;
      std::string xs = px(X(static_cast<double>(r.epoch))), ys = px(Y(v));
      points += (points.empty() ? "" : " ") + xs + "," + ys;
      markers << "<circle cx=\"" << xs << "\" cy=\"" << ys << "\" r=\"3\"/>";
    }
    o << "<polyline class=\"series\" data-series=\"" << s->name
      << "\" fill=\"none\" stroke=\"" << s->color
      << "\" stroke-width=\"2\" stroke-linejoin=\"round\"";
    if (*s->dash)
      o << " stroke-dasharray=\"" << s->dash << "\"";
    o << " points=\"" << points << "\"/>\n";
    o << "<g class=\"markers\" data-series=\"" << s->name << "\" fill=\""
      << s->color << "\">" << markers.str() << "</g>\n";
  }

  // Legend: a row between the panel title and the plot.
  o << "<g class=\"legend\">\n";
  double at = left;
  for (const Series *s : drawn) {
    o << "<g class=\"legend-entry\" data-series=\"" << s->name
      << "\"><line x1=\"" << px(at) << "\" y1=\"74\" x2=\"" << px(at + 24)
      << "\" y2=\"74\" stroke=\"" << s->color << "\" stroke-width=\"2\"";
    if (*s->dash)
      o << " stroke-dasharray=\"" << s->dash << "\"";
    o << "/><text x=\"" << px(at + 30) << "\" y=\"78\" fill=\"#333\">"
      << s->name << "</text></g>\n";
    at += 30 + 7.5 * std::strlen(s->name) + 20;
  }
  o << "</g>\n";
  o << "</g>\n";
}

} // namespace

void writeCurves(const std::string &path,
                 const std::vector<EpochRecord> &records,
                 const std::string &title) {
  // Sorted by epoch so that every line runs left to right.
  std::vector<EpochRecord> sorted = records;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const EpochRecord &a, const EpochRecord &b) {
                     return a.epoch < b.epoch;
                   });
  std::vector<Series> loss = {
      {"train", "#1f77b4", "", &EpochRecord::trainLoss},
      {"validation", "#ff7f0e", "6,4", &EpochRecord::valLoss},
      {"test", "#2ca02c", "2,3", &EpochRecord::testLoss}};
  std::vector<Series> acc = {
      {"train", "#1f77b4", "", &EpochRecord::trainAccuracy},
      {"validation", "#ff7f0e", "6,4", &EpochRecord::valAccuracy},
      {"test", "#2ca02c", "2,3", &EpochRecord::testAccuracy}};

  std::ostringstream o;
  std::string t = xmlEscape(title);
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth
    << "\" height=\"" << kHeight << "\" viewBox=\"0 0 " << kWidth << " "
    << kHeight
    << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
       "font-size=\"12\">\n";
  o << "<title>" << t << "</title>\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text class=\"title\" x=\"" << px(kWidth / 2)
    << "\" y=\"26\" text-anchor=\"middle\" font-size=\"16\">" << t
    << "</text>\n";
  drawPanel(o, 0, "loss", "loss", loss, sorted);
  drawPanel(o, kPanelWidth, "accuracy", "accuracy", acc, sorted);
  o << "</svg>\n";
  std::string text = o.str();
  writeFileAtomic(path, {{text.data(), text.size()}});
}

} // namespace cscc::rt
