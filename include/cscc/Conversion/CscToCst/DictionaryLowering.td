//===- DictionaryLowering.td - D^T and D of a dictionary op -*- tablegen -*-===//
//
// How each csc dictionary op emits its analysis D^T and synthesis D in the
// cst dialect. It is part of the csc -> cst conversion, not of the csc
// dialect (an IR library builds no ops of another dialect): the models are
// attached to the csc ops from outside (registerDictionaryLoweringModels).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_CONVERSION_DICTIONARYLOWERING
#define CSCC_CONVERSION_DICTIONARYLOWERING

include "mlir/IR/OpBase.td"

def DictionaryLoweringOpInterface : OpInterface<"DictionaryLowering"> {
  let cppNamespace = "::mlir::cscc";
  let description = [{
    A csc dictionary op that emits its own D^T and D block by block, so
    that `csc-expand-dictionaries` derives both sides of any stack of
    blocks a user writes and a new kind of block is one more model.
  }];
  let methods = [
    InterfaceMethod<
      "Emit D^T x (the analysis side) in the tensor-level dialect for a "
      "ranked signal x.",
      "::mlir::Value", "buildAnalysis",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
           "::mlir::Value":$signal)>,
    InterfaceMethod<
      "Emit D g (the synthesis side, the adjoint of D^T) in the "
      "tensor-level dialect; `signalType` is the type of the signal the "
      "code came from (strided blocks need its size).",
      "::mlir::Value", "buildSynthesis",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
           "::mlir::Value":$code, "::mlir::RankedTensorType":$signalType)>
  ];
}

#endif // CSCC_CONVERSION_DICTIONARYLOWERING
