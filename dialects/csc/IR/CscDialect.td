//===- CscDialect.td - The csc dialect ---------------------*- tablegen -*-===//
//
// The model-level dialect: one op per construct of the cscc language.
//
//===----------------------------------------------------------------------===//
#ifndef CSC_DIALECT
#define CSC_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Csc_Dialect : Dialect {
  let name = "csc";
  let cppNamespace = "::mlir::csc";
  let summary = "Convolutional sparse coding models at the level of the language";
  let description = [{
    A model is a function from a batch of images (NCHW) to logits and a loss.
    Learned tensors are `csc.param` values; dictionaries are values of type
    `!csc.dict<signal -> code>` built from identity and convolution blocks;
    `csc.pursuit` and `csc.stacked_pursuit` are the unfolded ISTA/FISTA
    layers. Activation types are `tensor<*xf32>` as MLIRGen leaves them and
    `tensor<?xCxHxWxf32>` once `csc-infer-shapes` has run.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
}

class Csc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Csc_Dialect, mnemonic, traits>;

#endif // CSC_DIALECT
