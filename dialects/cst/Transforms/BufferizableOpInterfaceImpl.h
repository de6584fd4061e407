//===- BufferizableOpInterfaceImpl.h - Bufferization of cst ----*- C++ -*-===//
#ifndef CSCC_DIALECTS_CST_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define CSCC_DIALECTS_CST_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

#include "mlir/IR/DialectInterface.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"

#include <functional>
#include <string>

namespace mlir {
class DialectRegistry;
namespace cst {

/// The three convolution ops, as their bufferization tells them apart.
enum class ConvolutionKind {
  Forward,        ///< cst.conv
  BackwardData,   ///< cst.conv_transpose
  BackwardFilter, ///< cst.conv_filter_grad
};

/// The external function a convolution of `kind` on `elementType` calls
/// once bufferized, or failure when there is none.
using ConvolutionKernelNaming =
    std::function<FailureOr<std::string>(ConvolutionKind kind,
                                         Type elementType)>;

/// Where the cst dialect keeps the naming it was registered with.
class ConvolutionKernelNamingInterface
    : public DialectInterface::Base<ConvolutionKernelNamingInterface> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ConvolutionKernelNamingInterface)
  ConvolutionKernelNamingInterface(Dialect *dialect,
                                   ConvolutionKernelNaming naming)
      : Base(dialect), naming(std::move(naming)) {}
  FailureOr<std::string> kernelFor(ConvolutionKind kind,
                                   Type elementType) const {
    return naming(kind, elementType);
  }

private:
  ConvolutionKernelNaming naming;
};

/// One-Shot Bufferize support for the three convolution ops: each becomes
/// a call, on its operands' buffers and its destination's (or a new one),
/// of the external function `naming` gives, declared with the C interface
/// (`llvm.emit_c_interface`) and taking fully dynamic strided memrefs:
///   (lhs, rhs, out, stride, dilation, padding : i64)
/// The dialect knows no kernel library: the compiler's target supplies the
/// names (lib/Target), so the ops bufferize the same whatever implements
/// them.
void registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry, ConvolutionKernelNaming naming);

} // namespace cst
} // namespace mlir

#endif
