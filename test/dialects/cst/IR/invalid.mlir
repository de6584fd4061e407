// Every verifier of the cst dialect (dialects/cst/IR/CstOps.cpp) and its ODS
// constraints reject what they must, with their message.
// RUN: csc-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Shared checks: element types, square filters, windows
//===----------------------------------------------------------------------===//

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf64>) {
  // expected-error @+1 {{'cst.conv' op mixes element types 'f32' and 'f64'}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf64>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // The result's element type counts too.
  // expected-error @+1 {{'cst.conv' op mixes element types 'f32' and 'f64'}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf64>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x5xf32>) {
  // expected-error @+1 {{'cst.conv' op expects a square filter, got 3x5}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x5xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x3x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv' op input has 3 channels but the filter [8x4x3x3] expects 4}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x3x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv' op result [?x6x8x8] must have the input's batch and 8 channels}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x6x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // Two static batches that differ.
  // expected-error @+1 {{'cst.conv' op result [3x8x8x8] must have the input's batch and 8 channels}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<2x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<3x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x4x4xf32>, %w: tensor<8x4x3x3xf32>) {
  // The dilated window spans 2*(3-1)+1 = 5 > 4 pixels.
  // expected-error @+1 {{'cst.conv' op a 3x3 window with dilation 2 and padding 0 does not fit the input of size 4x4}}
  %y = cst.conv %x, %w {dilation = 2 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x4x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x9xf32>, %w: tensor<8x4x3x3xf32>) {
  // (8 + 2 - 3) / 2 + 1 = 4, (9 + 2 - 3) / 2 + 1 = 5.
  // expected-error @+1 {{'cst.conv' op result [?x8x8x8] does not match: the input 8x9 gives 4x5}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x8x9xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // Only the width is wrong.
  // expected-error @+1 {{'cst.conv' op result [?x8x8x7] does not match: the input 8x8 gives 8x8}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x7xf32>
  return
}

//===----------------------------------------------------------------------===//
// ODS constraints of the convolutions
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv' op attribute 'padding' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = -1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv' op attribute 'stride' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 1}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 0 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv_transpose' op attribute 'dilation' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 1}}
  %y = cst.conv_transpose %x, %w {dilation = 0 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv' op operand #0 must be 4D tensor of 32-bit float or 64-bit float values, but got 'tensor<4x8x8xf32>'}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf16>, %w: tensor<8x4x3x3xf16>) {
  // expected-error @+1 {{'cst.conv' op operand #0 must be 4D tensor of 32-bit float or 64-bit float values, but got 'tensor<?x4x8x8xf16>'}}
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf16>, tensor<8x4x3x3xf16>) -> tensor<?x8x8x8xf16>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv_filter_grad' op result #0 must be 4D tensor of 32-bit float or 64-bit float values, but got 'tensor<8x36xf32>'}}
  %y = cst.conv_filter_grad %x, %x {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<8x36xf32>
  return
}

//===----------------------------------------------------------------------===//
// cst.conv_transpose
//===----------------------------------------------------------------------===//

// -----

func.func @f(%g: tensor<?x8x8x8xf64>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv_transpose' op mixes element types 'f64' and 'f32'}}
  %y = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x8x8x8xf64>, tensor<8x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%g: tensor<?x8x8x8xf32>, %w: tensor<8x4x1x3xf32>) {
  // expected-error @+1 {{'cst.conv_transpose' op expects a square filter, got 1x3}}
  %y = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x1x3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%g: tensor<?x6x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv_transpose' op code has 6 channels but the filter [8x4x3x3] produces 8}}
  %y = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x6x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%g: tensor<?x8x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv_transpose' op result [?x5x8x8] must have the code's batch and 4 channels}}
  %y = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x5x8x8xf32>
  return
}

// -----

func.func @f(%g: tensor<2x8x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'cst.conv_transpose' op result [4x4x8x8] must have the code's batch and 4 channels}}
  %y = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<2x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<4x4x8x8xf32>
  return
}

// -----

func.func @f(%g: tensor<?x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) {
  // With stride 2 and padding 1 the sizes 7 and 8 map to 4, 9 does not.
  // expected-error @+1 {{'cst.conv_transpose' op result [?x4x9x8] is not a size the convolution maps to the code [?x8x4x4]}}
  %y = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x9x8xf32>
  return
}

// -----

func.func @f(%g: tensor<?x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) {
  // A result too small for the window at all.
  // expected-error @+1 {{'cst.conv_transpose' op result [?x4x8x1] is not a size the convolution maps to the code [?x8x4x4]}}
  %y = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x8x1xf32>
  return
}

//===----------------------------------------------------------------------===//
// cst.conv_filter_grad
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x8x8x8xf32>) {
  // expected-error @+1 {{'cst.conv_filter_grad' op mixes element types 'f32' and 'f64'}}
  %w = cst.conv_filter_grad %x, %dy {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf64>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x8x8x8xf32>) {
  // expected-error @+1 {{'cst.conv_filter_grad' op expects a square filter, got 3x1}}
  %w = cst.conv_filter_grad %x, %dy {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x8x8x8xf32>) {
  // Input channels differ.
  // expected-error @+1 {{'cst.conv_filter_grad' op filter [8x3x3x3] does not connect input [?x4x8x8] and gradient [?x8x8x8]}}
  %w = cst.conv_filter_grad %x, %dy {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<8x3x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x8x8x8xf32>) {
  // Output channels differ.
  // expected-error @+1 {{'cst.conv_filter_grad' op filter [6x4x3x3] does not connect input [?x4x8x8] and gradient [?x8x8x8]}}
  %w = cst.conv_filter_grad %x, %dy {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x8x8xf32>, %dy: tensor<3x8x8x8xf32>) {
  // Batches differ.
  // expected-error @+1 {{'cst.conv_filter_grad' op filter [8x4x3x3] does not connect input [2x4x8x8] and gradient [3x8x8x8]}}
  %w = cst.conv_filter_grad %x, %dy {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<2x4x8x8xf32>, tensor<3x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x8x8x8xf32>) {
  // Without padding an 8x8 input gives 6x6.
  // expected-error @+1 {{'cst.conv_filter_grad' op gradient [?x8x8x8] is not the convolution's output size for input [?x4x8x8]}}
  %w = cst.conv_filter_grad %x, %dy {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Channel views
//===----------------------------------------------------------------------===//

// -----

func.func @f() {
  // expected-error @+1 {{'cst.concat' op needs at least one input}}
  %c = cst.concat : () -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %b: tensor<?x4x8x8xf64>) {
  // expected-error @+1 {{'cst.concat' op mixes element types 'f32' and 'f64'}}
  %c = cst.concat %a, %b : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf64>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %b: tensor<?x4x8x4xf32>) {
  // expected-error @+1 {{'cst.concat' op input [?x4x8x4] does not match the result's batch and size [?x8x8x8]}}
  %c = cst.concat %a, %b : (tensor<?x4x8x8xf32>, tensor<?x4x8x4xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x8x8xf32>, %b: tensor<3x4x8x8xf32>) {
  // expected-error @+1 {{'cst.concat' op input [3x4x8x8] does not match the result's batch and size [2x8x8x8]}}
  %c = cst.concat %a, %b : (tensor<2x4x8x8xf32>, tensor<3x4x8x8xf32>) -> tensor<2x8x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %b: tensor<?x6x8x8xf32>) {
  // expected-error @+1 {{'cst.concat' op inputs have 10 channels in all, the result 12}}
  %c = cst.concat %a, %b : (tensor<?x4x8x8xf32>, tensor<?x6x8x8xf32>) -> tensor<?x12x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.slice' op mixes element types 'f32' and 'f64'}}
  %s = cst.slice %a[0] : (tensor<?x4x8x8xf32>) -> tensor<?x2x8x8xf64>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.slice' op result [?x2x4x8] must keep the batch and size of [?x4x8x8]}}
  %s = cst.slice %a[0] : (tensor<?x4x8x8xf32>) -> tensor<?x2x4x8xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x8x8xf32>) {
  // expected-error @+1 {{'cst.slice' op result [3x2x8x8] must keep the batch and size of [2x4x8x8]}}
  %s = cst.slice %a[0] : (tensor<2x4x8x8xf32>) -> tensor<3x2x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.slice' op channels [3, 5) are outside the input's 4}}
  %s = cst.slice %a[3] : (tensor<?x4x8x8xf32>) -> tensor<?x2x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.slice' op attribute 'offset' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %s = cst.slice %a[-1] : (tensor<?x4x8x8xf32>) -> tensor<?x2x8x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

// -----

func.func @f(%a: tensor<?x4x8x8xi32>) {
  // expected-error @+1 {{'cst.axpby' op expects float tensors}}
  %s = cst.axpby %a, %a {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x4x8x8xi32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %b: tensor<?x4x8x4xf32>) {
  // expected-error @+1 {{'cst.axpby' op requires the same type for all operands and results}}
  %s = "cst.axpby"(%a, %b) {alpha = 1.0 : f64, beta = 1.0 : f64} : (tensor<?x4x8x8xf32>, tensor<?x4x8x4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.axpby' op attribute 'alpha' failed to satisfy constraint: 64-bit float attribute}}
  %s = cst.axpby %a, %a {alpha = 1.0 : f32, beta = 1.0 : f64} : tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %c: tensor<4xf64>) {
  // expected-error @+1 {{'cst.scale' op mixes element types 'f32' and 'f64'}}
  %s = cst.scale %a, %c : (tensor<?x4x8x8xf32>, tensor<4xf64>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %c: tensor<1xf32>) {
  // expected-error @+1 {{'cst.scale' op result type must equal the input type}}
  %s = cst.scale %a, %c : (tensor<?x4x8x8xf32>, tensor<1xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{'cst.scale' op factor has 3 entries, expected 4 (one per channel) or 1 for 4 channels}}
  %s = cst.scale %a, %c : (tensor<?x4x8x8xf32>, tensor<3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %c: tensor<1x4xf32>) {
  // expected-error @+1 {{'cst.scale' op operand #1 must be 1D tensor of 32-bit float or 64-bit float values, but got 'tensor<1x4xf32>'}}
  %s = cst.scale %a, %c : (tensor<?x4x8x8xf32>, tensor<1x4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %c: tensor<4xf64>) {
  // expected-error @+1 {{'cst.bias_add' op mixes element types 'f32' and 'f64'}}
  %s = cst.bias_add %a, %c : (tensor<?x4x8x8xf32>, tensor<4xf64>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'cst.bias_add' op result type must equal the input type}}
  %s = cst.bias_add %a, %c : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x4xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %c: tensor<1xf32>) {
  // A bias is per channel: one entry is not enough (unlike a step).
  // expected-error @+1 {{'cst.bias_add' op bias has 1 entries, expected 4 for 4 channels}}
  %s = cst.bias_add %a, %c : (tensor<?x4x8x8xf32>, tensor<1xf32>) -> tensor<?x4x8x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Thresholds
//===----------------------------------------------------------------------===//

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'cst.threshold' op mixes element types 'f32' and 'f64'}}
  %s = cst.threshold %a, %b {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>, tensor<4xf64>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.threshold' op result type must equal the input type}}
  %s = cst.threshold %a {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>) -> tensor<?x5x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'cst.threshold' op threshold has 5 entries, expected 4 for 4 channels}}
  %s = cst.threshold %a, %b {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>, tensor<5xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // A kind is an enum attribute, not a string.
  // expected-error @+1 {{'cst.threshold' op attribute 'kind' failed to satisfy constraint: proximal map}}
  %s = cst.threshold %a {kind = "soft"} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+2 {{expected ::mlir::cst::ThresholdKind to be one of: relu, soft, hard}}
  // expected-error @+1 {{failed to parse Cst_ThresholdKindAttr parameter 'value'}}
  %s = cst.threshold %a {kind = #cst<threshold firm>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+2 {{expected ::mlir::cst::ThresholdKind to be one of: relu, soft, hard}}
  // expected-error @+1 {{failed to parse Cst_ThresholdKindAttr parameter 'value'}}
  %s = cst.threshold_mask %a {kind = #cst<threshold Relu>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.threshold_mask' op mask type must equal the input type}}
  %s = cst.threshold_mask %a {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf64>
  return
}

//===----------------------------------------------------------------------===//
// Batch normalisation
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>, %d: tensor<4xf64>) {
  // expected-error @+1 {{'cst.batch_norm_eval' op mixes element types 'f32' and 'f64'}}
  %y = cst.batch_norm_eval %x, %v, %v, %d, %v {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf64>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'cst.batch_norm_eval' op result type must equal the input type}}
  %y = cst.batch_norm_eval %x, %v, %v, %v, %v {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>, %u: tensor<3xf32>) {
  // expected-error @+1 {{'cst.batch_norm_eval' op weight has 3 entries, expected 4 for 4 channels}}
  %y = cst.batch_norm_eval %x, %u, %v, %v, %v {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>, %u: tensor<3xf32>) {
  // expected-error @+1 {{'cst.batch_norm_eval' op bias has 3 entries, expected 4 for 4 channels}}
  %y = cst.batch_norm_eval %x, %v, %u, %v, %v {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>, %u: tensor<1xf32>) {
  // expected-error @+1 {{'cst.batch_norm_eval' op running_mean has 1 entries, expected 4 for 4 channels}}
  %y = cst.batch_norm_eval %x, %v, %v, %u, %v {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>, %u: tensor<8xf32>) {
  // expected-error @+1 {{'cst.batch_norm_eval' op running_var has 8 entries, expected 4 for 4 channels}}
  %y = cst.batch_norm_eval %x, %v, %v, %v, %u {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'cst.batch_norm_eval' op requires attribute 'eps'}}
  %y = cst.batch_norm_eval %x, %v, %v, %v, %v : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'cst.batch_norm_train' op result type must equal the input type}}
  %y:5 = cst.batch_norm_train %x, %v, %v, %v, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>, %u: tensor<2xf32>) {
  // expected-error @+1 {{'cst.batch_norm_train' op running_var has 2 entries, expected 4 for 4 channels}}
  %y:5 = cst.batch_norm_train %x, %v, %v, %v, %u {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>) {
  // The batch inverse standard deviation (the last result) has the wrong size.
  // expected-error @+1 {{'cst.batch_norm_train' op statistics result has 5 entries, expected 4 for 4 channels}}
  %y:5 = cst.batch_norm_train %x, %v, %v, %v, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xf32>)
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'cst.batch_norm_train' op mixes element types 'f32' and 'f64'}}
  %y:5 = cst.batch_norm_train %x, %v, %v, %v, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf64>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'cst.batch_norm_train' op requires attribute 'momentum'}}
  %y:5 = cst.batch_norm_train %x, %v, %v, %v, %v {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.max_pool' op mixes element types 'f32' and 'f64'}}
  %y = cst.max_pool %x {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf64>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.max_pool' op result [?x8x4x4] must keep the batch and channels of [?x4x8x8]}}
  %y = cst.max_pool %x {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x8x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x8x8xf32>) {
  // expected-error @+1 {{'cst.avg_pool' op result [1x4x4x4] must keep the batch and channels of [2x4x8x8]}}
  %y = cst.avg_pool %x {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<2x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.max_pool' op padding 2 is more than half the window 3}}
  %y = cst.max_pool %x {kernel = 3 : i64, padding = 2 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x10x10xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.avg_pool' op padding 2 is more than half the window 3}}
  %y = cst.avg_pool %x {kernel = 3 : i64, padding = 2 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x10x10xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>) {
  // expected-error @+1 {{'cst.max_pool' op a 3x3 window with dilation 1 and padding 0 does not fit the input of size 2x2}}
  %y = cst.max_pool %x {kernel = 3 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x4x2x2xf32>) -> tensor<?x4x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x9x9xf32>) {
  // floor((9 - 2) / 2) + 1 = 4: pooling rounds down.
  // expected-error @+1 {{'cst.avg_pool' op result [?x4x5x5] does not match: the input 9x9 gives 4x4}}
  %y = cst.avg_pool %x {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x9x9xf32>) -> tensor<?x4x5x5xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.max_pool' op attribute 'kernel' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 1}}
  %y = cst.max_pool %x {kernel = 0 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.avg_pool' op attribute 'padding' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %y = cst.avg_pool %x {kernel = 2 : i64, padding = -1 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.global_avg_pool' op mixes element types 'f32' and 'f64'}}
  %y = cst.global_avg_pool %x : (tensor<?x4x8x8xf32>) -> tensor<?x4x1x1xf64>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.global_avg_pool' op result must be [N, 4, 1, 1], got [?x4x2x2]}}
  %y = cst.global_avg_pool %x : (tensor<?x4x8x8xf32>) -> tensor<?x4x2x2xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.global_avg_pool' op result must be [N, 4, 1, 1], got [?x3x1x1]}}
  %y = cst.global_avg_pool %x : (tensor<?x4x8x8xf32>) -> tensor<?x3x1x1xf32>
  return
}

//===----------------------------------------------------------------------===//
// Linear, shortcut
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<?x4x2x2xf32>, %w: tensor<10x16xf64>) {
  // expected-error @+1 {{'cst.linear' op mixes element types 'f32' and 'f64'}}
  %y = cst.linear %x, %w : (tensor<?x4x2x2xf32>, tensor<10x16xf64>) -> tensor<?x10x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>, %w: tensor<10x4xf32>) {
  // The weight must read the flattened C*H*W = 16 features.
  // expected-error @+1 {{'cst.linear' op weight [10x4] expects 4 features, the input [?x4x2x2] has 16}}
  %y = cst.linear %x, %w : (tensor<?x4x2x2xf32>, tensor<10x4xf32>) -> tensor<?x10x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>, %w: tensor<10x16xf32>) {
  // expected-error @+1 {{'cst.linear' op result must be [N, 10, 1, 1], got [?x16x1x1]}}
  %y = cst.linear %x, %w : (tensor<?x4x2x2xf32>, tensor<10x16xf32>) -> tensor<?x16x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x2x2xf32>, %w: tensor<10x16xf32>) {
  // expected-error @+1 {{'cst.linear' op result must be [N, 10, 1, 1], got [4x10x1x1]}}
  %y = cst.linear %x, %w : (tensor<2x4x2x2xf32>, tensor<10x16xf32>) -> tensor<4x10x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>, %w: tensor<10x16xf32>, %b: tensor<16xf32>) {
  // expected-error @+1 {{'cst.linear' op bias has 16 entries, expected 10 for 10 channels}}
  %y = cst.linear %x, %w, %b : (tensor<?x4x2x2xf32>, tensor<10x16xf32>, tensor<16xf32>) -> tensor<?x10x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>, %w: tensor<10x4x4xf32>) {
  // expected-error @+1 {{'cst.linear' op operand #1 must be 2D tensor of 32-bit float or 64-bit float values, but got 'tensor<10x4x4xf32>'}}
  %y = cst.linear %x, %w : (tensor<?x4x2x2xf32>, tensor<10x4x4xf32>) -> tensor<?x10x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.shortcut' op mixes element types 'f32' and 'f64'}}
  %y = cst.shortcut %x {stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x8x4x4xf64>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // Fewer channels than the input.
  // expected-error @+1 {{'cst.shortcut' op result [?x2x4x4] must be the input [?x4x8x8] subsampled by 2 with at least its channels}}
  %y = cst.shortcut %x {stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x2x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x9x9xf32>) {
  // Every 2nd of 9 pixels is 5 pixels, not 4.
  // expected-error @+1 {{'cst.shortcut' op result [?x8x4x4] must be the input [?x4x9x9] subsampled by 2 with at least its channels}}
  %y = cst.shortcut %x {stride = 2 : i64} : (tensor<?x4x9x9xf32>) -> tensor<?x8x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x8x8xf32>) {
  // expected-error @+1 {{'cst.shortcut' op result [3x8x4x4] must be the input [2x4x8x8] subsampled by 2 with at least its channels}}
  %y = cst.shortcut %x {stride = 2 : i64} : (tensor<2x4x8x8xf32>) -> tensor<3x8x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.shortcut' op attribute 'stride' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 1}}
  %y = cst.shortcut %x {stride = 0 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x8x4x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

// -----

func.func @f(%z: tensor<?x10x1x1xf32>, %l: tensor<?xi64>) {
  // expected-error @+1 {{'cst.softmax_cross_entropy' op mixes element types 'f32' and 'f64'}}
  %y = cst.softmax_cross_entropy %z, %l : (tensor<?x10x1x1xf32>, tensor<?xi64>) -> tensor<f64>
  return
}

// -----

func.func @f(%z: tensor<?x10x2x1xf32>, %l: tensor<?xi64>) {
  // expected-error @+1 {{'cst.softmax_cross_entropy' op expects logits [N, K, 1, 1], got [?x10x2x1]}}
  %y = cst.softmax_cross_entropy %z, %l : (tensor<?x10x2x1xf32>, tensor<?xi64>) -> tensor<f32>
  return
}

// -----

func.func @f(%z: tensor<4x10x1x1xf32>, %l: tensor<5xi64>) {
  // expected-error @+1 {{'cst.softmax_cross_entropy' op has 4 logits rows but 5 labels}}
  %y = cst.softmax_cross_entropy %z, %l : (tensor<4x10x1x1xf32>, tensor<5xi64>) -> tensor<f32>
  return
}

// -----

func.func @f(%z: tensor<?x10x1x1xf32>, %l: tensor<?xi32>) {
  // expected-error @+1 {{'cst.softmax_cross_entropy' op operand #1 must be 1D tensor of 64-bit signless integer values, but got 'tensor<?xi32>'}}
  %y = cst.softmax_cross_entropy %z, %l : (tensor<?x10x1x1xf32>, tensor<?xi32>) -> tensor<f32>
  return
}

// -----

func.func @f(%z: tensor<?x10x1x1xf32>, %l: tensor<?xi64>) {
  // expected-error @+1 {{'cst.softmax_cross_entropy' op result #0 must be 0D tensor of 32-bit float or 64-bit float values, but got 'tensor<1xf32>'}}
  %y = cst.softmax_cross_entropy %z, %l : (tensor<?x10x1x1xf32>, tensor<?xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @f(%g: tensor<?x4x8x8xf64>) {
  // expected-error @+1 {{'cst.l1_norm' op mixes element types 'f64' and 'f32'}}
  %y = cst.l1_norm %g {weight = 1.0e-4 : f64} : (tensor<?x4x8x8xf64>) -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %d: tensor<?x6x8x8xf32>) {
  // expected-error @+1 {{'cst.conv' op destination [?x6x8x8] must have the result's type [?x8x8x8]}}
  %y = cst.conv %x, %w into %d {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<?x6x8x8xf32>) -> tensor<?x8x8x8xf32>
  return
}

// -----

func.func @f(%g: tensor<?x8x8x8xf32>, %w: tensor<8x4x3x3xf32>, %d: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'cst.conv_transpose' op destination [?x4x8x8] must have the result's type [?x4x16x16]}}
  %t = cst.conv_transpose %g, %w into %d {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x16x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x16x16xf32>, %g: tensor<?x8x8x8xf32>, %d: tensor<8x4x3x3xf64>) {
  // expected-error @+1 {{'cst.conv_filter_grad' op mixes element types 'f32' and 'f64'}}
  %f = cst.conv_filter_grad %x, %g into %d {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<?x8x8x8xf32>, tensor<8x4x3x3xf64>) -> tensor<8x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'cst.replica_mean' op expects a static shape, got 'tensor<?x4xf32>'}}
  %m = cst.replica_mean %x : tensor<?x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xi64>) {
  // expected-error @+1 {{'cst.replica_mean' op expects a float tensor, got 'tensor<4xi64>'}}
  %m = cst.replica_mean %x : tensor<4xi64>
  return
}
