//===- Lipschitz.cpp - Lipschitz constants of a model's dictionaries ------===//
#include "cscc/Runtime/Lipschitz.h"

#include "cscc/Runtime/Init.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace cscc::rt {

const char *stepInitName(StepInit kind) {
  switch (kind) {
  case StepInit::Lipschitz: return "lipschitz";
  case StepInit::Ones: return "ones";
  }
  return "?";
}

StepInit parseStepInit(const std::string &word, const std::string &what) {
  for (StepInit k : {StepInit::Lipschitz, StepInit::Ones})
    if (word == stepInitName(k))
      return k;
  throw std::runtime_error(what + " is '" + word +
                           "'; use lipschitz (c = 1/L, the default) or ones "
                           "(c = 1)");
}

namespace {

double dot(const std::vector<double> &a, const std::vector<double> &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

/// w = D^T D v through the compiled function (in the program's dtype).
std::vector<double> applyGram(Program &program, const FunctionInfo &fi,
                              const std::map<std::string, Tensor> &weights,
                              const std::vector<double> &v,
                              const std::vector<int64_t> &shape) {
  DType dt = program.info.f64 ? DType::F64 : DType::F32;
  Tensor in = convertDType(Tensor::fromValues(shape, v), dt);
  std::vector<BufferRef> args;
  for (const TensorInfo &a : fi.args) {
    switch (a.role) {
    case Role::Input:
      args.push_back({in.data.data(), shape});
      break;
    case Role::Param:
    case Role::State: {
      auto it = weights.find(a.name);
      if (it == weights.end())
        throw std::runtime_error("internal: no weights for '" + a.name +
                                 "' of " + fi.name);
      args.push_back({const_cast<uint8_t *>(it->second.data.data()),
                      it->second.shape});
      break;
    }
    default:
      throw std::runtime_error("internal: " + fi.name + " takes a " +
                               roleName(a.role));
    }
  }
  if (fi.results.size() != 1)
    throw std::runtime_error("internal: " + fi.name + " has " +
                             std::to_string(fi.results.size()) + " results");
  Tensor out(dt, shape);
  program.functions.at(fi.name)(args, {{out.data.data(), shape}});
  Tensor w = convertDType(out, DType::F64);
  const double *p = w.as<double>();
  return std::vector<double>(p, p + w.numel());
}

double stepMaxOf(const std::string &step,
                 const std::map<std::string, Tensor> &weights) {
  if (step.empty())
    return 1;
  auto it = weights.find(step);
  if (it == weights.end())
    throw std::runtime_error("internal: no step '" + step + "'");
  Tensor c = convertDType(it->second, DType::F64);
  const double *p = c.as<double>();
  double m = 0;
  for (int64_t i = 0; i < c.numel(); ++i)
    m = std::max(m, std::fabs(p[i]));
  return m;
}

} // namespace

std::vector<LipschitzEstimate>
estimateLipschitz(Program &program,
                  const std::map<std::string, Tensor> &weights,
                  const PowerIterationOptions &options) {
  std::vector<LipschitzEstimate> out;
  Rng rng(options.seed);
  for (const DictionaryInfo &d : program.info.dictionaries) {
    const FunctionInfo *fi = program.info.find(d.function);
    if (!fi || fi->args.empty() || fi->args[0].shape.size() != 4)
      throw std::runtime_error("internal: no compiled " + d.function);
    std::vector<int64_t> shape = fi->args[0].shape;
    shape[0] = 1;
    std::vector<double> v(static_cast<size_t>(shapeNumel(shape)));
    for (double &x : v)
      x = rng.normal();
    LipschitzEstimate e;
    e.dictionary = d.name;
    e.step = d.step;
    e.stepMax = stepMaxOf(d.step, weights);
    double lambda = 0;
    for (int it = 1; it <= options.maxIterations; ++it) {
      double norm = std::sqrt(dot(v, v));
      if (!(norm > 0))
        break; // D^T D v = 0: a zero dictionary
      for (double &x : v)
        x /= norm;
      std::vector<double> w = applyGram(program, *fi, weights, v, shape);
      double next = dot(v, w); // the Rayleigh quotient of the unit v
      e.iterations = it;
      e.change = next > 0 ? std::fabs(next - lambda) / next : 0;
      lambda = next;
      v = std::move(w);
      if (!std::isfinite(lambda))
        throw std::runtime_error("dictionary '" + d.name +
                                 "': D^T D is not finite (its weights hold "
                                 "Inf or NaN)");
      if (it >= 3 && e.change < options.tolerance)
        break;
    }
    e.lambdaMax = std::max(lambda, 0.0);
    e.lipschitz = 2 * e.lambdaMax;
    out.push_back(e);
  }
  return out;
}

void setStepsFromLipschitz(std::vector<LipschitzEstimate> &estimates,
                           std::map<std::string, Tensor> &weights) {
  for (LipschitzEstimate &e : estimates) {
    if (e.step.empty() || !(e.lipschitz > 0))
      continue;
    e.stepMax = 1 / e.lipschitz;
    Tensor &c = weights.at(e.step);
    std::vector<double> values(static_cast<size_t>(c.numel()), e.stepMax);
    c = convertDType(Tensor::fromValues(c.shape, values), c.dtype);
  }
}

std::vector<std::string>
unstableSteps(const std::vector<LipschitzEstimate> &estimates) {
  std::vector<std::string> lines;
  for (const LipschitzEstimate &e : estimates) {
    double cl = e.stepMax * e.lipschitz;
    if (!(cl >= 2))
      continue;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "dictionary '%s': step c = %.4g and L = 2 lambda_max(D^T D) "
                  "= %.4g, so c L = %.3g >= 2",
                  e.dictionary.c_str(), e.stepMax, e.lipschitz, cl);
    lines.push_back(buf);
  }
  return lines;
}

} // namespace cscc::rt
