//===- Coherence.cpp - Mutual coherence of a convolutional dictionary -----===//
#include "cscc/Runtime/Coherence.h"

#include "cscc/Runtime/Lipschitz.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace cscc::rt {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace

CoherenceResult mutualCoherence(Program &program, const std::string &gram,
                                const std::map<std::string, Tensor> &weights,
                                const AtomGeometry &g) {
  const FunctionInfo *fi = program.info.find(gram);
  if (!fi || fi->args.empty() || fi->args[0].shape.size() != 4)
    throw std::runtime_error("internal: no compiled " + gram);
  std::vector<int64_t> shape = fi->args[0].shape;
  shape[0] = 1;
  const int64_t K = shape[1], H = shape[2], W = shape[3];
  const int64_t n = K * H * W;
  CoherenceResult r;
  r.atoms = n;

  // Atoms that overlap are at most `reach` code positions apart; atoms
  // within `margin` of a border may be clipped (a superset: it also covers
  // the padding).
  const int64_t s = std::max<int64_t>(g.stride, 1);
  const int64_t reach = ceilDiv(g.extent, s);
  const int64_t margin = ceilDiv(g.padding + g.extent, s) + 1;
  auto inMargin = [&](int64_t i, int64_t j) {
    return i < margin || i >= H - margin || j < margin || j >= W - margin;
  };
  // One deep atom per channel: every atom within reach is outside the
  // margin. Without one (a small code), every column.
  const int64_t deepLo = margin + reach;
  const bool translates = H - 1 - deepLo >= deepLo && W - 1 - deepLo >= deepLo;
  const int64_t i0 = H / 2, j0 = W / 2;

  std::vector<int64_t> columns; // flat code indices whose columns we take
  for (int64_t k = 0; k < K; ++k)
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < W; ++j)
        if (!translates || inMargin(i, j) || (i == i0 && j == j0))
          columns.push_back((k * H + i) * W + j);

  // The columns, and the norms ||d_a||^2 = G_aa of their atoms; an atom
  // outside the margin has its channel's deep atom's norm.
  // Unit codes in batches of kBatch images: one call of the compiled
  // function per batch (its batch dimension is free). Two passes, so that
  // only one batch of columns is held at a time: the norms (the diagonal),
  // then the cosines.
  constexpr size_t kBatch = 64;
  auto forEachColumn = [&](auto &&visit) {
    for (size_t c0 = 0; c0 < columns.size(); c0 += kBatch) {
      size_t count = std::min(kBatch, columns.size() - c0);
      std::vector<int64_t> batchShape = shape;
      batchShape[0] = static_cast<int64_t>(count);
      std::vector<double> units(count * static_cast<size_t>(n), 0);
      for (size_t c = 0; c < count; ++c)
        units[c * n + columns[c0 + c]] = 1;
      std::vector<double> out =
          applyDictionaryGram(program, *fi, weights, units, batchShape);
      for (size_t c = 0; c < count; ++c)
        visit(columns[c0 + c], out.data() + c * n);
    }
  };
  std::vector<double> norm2(static_cast<size_t>(n), -1);
  forEachColumn([&](int64_t a, const double *col) { norm2[a] = col[a]; });
  r.columns = static_cast<int64_t>(columns.size());
  if (translates)
    for (int64_t k = 0; k < K; ++k) {
      double deep = norm2[(k * H + i0) * W + j0];
      for (int64_t i = 0; i < H; ++i)
        for (int64_t j = 0; j < W; ++j)
          if (!inMargin(i, j))
            norm2[(k * H + i) * W + j] = deep;
    }
  // f32 rounding leaves tiny values where an atom is zero.
  double largest = 0;
  for (double v : norm2)
    largest = std::max(largest, v);
  const double zero = 1e-12 * largest;
  for (double v : norm2)
    r.zeroAtoms += v <= zero;

  auto coords = [&](int64_t flat, int64_t out[3]) {
    out[0] = flat / (H * W);
    out[1] = flat / W % H;
    out[2] = flat % W;
  };
  forEachColumn([&](int64_t a, const double *col) {
    if (norm2[a] <= zero)
      return;
    for (int64_t b = 0; b < n; ++b) {
      if (b == a || norm2[b] <= zero)
        continue;
      double cosine = std::fabs(col[b]) / std::sqrt(norm2[a] * norm2[b]);
      if (cosine > r.mu) {
        r.mu = cosine;
        coords(a, r.a);
        coords(b, r.b);
      }
    }
  });
  return r;
}

} // namespace cscc::rt
