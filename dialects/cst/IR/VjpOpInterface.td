//===- VjpOpInterface.td - Vector-Jacobian products --------*- tablegen -*-===//
//
// The one mechanism reverse-mode autodiff uses: every differentiable op
// builds its own vector-Jacobian product from the gradients of its results.
// The autodiff pass (cst-autodiff) knows no op by name.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_VJP_OP_INTERFACE
#define CSCC_VJP_OP_INTERFACE

include "mlir/IR/OpBase.td"

def Cscc_VjpOpInterface : OpInterface<"VjpOpInterface"> {
  let cppNamespace = "::mlir::cst";
  let description = [{
    `buildVjp` emits, at the builder's insertion point (after the whole
    forward pass), the gradients of the op's operands given the gradients
    of its results:

    * `resultGrads` has one entry per result; a null value is a zero
      gradient (for example the running statistics batch norm returns).
    * `wanted[i]` says whether operand i needs a gradient (it depends on a
      parameter); an implementation may skip the work for the others.
    * forward values (operands and results) are read through
      `primals.get(v)`: the autodiff pass either hands back `v` (kept) or
      recomputes it at the insertion point (cheap elementwise values).

    It returns one value per operand: the gradient, or null where the
    operand has none (labels, running statistics, integer indices) or it
    was not wanted.
  }];
  let methods = [
    InterfaceMethod<
      "Builds the operands' gradients from the results' gradients.",
      "::llvm::SmallVector<::mlir::Value>", "buildVjp",
      (ins "::mlir::OpBuilder &":$b, "::mlir::ValueRange":$resultGrads,
           "::llvm::ArrayRef<bool>":$wanted,
           "::mlir::cst::Primals &":$primals)>,
  ];
}

#endif // CSCC_VJP_OP_INTERFACE
