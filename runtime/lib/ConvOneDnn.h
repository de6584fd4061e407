//===- ConvOneDnn.h - the float convolutions through oneDNN (private) -----===//
#ifndef CSCC_RUNTIME_LIB_CONVONEDNN_H
#define CSCC_RUNTIME_LIB_CONVONEDNN_H

#include "cscc/Runtime/Conv.h"

#include <string>

namespace cscc::rt::onednn {

enum class Op { Fwd, BwdData, BwdFilter };

/// Runs one primitive. The operands are in the op's argument order (Fwd: x,
/// w, y; BwdData: dy, w, dx; BwdFilter: x, dy, dw), already checked and
/// non-empty. `what` names the call in error messages.
void run(Op op, const TensorView<float> &a, const TensorView<float> &b,
         const TensorView<float> &out, const ConvParams &p,
         const std::string &what);

/// Runs `opA` on `a`, then `opB` on `b`, as two run() calls would, with
/// an input of the second that is the same view as an input of the first
/// (and that both primitives want in one layout) reordered once. Returns
/// which input of the second was shared, -1 for none.
int runPair(Op opA, const TensorView<float> *a[3], Op opB,
            const TensorView<float> *b[3], const ConvParams &p,
            const std::string &whatA, const std::string &whatB);

/// The implementation oneDNN picked for these operands, and the reorders.
std::string implementation(Op op, const TensorView<float> &a,
                           const TensorView<float> &b,
                           const TensorView<float> &out, const ConvParams &p,
                           const std::string &what);

} // namespace cscc::rt::onednn

#endif // CSCC_RUNTIME_LIB_CONVONEDNN_H
