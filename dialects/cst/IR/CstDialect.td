//===- CstDialect.td - The tensor-level dialect ------------*- tablegen -*-===//
//
// The small closed set of tensor operations every model lowers to:
// convolutions (the three library primitives), channel views, elementwise
// arithmetic, thresholds, batch norm, pooling, linear and the losses.
//
//===----------------------------------------------------------------------===//
#ifndef CST_DIALECT
#define CST_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Cst_Dialect : Dialect {
  let name = "cst";
  let cppNamespace = "::mlir::cst";
  let summary = "Tensor-level operations of convolutional sparse coding";
  let description = [{
    Value-semantics ops on NCHW tensors with a dynamic batch
    (`tensor<?xCxHxWxf32>` or f64), per-channel vectors (`tensor<C>`),
    learned scalars (`tensor<1>`) and scalar losses (`tensor<f32>`).
    The three convolution ops are library calls (oneDNN on the CPU, cuDNN
    on NVIDIA GPUs); everything else becomes generated, fused loops.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Cst_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cst_Dialect, mnemonic, traits>;

#endif // CST_DIALECT
