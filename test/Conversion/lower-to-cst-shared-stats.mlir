// Two batch norms cannot update one set of running statistics in train mode
// (each would return its own update); in eval mode they may read it.
// RUN: csc-opt %s --csc-lower-to-cst=mode=train --verify-diagnostics
// RUN: csc-opt %s --csc-lower-to-cst=mode=eval | FileCheck %s

// CHECK-LABEL: func.func @f
// CHECK: %[[A:.*]] = cst.batch_norm_eval %arg0, %[[W:arg[0-9]+]], %[[B:arg[0-9]+]], %[[M:arg[0-9]+]], %[[V:arg[0-9]+]]
// CHECK-NEXT: cst.batch_norm_eval %[[A]], %[[W]], %[[B]], %[[M]], %[[V]]
func.func @f(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = csc.param "bn.weight" {init = "ones"} : tensor<2xf32>
  %b = csc.param "bn.bias" {init = "zeros"} : tensor<2xf32>
  %m = csc.param "bn.running_mean" {init = "zeros", state} : tensor<2xf32>
  %v = csc.param "bn.running_var" {init = "ones", state} : tensor<2xf32>
  %a = csc.batch_norm %x, %w, %b, %m, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  // expected-error @+1 {{'csc.batch_norm' op running statistics used by two batch norms}}
  %c = csc.batch_norm %a, %w, %b, %m, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  return %c : tensor<?x2x4x4xf32>
}
