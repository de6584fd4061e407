// Every diagnostic of cst-code-sparsity, and cst.zero_fraction's verifier.
// RUN: csc-opt %s --split-input-file --cst-code-sparsity --verify-diagnostics
// RUN: not csc-opt %s --split-input-file --cst-code-sparsity=entry=evaluate 2>&1 | FileCheck %s --check-prefix=ENTRY

// ENTRY: error: cst-code-sparsity: no function @evaluate to measure; lower the model with csc-lower-to-cst first

// expected-error @+1 {{cst-code-sparsity: no function @forward to measure; lower the model with csc-lower-to-cst first}}
module {
  func.func @evaluate(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
    return %x : tensor<?x1x4x4xf32>
  }
}

// -----

// expected-error @+1 {{cst-code-sparsity: no function @forward to measure}}
module {
  func.func private @forward(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
}

// -----

func.func @forward(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  // expected-error @+1 {{'cst.threshold' op has a cst.code that is not a string: 3 : i64}}
  %g = cst.threshold %x {cst.code = 3, kind = #cst<threshold relu>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  return %g : tensor<?x1x4x4xf32>
}

// -----

func.func @forward(%x: tensor<?x1x4x4xf32>, %labels: tensor<?xi64>) -> tensor<?xi64> {
  // expected-error @+1 {{'arith.addi' op is tagged cst.code = "labels" but its result is not a ranked float tensor}}
  %l = arith.addi %labels, %labels {cst.code = "labels"} : tensor<?xi64>
  return %l : tensor<?xi64>
}

// -----

func.func @forward(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  %g = cst.threshold %x {cst.code = "g", kind = #cst<threshold relu>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  // expected-error @+1 {{'cst.threshold' op cst-code-sparsity: two codes named 'g' (another op already reports one)}}
  %h = cst.threshold %g {cst.code = "g", kind = #cst<threshold soft>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  return %h : tensor<?x1x4x4xf32>
}

// -----

// Run twice: the names are reported already.
func.func @forward(%x: tensor<?x1x4x4xf32>) -> (tensor<?x1x4x4xf32>, tensor<f32> {cst.sparsity = "g"}) {
  // expected-error @+1 {{'cst.threshold' op cst-code-sparsity: two codes named 'g' (result #1 already reports one)}}
  %g = cst.threshold %x {cst.code = "g", kind = #cst<threshold relu>} : (tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  %z = cst.zero_fraction %g : (tensor<?x1x4x4xf32>) -> tensor<f32>
  return %g, %z : tensor<?x1x4x4xf32>, tensor<f32>
}

// -----

// expected-error @+1 {{cst-code-sparsity: @forward has control flow; expected one block}}
func.func @forward(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  cf.br ^bb1
^bb1:
  return %x : tensor<?x1x4x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// cst.zero_fraction's verifier
//===----------------------------------------------------------------------===//

func.func @not_float(%x: tensor<?x4xi32>) -> tensor<i32> {
  // expected-error @+1 {{'cst.zero_fraction' op expects a float tensor, got 'tensor<?x4xi32>'}}
  %z = cst.zero_fraction %x : (tensor<?x4xi32>) -> tensor<i32>
  return %z : tensor<i32>
}

// -----

func.func @not_scalar(%x: tensor<?x4xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'cst.zero_fraction' op result must be a rank-0 tensor, got 'tensor<1xf32>'}}
  %z = cst.zero_fraction %x : (tensor<?x4xf32>) -> tensor<1xf32>
  return %z : tensor<1xf32>
}

// -----

func.func @other_type(%x: tensor<?x4xf32>) -> tensor<f64> {
  // expected-error @+1 {{'cst.zero_fraction' op result element type 'f64' differs from the input's 'f32'}}
  %z = cst.zero_fraction %x : (tensor<?x4xf32>) -> tensor<f64>
  return %z : tensor<f64>
}
