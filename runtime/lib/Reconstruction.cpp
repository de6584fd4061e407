//===- Reconstruction.cpp - How well each pursuit's code rebuilds its input ===//
//
// See Reconstruction.h. The sums are in double whatever the model's float
// type; the forward pass and the synthesis run in the compiled code.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Reconstruction.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace cscc::rt {

double lassoWeight(const Tensor *threshold, const Tensor *step,
                   const std::vector<int64_t> &channels) {
  if (!threshold)
    return 0;
  Tensor b = convertDType(*threshold, DType::F64);
  std::vector<double> c{1.0};
  if (step) {
    Tensor s = convertDType(*step, DType::F64);
    c.assign(s.as<double>(), s.as<double>() + s.numel());
  }
  int64_t k = b.numel();
  if (!channels.empty() && int64_t(channels.size()) != k)
    throw std::runtime_error("internal: a threshold of " + std::to_string(k) +
                             " entries for " + std::to_string(channels.size()) +
                             " channels");
  double beta = 0;
  for (int64_t i = 0; i < k; ++i) {
    int64_t channel = channels.empty() ? i : channels[i];
    if (c.size() != 1 && (channel < 0 || channel >= int64_t(c.size())))
      throw std::runtime_error("internal: channel " + std::to_string(channel) +
                               " of a step of " + std::to_string(c.size()));
    double ci = c.size() == 1 ? c[0] : c[channel];
    if (!(ci > 0))
      throw std::runtime_error(
          "a step c of " + std::to_string(ci) +
          ": the Lasso weight b / c needs c > 0 (was the model trained "
          "with its steps at the common rate? see docs/language.md, "
          "\"Step size\")");
    beta = std::max(beta, std::abs(b.as<double>()[i]) / ci);
  }
  return beta;
}

namespace {

const FunctionInfo &functionNamed(const Program &program,
                                  const std::string &name) {
  for (const FunctionInfo &f : program.info.functions)
    if (f.name == name)
      return f;
  throw std::runtime_error("internal: no compiled function @" + name);
}

/// The arguments of `f`: `input` (batch `n`) as Role::Input, the weights by
/// name.
std::vector<BufferRef> argumentsOf(const FunctionInfo &f, Tensor &input,
                                   const std::map<std::string, Tensor> &weights) {
  std::vector<BufferRef> args;
  for (const TensorInfo &a : f.args) {
    switch (a.role) {
    case Role::Input:
      args.push_back({input.data.data(), input.shape});
      break;
    case Role::Param:
    case Role::State: {
      auto it = weights.find(a.name);
      if (it == weights.end())
        throw std::runtime_error("internal: no weights for '" + a.name +
                                 "' of @" + f.name);
      args.push_back({const_cast<uint8_t *>(it->second.data.data()),
                      it->second.shape});
      break;
    }
    default:
      throw std::runtime_error("internal: @" + f.name + " takes a " +
                               roleName(a.role));
    }
  }
  return args;
}

/// A result buffer of `info`'s shape with the batch `n` filled in.
Tensor resultFor(const TensorInfo &info, int64_t n, DType dt) {
  std::vector<int64_t> shape = info.shape;
  if (!shape.empty() && shape[0] < 0)
    shape[0] = n;
  return Tensor(dt, shape);
}

std::vector<double> asDoubles(const Tensor &t) {
  Tensor d = convertDType(t, DType::F64);
  return std::vector<double>(d.as<double>(), d.as<double>() + d.numel());
}

struct Sums {
  int64_t images = 0, zeros = 0, codeElements = 0, unsuccessful = 0,
          unsuccessfulMax = 0;
  double errorSq = 0, signalSq = 0;
};

} // namespace

std::vector<ReconstructionStats>
measureReconstruction(Program &program,
                      const std::vector<PursuitCodes> &pursuits,
                      const std::map<std::string, Tensor> &weights,
                      const Tensor &input, int64_t batch) {
  if (input.shape.size() != 4 || input.shape[0] < 1)
    throw std::runtime_error("measuring codes needs a batch of images [N, "
                             "C, H, W], got " + shapeString(input.shape));
  const FunctionInfo &codes = functionNamed(program, "pursuit_codes");
  for (const PursuitCodes &pc : pursuits)
    if (std::max(pc.signalResult, pc.codeResult) >= codes.results.size())
      throw std::runtime_error("internal: @pursuit_codes has " +
                               std::to_string(codes.results.size()) +
                               " results, not the signal and code of " +
                               pc.name);
  DType dt = program.info.f64 ? DType::F64 : DType::F32;
  std::vector<ReconstructionStats> rows(pursuits.size());
  std::vector<double> betas(pursuits.size());
  for (size_t p = 0; p < pursuits.size(); ++p) {
    const PursuitCodes &pc = pursuits[p];
    auto find = [&](const std::string &name) -> const Tensor * {
      if (name.empty())
        return nullptr;
      auto it = weights.find(name);
      if (it == weights.end())
        throw std::runtime_error("internal: no weights '" + name + "'");
      return &it->second;
    };
    betas[p] = lassoWeight(find(pc.threshold), find(pc.step),
                           pc.thresholdChannels);
    rows[p].name = pc.name;
    rows[p].beta = betas[p];
  }
  std::vector<Sums> sums(pursuits.size());
  int64_t n = input.shape[0];
  int64_t perImage = shapeNumel(std::vector<int64_t>(input.shape.begin() + 1,
                                                     input.shape.end()));
  size_t bytesPerImage = perImage * dtypeSize(input.dtype);
  for (int64_t start = 0; start < n; start += batch) {
    int64_t m = std::min(batch, n - start);
    std::vector<int64_t> shape = input.shape;
    shape[0] = m;
    Tensor x(input.dtype, shape);
    std::memcpy(x.data.data(), input.data.data() + start * bytesPerImage,
                m * bytesPerImage);
    Tensor xt = convertDType(x, dt);
    std::vector<Tensor> outs;
    for (const TensorInfo &r : codes.results)
      outs.push_back(resultFor(r, m, dt));
    std::vector<BufferRef> resultRefs;
    for (Tensor &t : outs)
      resultRefs.push_back({t.data.data(), t.shape});
    program.functions.at(codes.name)(argumentsOf(codes, xt, weights),
                                     resultRefs);
    for (size_t p = 0; p < pursuits.size(); ++p) {
      Tensor &signal = outs[pursuits[p].signalResult];
      Tensor &code = outs[pursuits[p].codeResult];
      const FunctionInfo &synth = functionNamed(program, pursuits[p].synthesis);
      if (synth.results.size() != 1)
        throw std::runtime_error("internal: @" + synth.name + " has " +
                                 std::to_string(synth.results.size()) +
                                 " results");
      Tensor rebuilt = resultFor(synth.results[0], m, dt);
      if (rebuilt.shape != signal.shape)
        throw std::runtime_error("internal: @" + synth.name + " rebuilds " +
                                 shapeString(rebuilt.shape) + " for a signal " +
                                 shapeString(signal.shape));
      program.functions.at(synth.name)(argumentsOf(synth, code, weights),
                                       {{rebuilt.data.data(), rebuilt.shape}});
      std::vector<double> xs = asDoubles(signal), gs = asDoubles(code),
                          rs = asDoubles(rebuilt);
      Sums &s = sums[p];
      s.images += m;
      s.codeElements += int64_t(gs.size());
      s.zeros += std::count(gs.begin(), gs.end(), 0.0);
      int64_t signalSize = int64_t(xs.size()) / m;
      rows[p].signalSize = signalSize;
      rows[p].codeSize = int64_t(gs.size()) / m;
      for (int64_t i = 0; i < m; ++i) {
        int64_t failed = 0;
        for (int64_t j = i * signalSize; j < (i + 1) * signalSize; ++j) {
          double e = rs[j] - xs[j];
          s.errorSq += e * e;
          s.signalSq += xs[j] * xs[j];
          failed += std::abs(e) > 2 * betas[p];
        }
        s.unsuccessful += failed;
        s.unsuccessfulMax = std::max(s.unsuccessfulMax, failed);
      }
    }
  }
  for (size_t p = 0; p < pursuits.size(); ++p) {
    const Sums &s = sums[p];
    ReconstructionStats &r = rows[p];
    r.images = s.images;
    r.zeroFraction = s.codeElements ? double(s.zeros) / s.codeElements : 0;
    r.relativeError = s.signalSq > 0 ? std::sqrt(s.errorSq / s.signalSq)
                                     : std::sqrt(s.errorSq);
    r.unsuccessfulMean = s.images ? double(s.unsuccessful) / s.images : 0;
    r.unsuccessfulMax = s.unsuccessfulMax;
  }
  return rows;
}

} // namespace cscc::rt
