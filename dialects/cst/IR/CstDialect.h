//===- CstDialect.h - The tensor-level dialect ------------------*- C++ -*-===//
#ifndef CSCC_DIALECTS_CST_IR_CSTDIALECT_H
#define CSCC_DIALECTS_CST_IR_CSTDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/cst/IR/VjpOpInterface.h"

namespace mlir::cst {
/// Marks cheap elementwise ops: cst-autodiff recomputes them in the
/// backward pass rather than keeping their values.
template <typename ConcreteType>
class RecomputableTrait
    : public OpTrait::TraitBase<ConcreteType, RecomputableTrait> {};
/// Marks ops whose result shares its operands' storage once bufferized (a
/// channel slice is a view of its input; a concatenation's inputs are
/// produced in place in its buffer): while the result is alive, so are
/// the operands' values.
template <typename ConcreteType>
class StorageViewTrait
    : public OpTrait::TraitBase<ConcreteType, StorageViewTrait> {};
/// What a started replica mean and its wait act on (the processes'
/// communication): they keep their order to each other and to other ops
/// with effects on it, and are never removed or merged.
struct ReplicaResource
    : public SideEffects::Resource::Base<ReplicaResource> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ReplicaResource)
  StringRef getName() final { return "cst.replicas"; }
};
} // namespace mlir::cst

#include "dialects/cst/IR/CstOpsDialect.h.inc"

#include "dialects/cst/IR/CstEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/cst/IR/CstAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/cst/IR/CstOps.h.inc"

namespace mlir::cst {
/// Output size of a convolution or pooling window along one axis, or -1
/// when the window does not fit.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padding);
} // namespace mlir::cst

#endif
