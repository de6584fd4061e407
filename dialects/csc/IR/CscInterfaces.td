//===- CscInterfaces.td - Interfaces of the csc dialect ----*- tablegen -*-===//
#ifndef CSC_INTERFACES
#define CSC_INTERFACES

include "mlir/IR/OpBase.td"

def ShapeInferenceOpInterface : OpInterface<"ShapeInference"> {
  let cppNamespace = "::mlir::csc";
  let description = [{
    An op whose result types follow from its operand types and attributes.
    `csc-infer-shapes` calls `inferShapes` on every such op in program order;
    the op checks that its operands fit (reporting both shapes otherwise) and
    sets its result types.
  }];
  let methods = [
    InterfaceMethod<
      "Set the result types from the operands; emit an error and fail if "
      "the operand shapes do not fit.",
      "::mlir::LogicalResult", "inferShapes">
  ];
}

def DictionaryOpInterface : OpInterface<"DictionaryOp"> {
  let cppNamespace = "::mlir::csc";
  let description = [{
    An op that builds a dictionary. It tells the spatial size of the code
    D^T X for a signal of size h x w, so that shape inference of a pursuit
    follows any stack of blocks a user writes (how it emits its D^T and D
    is part of the csc -> cst conversion: DictionaryLowering).
  }];
  let methods = [
    InterfaceMethod<
      "Spatial size (h, w) of D^T X for a signal of size h x w, or failure "
      "(with an error emitted) when the size does not fit.",
      "::mlir::FailureOr<std::pair<int64_t, int64_t>>", "analysisSize",
      (ins "int64_t":$h, "int64_t":$w)>
  ];
}

#endif // CSC_INTERFACES
