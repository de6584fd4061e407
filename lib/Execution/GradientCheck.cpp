//===- GradientCheck.cpp - The train step and its gradient check ----------===//
#include "cscc/Execution/GradientCheck.h"

#include "cscc/Execution/ModelInputs.h"
#include "cscc/Runtime/Init.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace cscc {

void TrainStep::run() {
  std::vector<Buffer> args{{input.data.data(), input.shape},
                           {labels.data.data(), labels.shape}};
  for (size_t i = 0; i < weights.size(); ++i)
    args.push_back({weights[i].data.data(), weights[i].shape});
  std::vector<Buffer> out;
  for (rt::Tensor &r : results)
    out.push_back({r.data.data(), r.shape});
  jit->invoke(args, out);
}

double TrainStep::loss() const {
  const rt::Tensor &l = results[lossIndex];
  return l.dtype == rt::DType::F64 ? l.as<double>()[0] : l.as<float>()[0];
}

std::map<std::string, rt::Tensor> TrainStep::gradients() const {
  std::map<std::string, rt::Tensor> grads;
  for (size_t r = 0; r < sig().results.size(); ++r)
    if (!sig().resultGradOf[r].empty())
      grads[sig().resultGradOf[r]] = results[r];
  return grads;
}

TrainStep prepareTrainStep(mlir::ModuleOp module, const TrainStepInputs &in,
                           bool gpuLoops) {
  TrainStep step;
  step.jit = JitModel::compile(module, "train_step", gpuLoops);
  const ModelSignature &sig = step.sig();
  rt::DType dt = sig.f64 ? rt::DType::F64 : rt::DType::F32;
  // Classes from the logits [N, K, 1, 1]; a tensor-level model may return
  // only its loss (then labels are not range-checked, and random ones 0).
  int64_t classes = 0;
  if (!sig.results.empty() && sig.results[0].size() == 4 &&
      sig.results[0][2] == 1 && sig.results[0][3] == 1)
    classes = sig.results[0][1];

  // Weights: the file, or (for --check) what `cscc init --seed` writes.
  if (!in.weights.empty()) {
    step.weights = loadWeights(in.weights, sig);
  } else {
    rt::Rng rng(in.seed);
    for (const ParamInfo &p : sig.params)
      step.weights.push_back(rt::initTensor(p.init, p.shape, rng, dt));
  }
  if (!in.input.empty()) {
    step.input = loadInput(in.input, sig);
  } else {
    rt::Rng rng(in.seed + 1);
    int64_t n = in.batchSize;
    std::vector<int64_t> shape{n, sig.input[1], sig.input[2], sig.input[3]};
    std::vector<double> v(rt::shapeNumel(shape));
    for (double &x : v)
      x = rng.normal();
    step.input = rt::convertDType(rt::Tensor::fromValues<double>(shape, v), dt);
  }
  int64_t n = step.input.shape[0];
  if (!in.labels.empty()) {
    step.labels = loadLabels(in.labels, n, classes);
  } else {
    if (!in.input.empty())
      throw std::runtime_error("--input needs --labels");
    rt::Rng rng(in.seed + 3);
    std::vector<int64_t> v(n);
    for (int64_t &l : v)
      l = classes > 0 ? static_cast<int64_t>(rng.next() % classes) : 0;
    step.labels = rt::Tensor::fromValues<int64_t>({n}, v);
  }

  bool foundLoss = false;
  for (size_t r = 0; r < sig.results.size(); ++r) {
    std::vector<int64_t> shape = sig.results[r];
    if (!shape.empty() && shape[0] == -1)
      shape[0] = n;
    if (shape.empty() && !foundLoss) { // the first scalar: the loss
      step.lossIndex = r;
      foundLoss = true;
    }
    step.results.emplace_back(dt, shape);
  }
  if (!foundLoss)
    throw std::runtime_error("the train step returns no loss");
  step.run();
  if (!std::isfinite(step.loss()))
    throw std::runtime_error("the loss is " + std::to_string(step.loss()) +
                             " for these weights and inputs; no gradient "
                             "written");

  return step;
}

namespace {

double getAt(const rt::Tensor &t, int64_t i) {
  return t.dtype == rt::DType::F64 ? t.as<double>()[i] : t.as<float>()[i];
}
void setAt(rt::Tensor &t, int64_t i, double v) {
  if (t.dtype == rt::DType::F64)
    t.as<double>()[i] = v;
  else
    t.as<float>()[i] = static_cast<float>(v);
}

} // namespace

/// --check: central differences with steps h and h/2 (Richardson
/// extrapolation cancels the h^2 term). Where the loss bends sharply on
/// [-h, h], a kink of a threshold or max-pool lies within h of the weight:
/// the coordinate is reported as skipped, not compared.
bool finiteDifferenceCheck(TrainStep &step, int64_t coordinates,
                           uint64_t seed, std::ostream &os) {
  const ModelSignature &sig = step.sig();
  bool f64 = sig.f64;
  double h = f64 ? 1e-5 : 1e-2;
  double tolerance = f64 ? 1e-6 : 2e-2;

  // Gradient tensor of each learned parameter.
  std::map<std::string, size_t> gradOf;
  for (size_t r = 0; r < sig.resultGradOf.size(); ++r)
    if (!sig.resultGradOf[r].empty())
      gradOf[sig.resultGradOf[r]] = r;
  std::vector<size_t> learned;
  for (size_t i = 0; i < sig.params.size(); ++i)
    if (!sig.params[i].state)
      learned.push_back(i);
  if (learned.empty())
    throw std::runtime_error("the model has no learned parameters to check");

  // The gradient at the unperturbed weights (the runs below overwrite the
  // result buffers).
  const std::vector<rt::Tensor> gradient = step.results;

  // The finite differences carry the rounding of the loss, ~8 eps |L| /
  // h in absolute terms (the loss is a long sum): the relative error is
  // measured against at least `floor`, where that rounding is `tolerance`.
  double loss0 = step.loss();
  double eps = f64 ? 0x1p-52 : 0x1p-23;
  double atol = 8 * eps * std::max(1.0, std::fabs(loss0)) / (h / 2);
  double floor = atol / tolerance;

  // Round-robin over the tensors, so every kind of parameter is sampled.
  rt::Rng rng(seed + 2);
  struct Row {
    int64_t checked = 0, skipped = 0;
    double maxErr = 0, maxGrad = 0;
  };
  std::vector<Row> rows(learned.size());
  double worst = 0;
  std::string worstWhere;
  for (int64_t k = 0; k < coordinates; ++k) {
    size_t which = static_cast<size_t>(k) % learned.size();
    size_t p = learned[which];
    rt::Tensor &w = step.weights[p];
    int64_t index = static_cast<int64_t>(rng.next() % w.numel());
    double g = getAt(gradient[gradOf.at(sig.params[p].name)], index);
    double w0 = getAt(w, index);
    auto lossWith = [&](double v) {
      setAt(w, index, v);
      step.run();
      return step.loss();
    };
    double lm2 = lossWith(w0 - h), lm1 = lossWith(w0 - h / 2);
    double lp1 = lossWith(w0 + h / 2), lp2 = lossWith(w0 + h);
    setAt(w, index, w0);
    double fd = (4 * (lp1 - lm1) / h - (lp2 - lm2) / (2 * h)) / 3;
    Row &row = rows[which];
    // A kink breaks the smooth pattern of the four one-sided slopes on the
    // grid -h, -h/2, 0, h/2, h: their second differences (third derivative
    // times h^2 when smooth) become of the order of the jump in slope.
    double s1 = (lm1 - lm2) / (h / 2), s2 = (loss0 - lm1) / (h / 2),
           s3 = (lp1 - loss0) / (h / 2), s4 = (lp2 - lp1) / (h / 2);
    double bend = std::max(std::fabs(s1 - 2 * s2 + s3),
                           std::fabs(s2 - 2 * s3 + s4));
    // A kink anywhere in [-h, h] moves the extrapolated difference by at
    // most half the bend (a one-sided slope jump of J at any place on the
    // grid gives a bend of J·r and an error of at most J·r/2). So skip
    // exactly the coordinates where that could exceed the tolerance, and
    // compare the others: the kink test and the tolerance agree (with
    // 1e-3·|g| as the test, kinks of a bend between 2e-6·|g| and 1e-3·|g|
    // were compared and failed at f64's tolerance 1e-6). 16 atol is the
    // rounding of the slopes.
    double scale = std::max({std::fabs(fd), std::fabs(g), floor});
    if (bend > 16 * atol + 2 * tolerance * scale) {
      ++row.skipped;
      continue;
    }
    double err = std::fabs(fd - g) / scale;
    ++row.checked;
    row.maxGrad = std::max(row.maxGrad, std::fabs(g));
    row.maxErr = std::max(row.maxErr, err);
    if (err > worst) {
      worst = err;
      std::ostringstream where;
      where << sig.params[p].name << "[" << index << "]: autodiff " << g
            << ", finite differences " << fd;
      worstWhere = where.str();
    }
  }
  step.run(); // leave the results of the unperturbed weights

  size_t width = 6;
  for (size_t p : learned)
    width = std::max(width, sig.params[p].name.size());
  os << "gradient check: " << coordinates << " coordinates in "
            << learned.size() << " tensors, "
            << (f64 ? "float64" : "float32") << ", steps " << h << " and "
            << h / 2 << " (Richardson), loss " << std::setprecision(17)
            << step.loss() << std::setprecision(3)
            << ", errors relative to max(|fd|, |grad|, " << floor << ")\n";
  os << std::left << std::setw(width + 2) << "tensor" << std::right
            << std::setw(8) << "checked" << std::setw(8) << "kinks"
            << std::setw(13) << "max |grad|" << std::setw(13) << "max error"
            << "\n";
  int64_t checked = 0, skipped = 0;
  for (size_t j = 0; j < learned.size(); ++j) {
    const Row &r = rows[j];
    checked += r.checked;
    skipped += r.skipped;
    os << std::left << std::setw(width + 2)
              << sig.params[learned[j]].name << std::right << std::setw(8)
              << r.checked << std::setw(8) << r.skipped
              << std::setprecision(3) << std::scientific << std::setw(13)
              << r.maxGrad << std::setw(13) << r.maxErr << std::defaultfloat
              << "\n";
  }
  bool ok = worst <= tolerance && skipped * 10 <= coordinates;
  os << "max error " << std::setprecision(3) << std::scientific
            << worst << std::defaultfloat << " (tolerance " << tolerance
            << ")" << (worstWhere.empty() ? "" : " at " + worstWhere) << "\n"
            << checked << " compared, " << skipped
            << " skipped at a kink: " << (ok ? "PASS" : "FAIL") << "\n";
  if (skipped * 10 > coordinates)
    os << "more than a tenth of the coordinates sit at a kink; use a "
                 "smaller model or another --seed\n";
  return ok;
}

} // namespace cscc
