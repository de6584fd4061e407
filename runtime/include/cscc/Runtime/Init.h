//===- Init.h - deterministic weight initialisation --------------*- C++ -*-===//
//
// Random numbers: std::mt19937_64 seeded with the given 64-bit seed (its
// output sequence is fixed by the C++ standard), and normals from our own
// Box-Muller transform, so that a seed gives the same weights with any
// standard library (the distributions of <random> are implementation-
// defined). Each pair of engine outputs a, b gives
//   u1 = (a >> 11) * 2^-53,  u2 = (b >> 11) * 2^-53       (both in [0, 1))
//   r  = sqrt(-2 ln(1 - u1))
//   z0 = r cos(2 pi u2),  z1 = r sin(2 pi u2)
// and normal() returns z0, then z1, then draws the next pair. The last bits
// can depend on the C library's log/sin/cos (glibc's are correctly rounded
// in practice).
//
// Kinds (fan_in = prod(shape[1:]), e.g. C*k*k for conv filters [K, C, k, k]
// and `in` for linear weights [out, in]; it needs at least 2 dimensions):
//   "kaiming"  He normal: N(0, 1) * sqrt(2 / fan_in)
//   "authors"  the MSD-CSC authors' code: N(0, 1) * 0.1 / sqrt(fan_in)
//   "zeros", "ones"   constants (they draw nothing from the generator)
// Values are computed in double, element by element in C order, and rounded
// to the tensor's dtype (F32 or F64).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_INIT_H
#define CSCC_RUNTIME_INIT_H

#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace cscc::rt {

class Rng {
public:
  explicit Rng(uint64_t seed = 0) : engine_(seed) {}

  /// 64 raw bits from mt19937_64.
  uint64_t next() { return engine_(); }
  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
  /// Standard normal (Box-Muller as above).
  double normal();

  /// The whole state (engine and the pending second normal) as text, and
  /// back: for checkpoints that resume bit-exactly. setState throws
  /// std::invalid_argument on malformed text.
  std::string state() const;
  void setState(const std::string &text);

private:
  std::mt19937_64 engine_;
  bool hasSpare_ = false;
  double spare_ = 0.0;
};

enum class InitKind { Kaiming, Authors, Zeros, Ones };

/// "kaiming", "authors", "zeros", "ones"; nullopt otherwise.
std::optional<InitKind> initKindFromName(std::string_view name);
const char *initKindName(InitKind kind);

/// prod(shape[1:]); throws std::invalid_argument for fewer than 2 dimensions
/// or a zero fan-in.
int64_t fanIn(const std::vector<int64_t> &shape);

/// The values, in double, C order.
std::vector<double> initValues(InitKind kind, const std::vector<int64_t> &shape,
                               Rng &rng);

/// A tensor of dtype F32 or F64 initialised by `kind` (a name above). Throws
/// std::invalid_argument for an unknown kind (listing the known ones), a
/// shape without a fan-in for kaiming/authors, or another dtype.
Tensor initTensor(const std::string &kind, const std::vector<int64_t> &shape,
                  Rng &rng, DType dtype = DType::F32);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_INIT_H
