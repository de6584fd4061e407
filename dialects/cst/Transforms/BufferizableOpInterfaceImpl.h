//===- BufferizableOpInterfaceImpl.h - Bufferization of cst ----*- C++ -*-===//
#ifndef CSCC_DIALECTS_CST_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define CSCC_DIALECTS_CST_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"

#include <functional>
#include <optional>
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

/// The data-parallel collectives, as their bufferization tells them
/// apart.
enum class ReplicaCollective {
  Mean,      ///< cst.replica_mean
  Sum,       ///< cst.replica_sum
  MeanStart, ///< cst.replica_mean_start
  MeanWait,  ///< cst.replica_mean_wait
};

/// A library's kernel that runs two convolutions in one call
/// (cst-pair-convolutions): its symbol, and the integer it takes for each
/// kind. Its arguments: the first's kind, its three buffers, the second's
/// kind, its three buffers, then stride, dilation and padding.
struct ConvolutionPairKernel {
  std::string symbol;
  std::function<int64_t(ConvolutionKind kind)> kindCode;
};

/// The external functions the runtime-call ops become once bufferized:
/// each gives the symbol for an op (a convolution of `kind`; a collective)
/// on `elementType`, or failure when the library has none; and the
/// library's paired convolutions, if it has them.
struct KernelNaming {
  std::function<FailureOr<std::string>(ConvolutionKind kind, Type elementType)>
      convolution;
  std::function<FailureOr<std::string>(ReplicaCollective kind,
                                       Type elementType)>
      replica;
  std::function<FailureOr<ConvolutionPairKernel>(Type elementType)>
      convolutionPair;
};

/// Where the cst dialect keeps the naming it was registered with.
class KernelNamingInterface
    : public DialectInterface::Base<KernelNamingInterface> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(KernelNamingInterface)
  KernelNamingInterface(Dialect *dialect, KernelNaming naming)
      : Base(dialect), naming(std::move(naming)) {}
  FailureOr<std::string> convolutionKernel(ConvolutionKind kind,
                                           Type elementType) const {
    return naming.convolution ? naming.convolution(kind, elementType)
                              : FailureOr<std::string>(failure());
  }
  FailureOr<std::string> replicaKernel(ReplicaCollective kind,
                                       Type elementType) const {
    return naming.replica ? naming.replica(kind, elementType)
                          : FailureOr<std::string>(failure());
  }
  FailureOr<ConvolutionPairKernel>
  convolutionPairKernel(Type elementType) const {
    return naming.convolutionPair
               ? naming.convolutionPair(elementType)
               : FailureOr<ConvolutionPairKernel>(failure());
  }

private:
  KernelNaming naming;
};

/// The runtime kernel `name` declared in `op`'s module (once): `inputs`, no
/// results, the C interface, and what it does with each buffer argument
/// (bufferization's "read", "write" or "read-write"; "" for a scalar).
func::FuncOp declareKernel(RewriterBase &rewriter, Operation *op,
                           StringRef name, TypeRange inputs,
                           ArrayRef<StringRef> access);

/// The kind of convolution kernel `fn` is, as its bufferization declared it
/// (none for any other function).
std::optional<ConvolutionKind> convolutionKindOf(func::FuncOp fn);

/// One-Shot Bufferize support for the ops that become runtime calls:
/// - the three convolution ops: each becomes a call, on its operands'
///   buffers and its destination's (or a new one), taking fully dynamic
///   strided memrefs: (lhs, rhs, out, stride, dilation, padding : i64);
/// - cst.replica_mean, cst.replica_sum: a copy of the operand into a new
///   contiguous buffer, then a call that averages or sums it in place over
///   the replicas, taking it as a 1-D memref<?xT>.
/// Each external function is the one `naming` gives, declared with the C
/// interface (`llvm.emit_c_interface`). The dialect knows no kernel
/// library: the compiler's target supplies the names (lib/Target), so the
/// ops bufferize the same whatever implements them.
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry,
                                                   KernelNaming naming);

} // namespace cst
} // namespace mlir

#endif
