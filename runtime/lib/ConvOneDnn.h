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

/// The implementation oneDNN picked for these operands, and the reorders.
std::string implementation(Op op, const TensorView<float> &a,
                           const TensorView<float> &b,
                           const TensorView<float> &out, const ConvParams &p,
                           const std::string &what);

} // namespace cscc::rt::onednn

#endif // CSCC_RUNTIME_LIB_CONVONEDNN_H
