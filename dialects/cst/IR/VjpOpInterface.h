//===- VjpOpInterface.h - Vector-Jacobian products --------------*- C++ -*-===//
#ifndef CSCC_DIALECTS_CST_IR_VJPOPINTERFACE_H
#define CSCC_DIALECTS_CST_IR_VJPOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir {
class DialectRegistry;
namespace cst {

/// How a VJP reads the forward pass: `get(v)` returns the forward value `v`
/// itself or a recomputed copy placed at the current insertion point. The
/// autodiff pass decides which (see cst-autodiff).
class Primals {
public:
  virtual ~Primals();
  virtual Value get(Value forward) = 0;
};

/// Keeps every forward value (no recomputation): for VJPs built outside the
/// autodiff pass.
class KeptPrimals : public Primals {
public:
  Value get(Value forward) override { return forward; }
};

/// The VJPs of the builtin ops a tensor-level model contains besides cst
/// ops (tensor.insert_slice, tensor.extract_slice, arith.constant).
void registerVjpExternalModels(DialectRegistry &registry);

} // namespace cst
} // namespace mlir

#include "dialects/cst/IR/VjpOpInterface.h.inc"

#endif
