//===- Init.cpp - deterministic weight initialisation ---------------------===//
#include "cscc/Runtime/Init.h"

#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace cscc::rt {

namespace {
constexpr double kPi = 3.14159265358979323846; // M_PI, without needing POSIX
} // namespace

double Rng::normal() {
  if (hasSpare_) {
    hasSpare_ = false;
    return spare_;
  }
  double u1 = uniform();
  double u2 = uniform();
  double r = std::sqrt(-2.0 * std::log(1.0 - u1));
  double angle = 2.0 * kPi * u2;
  spare_ = r * std::sin(angle);
  hasSpare_ = true;
  return r * std::cos(angle);
}

std::string Rng::state() const {
  std::ostringstream os;
  os << engine_ << ' ' << (hasSpare_ ? 1 : 0) << ' ';
  uint64_t bits;
  std::memcpy(&bits, &spare_, sizeof bits);
  os << bits;
  return os.str();
}

void Rng::setState(const std::string &text) {
  std::istringstream is(text);
  std::mt19937_64 engine;
  int has = 0;
  uint64_t bits = 0;
  if (!(is >> engine >> has >> bits) || (has != 0 && has != 1))
    throw std::invalid_argument("malformed random generator state");
  engine_ = engine;
  hasSpare_ = has == 1;
  std::memcpy(&spare_, &bits, sizeof bits);
}

std::optional<InitKind> initKindFromName(std::string_view name) {
  if (name == "kaiming")
    return InitKind::Kaiming;
  if (name == "authors")
    return InitKind::Authors;
  if (name == "zeros")
    return InitKind::Zeros;
  if (name == "ones")
    return InitKind::Ones;
  return std::nullopt;
}

const char *initKindName(InitKind kind) {
  switch (kind) {
  case InitKind::Kaiming: return "kaiming";
  case InitKind::Authors: return "authors";
  case InitKind::Zeros: return "zeros";
  case InitKind::Ones: return "ones";
  }
  return "?";
}

int64_t fanIn(const std::vector<int64_t> &shape) {
  if (shape.size() < 2)
    throw std::invalid_argument(
        "a fan-in needs a shape of at least 2 dimensions ([out, in, ...]), "
        "not " + shapeString(shape));
  std::vector<int64_t> rest(shape.begin() + 1, shape.end());
  int64_t f = shapeNumel(rest);
  if (f == 0)
    throw std::invalid_argument("shape " + shapeString(shape) +
                                " has a fan-in of 0");
  return f;
}

std::vector<double> initValues(InitKind kind, const std::vector<int64_t> &shape,
                               Rng &rng) {
  size_t n = static_cast<size_t>(shapeNumel(shape));
  std::vector<double> v(n);
  switch (kind) {
  case InitKind::Zeros: break;
  case InitKind::Ones: std::fill(v.begin(), v.end(), 1.0); break;
  case InitKind::Kaiming:
  case InitKind::Authors: {
    double f = static_cast<double>(fanIn(shape));
    double scale = kind == InitKind::Kaiming ? std::sqrt(2.0 / f)
                                             : 0.1 / std::sqrt(f);
    for (double &x : v)
      x = rng.normal() * scale;
    break;
  }
  }
  return v;
}

Tensor initTensor(const std::string &kind, const std::vector<int64_t> &shape,
                  Rng &rng, DType dtype) {
  std::optional<InitKind> k = initKindFromName(kind);
  if (!k)
    throw std::invalid_argument("unknown initialisation '" + kind +
                                "' (known: kaiming, authors, zeros, ones)");
  if (dtype != DType::F32 && dtype != DType::F64)
    throw std::invalid_argument(std::string("initialisation makes F32 or F64 "
                                            "tensors, not ") +
                                dtypeName(dtype));
  std::vector<double> v = initValues(*k, shape, rng);
  if (dtype == DType::F64)
    return Tensor::fromValues(shape, v);
  return Tensor::fromValues(shape, toF32(v.data(), v.size()));
}

} // namespace cscc::rt
