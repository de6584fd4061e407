// csc-lower-to-cst on hand-written functions: what it refuses, and the layers
// the .csc test does not reach (linear without bias, f64).
// RUN: csc-opt %s --split-input-file --verify-diagnostics --csc-lower-to-cst | FileCheck %s
// RUN: csc-opt %s --split-input-file --verify-diagnostics --csc-lower-to-cst=mode=train | FileCheck %s --check-prefix=TRAIN

// A linear layer without bias; f64 throughout; no labels and no loss here.
// CHECK-LABEL: func.func @f64(
// CHECK-SAME: %arg0: tensor<?x2x2x2xf64>, %arg1: tensor<3x8xf64> {cst.init = "kaiming", cst.param = "fc.weight"}) -> tensor<?x3x1x1xf64>
// CHECK-NEXT: %[[Y:.*]] = cst.linear %arg0, %arg1 : (tensor<?x2x2x2xf64>, tensor<3x8xf64>) -> tensor<?x3x1x1xf64>
// CHECK-NEXT: return %[[Y]]
// A model without batch norm returns nothing more in train mode.
// TRAIN-LABEL: func.func @f64(
// TRAIN-SAME: -> tensor<?x3x1x1xf64>
func.func @f64(%x: tensor<?x2x2x2xf64>) -> tensor<?x3x1x1xf64> {
  %w = csc.param "fc.weight" {init = "kaiming"} : tensor<3x8xf64>
  %y = csc.linear %x, %w : (tensor<?x2x2x2xf64>, tensor<3x8xf64>) -> tensor<?x3x1x1xf64>
  return %y : tensor<?x3x1x1xf64>
}

// -----

// A declaration is left alone.
// CHECK-LABEL: func.func private @external(tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>
func.func private @external(tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'csc.relu' op needs shapes: run csc-infer-shapes first}}
  %y = csc.relu %x : (tensor<*xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @not_unfolded(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<?x4x8x8xf32> {
  // The first op left over is the dictionary: the pass says which passes
  // lower it, then the conversion fails naming it.
  // expected-error @+2 {{'csc.conv_atom' op cannot be lowered to the tensor level here; run csc-unfold-pursuits and csc-expand-dictionaries first}}
  // expected-error @+1 {{failed to legalize operation 'csc.conv_atom' that was explicitly marked illegal}}
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x1x3x3xf32> -> !csc.dict<1 -> 4>
  %p = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x1x8x8xf32>, !csc.dict<1 -> 4>) -> tensor<?x4x8x8xf32>
  return %p : tensor<?x4x8x8xf32>
}
