//===- Passes.td - Passes on the csc dialect ---------------*- tablegen -*-===//
#ifndef CSC_PASSES
#define CSC_PASSES

include "mlir/Pass/PassBase.td"

def CscInferShapes : Pass<"csc-infer-shapes", "::mlir::func::FuncOp"> {
  let summary = "Infer the shapes of every activation of a model";
  let description = [{
    Walks the function in program order and asks every op that implements
    `ShapeInference` to set its result types from its operands (Toy
    chapter 4's mechanism). Shapes that do not fit are errors naming both
    shapes. Finally the function's result types are updated. Fails if an
    activation is left unranked.
  }];
  let constructor = "::mlir::csc::createShapeInferencePass()";
}

#endif // CSC_PASSES
