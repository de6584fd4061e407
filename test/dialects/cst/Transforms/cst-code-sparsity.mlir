// cst-code-sparsity appends cst.zero_fraction of every code (an op tagged
// cst.code) to the entry function's results, in program order, after the
// existing results (whose attributes stay), named by cst.sparsity.
// RUN: csc-opt %s --split-input-file --cst-code-sparsity | FileCheck %s
// Round trip of the op.
// RUN: csc-opt %s --split-input-file --cst-code-sparsity | csc-opt | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK-SAME: -> (tensor<?x10x1x1xf32>, tensor<f32>, tensor<4xf32> {cst.new_state = "bn.running_mean"}, tensor<f32> {cst.sparsity = "g.0"}, tensor<f32> {cst.sparsity = "g.1"})
// CHECK: %[[G0:.*]] = cst.threshold %{{.*}}, %{{.*}} {cst.code = "g.0", kind = #cst<threshold relu>}
// CHECK-NEXT: %[[Z0:.*]] = cst.zero_fraction %[[G0]] : (tensor<?x4x6x6xf32>) -> tensor<f32>
// CHECK: %[[G1:.*]] = cst.threshold %{{.*}} {cst.code = "g.1", kind = #cst<threshold soft>}
// CHECK-NEXT: %[[Z1:.*]] = cst.zero_fraction %[[G1]] : (tensor<?x4x6x6xf32>) -> tensor<f32>
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %[[Z0]], %[[Z1]] : tensor<?x10x1x1xf32>, tensor<f32>, tensor<4xf32>, tensor<f32>, tensor<f32>
func.func @forward(%x: tensor<?x4x6x6xf32>, %labels: tensor<?xi64>, %b: tensor<4xf32> {cst.param = "g.0.threshold"}, %m: tensor<4xf32> {cst.param = "bn.running_mean", cst.state}, %w: tensor<10x144xf32> {cst.param = "linear.weight"}) -> (tensor<?x10x1x1xf32>, tensor<f32>, tensor<4xf32> {cst.new_state = "bn.running_mean"}) {
  %g0 = cst.threshold %x, %b {cst.code = "g.0", kind = #cst<threshold relu>} : (tensor<?x4x6x6xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %g1 = cst.threshold %g0 {cst.code = "g.1", kind = #cst<threshold soft>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %y = cst.linear %g1, %w : (tensor<?x4x6x6xf32>, tensor<10x144xf32>) -> tensor<?x10x1x1xf32>
  %l = cst.softmax_cross_entropy %y, %labels : (tensor<?x10x1x1xf32>, tensor<?xi64>) -> tensor<f32>
  return %y, %l, %m : tensor<?x10x1x1xf32>, tensor<f32>, tensor<4xf32>
}
// Other functions are left alone.
// CHECK-LABEL: func.func @other
// CHECK-SAME: -> tensor<?x4x6x6xf32>
// CHECK-NOT: zero_fraction
// CHECK: return
func.func @other(%x: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  %g = cst.threshold %x {cst.code = "other", kind = #cst<threshold relu>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  return %g : tensor<?x4x6x6xf32>
}

// -----

// Any tagged op with a float tensor result, any rank, f64; the function's
// other result attributes stay.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: -> (tensor<3xf64> {cst.grad = "v"}, tensor<f64> {cst.sparsity = "pursuit.0"}, tensor<f64> {cst.sparsity = "vec"})
// CHECK: %[[C:[^,]*]], {{.*}} = cst.batch_norm_train {{.*}} {cst.code = "pursuit.0"
// CHECK-NEXT: cst.zero_fraction %[[C]] : (tensor<?x3x2x2xf64>) -> tensor<f64>
// CHECK: %[[V:.*]] = cst.axpby %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64, cst.code = "vec"} : tensor<3xf64>
// CHECK-NEXT: cst.zero_fraction %[[V]] : (tensor<3xf64>) -> tensor<f64>
func.func @forward(%x: tensor<?x3x2x2xf64>, %v: tensor<3xf64>) -> (tensor<3xf64> {cst.grad = "v"}) {
  %y:5 = cst.batch_norm_train %x, %v, %v, %v, %v {cst.code = "pursuit.0", eps = 1.0e-05 : f64, momentum = 1.0e-01 : f64} : (tensor<?x3x2x2xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> (tensor<?x3x2x2xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>)
  %s = cst.axpby %v, %y#1 {alpha = 1.0 : f64, beta = 1.0 : f64, cst.code = "vec"} : tensor<3xf64>
  return %s : tensor<3xf64>
}

// -----

// No codes: nothing changes.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: -> tensor<?x4x6x6xf32> {
// CHECK-NOT: zero_fraction
func.func @forward(%x: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  %g = cst.threshold %x {kind = #cst<threshold relu>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  return %g : tensor<?x4x6x6xf32>
}
