// Every diagnostic of cst-autodiff.
// RUN: csc-opt %s --split-input-file --cst-autodiff --verify-diagnostics

// expected-error @+1 {{cst-autodiff: no function @forward to differentiate}}
module {
  func.func @predict(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
    return %x : tensor<?x1x4x4xf32>
  }
}

// -----

// expected-error @+1 {{cst-autodiff: @forward returns no scalar loss; lower it with loss=true}}
func.func @forward(%x: tensor<?x1x4x4xf32>, %w: tensor<1x1x3x3xf32> {cst.param = "w"}) -> tensor<?x1x4x4xf32> {
  %y = cst.conv %x, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x1x4x4xf32>, tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32>
  return %y : tensor<?x1x4x4xf32>
}

// -----

// expected-error @+1 {{cst-autodiff: @train_step exists already}}
func.func @forward(%x: tensor<?x1x4x4xf32>) -> tensor<f32> {
  %l = cst.l1_norm %x {weight = 1.0 : f64} : (tensor<?x1x4x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @train_step() {
  return
}

// -----

// A backward op in the forward pass: no second derivatives.
func.func @forward(%x: tensor<?x2x1x1xf32>, %w: tensor<2xf32> {cst.param = "w"}) -> tensor<f32> {
  %y = cst.scale %x, %w : (tensor<?x2x1x1xf32>, tensor<2xf32>) -> tensor<?x2x1x1xf32>
  // expected-error @+1 {{'cst.global_avg_pool_grad' op has no vector-Jacobian product (VjpOpInterface), so cst-autodiff cannot differentiate the loss through it}}
  %z = cst.global_avg_pool_grad %y : (tensor<?x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %l = cst.l1_norm %z {weight = 1.0 : f64} : (tensor<?x2x4x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
