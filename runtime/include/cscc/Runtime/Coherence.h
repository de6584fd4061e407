//===- Coherence.h - Mutual coherence of a convolutional dictionary -*- C++ -*-===//
//
// mu(D) = max over distinct atoms a != b of |<d_a, d_b>| / (||d_a|| ||d_b||),
// the atoms being the columns of the dictionary's matrix (one per code
// coordinate), with the image borders taken into account: an atom whose
// support leaves the image is clipped, and its norm and inner products
// change with it. The inner products are the entries of D^T D, and column a
// of D^T D is the compiled D^T D applied to the unit code e_a (the
// dictionary's own lowering, as for the Lipschitz constants).
//
// Not every column is needed: atoms whose supports stay inside the image
// are translates of each other, so their inner products depend only on
// the shift. Columns are computed for every atom within `margin` code
// positions of a border (a superset of the clipped ones) and for one
// atom per channel deep inside (every atom its support meets is
// unclipped); every pair is a translate of a pair with one of those. Small
// codes (or no deep interior) take every column.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_COHERENCE_H
#define CSCC_RUNTIME_COHERENCE_H

#include "cscc/Runtime/Program.h"
#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <map>
#include <string>

namespace cscc::rt {

/// Where a dictionary's atoms reach, along each spatial axis, in the
/// signal: atom i covers rows [stride i - padding, stride i - padding +
/// extent). For several blocks, the largest extent and padding (the stride
/// is the code's, common to the blocks).
struct AtomGeometry {
  int64_t extent = 1, padding = 0, stride = 1;
};

struct CoherenceResult {
  double mu = 0;           ///< max |cos| over distinct atoms
  int64_t atoms = 0;       ///< code coordinates
  int64_t columns = 0;     ///< columns of D^T D computed
  int64_t zeroAtoms = 0;   ///< atoms of norm 0 (left out of the max)
  /// The pair that attains mu: code coordinates (channel, row, column).
  int64_t a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
};

/// The mutual coherence of the dictionary whose D^T D is `gram` (a function
/// of `program`, ProgramInfo::dictionaries) with `weights`.
CoherenceResult mutualCoherence(Program &program, const std::string &gram,
                                const std::map<std::string, Tensor> &weights,
                                const AtomGeometry &geometry);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_COHERENCE_H
