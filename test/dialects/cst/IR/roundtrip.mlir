// Every cst op prints and parses back to the same text, f32 and f64.
// RUN: csc-opt %s | csc-opt | FileCheck %s
// The generic form parses back too.
// RUN: csc-opt %s --mlir-print-op-generic | csc-opt | FileCheck %s

// CHECK-LABEL: func.func @convs
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x16x16xf32>, %[[W:.*]]: tensor<8x4x3x3xf32>, %[[G:.*]]: tensor<?x8x8x8xf32>)
func.func @convs(%x: tensor<?x4x16x16xf32>, %w: tensor<8x4x3x3xf32>, %g: tensor<?x8x8x8xf32>)
    -> (tensor<?x8x8x8xf32>, tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>) {
  // CHECK: %[[Y:.*]] = cst.conv %[[X]], %[[W]] {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  // CHECK: %[[T:.*]] = cst.conv_transpose %[[G]], %[[W]] {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x16x16xf32>
  %t = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x16x16xf32>
  // CHECK: %[[F:.*]] = cst.conv_filter_grad %[[X]], %[[G]] {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  %f = cst.conv_filter_grad %x, %g {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  // CHECK: return %[[Y]], %[[T]], %[[F]]
  return %y, %t, %f : tensor<?x8x8x8xf32>, tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>
}

// Convolutions with a destination (`into`, cscc-conv-destinations).
// CHECK-LABEL: func.func @convs_into
func.func @convs_into(%x: tensor<?x4x16x16xf32>, %w: tensor<8x4x3x3xf32>, %g: tensor<?x8x8x8xf32>,
                      %dy: tensor<?x8x8x8xf32>, %dx: tensor<?x4x16x16xf32>, %dw: tensor<8x4x3x3xf32>)
    -> (tensor<?x8x8x8xf32>, tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>) {
  // CHECK: cst.conv %arg0, %arg1 into %arg3 {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>
  %y = cst.conv %x, %w into %dy {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>
  // CHECK: cst.conv_transpose %arg2, %arg1 into %arg4 {{.*}} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>, tensor<?x4x16x16xf32>) -> tensor<?x4x16x16xf32>
  %t = cst.conv_transpose %g, %w into %dx {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>, tensor<?x4x16x16xf32>) -> tensor<?x4x16x16xf32>
  // CHECK: cst.conv_filter_grad %arg0, %arg2 into %arg5 {{.*}} : (tensor<?x4x16x16xf32>, tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<8x4x3x3xf32>
  %f = cst.conv_filter_grad %x, %g into %dw {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<8x4x3x3xf32>
  return %y, %t, %f : tensor<?x8x8x8xf32>, tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>
}

// A dilated f64 convolution with a static batch.
// CHECK-LABEL: func.func @dilated_f64
func.func @dilated_f64(%x: tensor<2x3x9x9xf64>, %w: tensor<5x3x3x3xf64>) -> tensor<2x5x5x5xf64> {
  // CHECK: cst.conv %{{.*}}, %{{.*}} {dilation = 2 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<2x3x9x9xf64>, tensor<5x3x3x3xf64>) -> tensor<2x5x5x5xf64>
  %y = cst.conv %x, %w {dilation = 2 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<2x3x9x9xf64>, tensor<5x3x3x3xf64>) -> tensor<2x5x5x5xf64>
  return %y : tensor<2x5x5x5xf64>
}

// CHECK-LABEL: func.func @views
func.func @views(%a: tensor<?x4x8x8xf32>, %b: tensor<?x6x8x8xf32>) -> (tensor<?x10x8x8xf32>, tensor<?x3x8x8xf32>) {
  // CHECK: %[[C:.*]] = cst.concat %{{.*}}, %{{.*}} : (tensor<?x4x8x8xf32>, tensor<?x6x8x8xf32>) -> tensor<?x10x8x8xf32>
  %c = cst.concat %a, %b : (tensor<?x4x8x8xf32>, tensor<?x6x8x8xf32>) -> tensor<?x10x8x8xf32>
  // CHECK: %[[S:.*]] = cst.slice %[[C]][5] : (tensor<?x10x8x8xf32>) -> tensor<?x3x8x8xf32>
  %s = cst.slice %c[5] : (tensor<?x10x8x8xf32>) -> tensor<?x3x8x8xf32>
  // A concatenation of a single input.
  // CHECK: cst.concat %{{.*}} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %one = cst.concat %a : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %c, %s : tensor<?x10x8x8xf32>, tensor<?x3x8x8xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x4x8x8xf32>, %y: tensor<?x4x8x8xf32>, %c: tensor<1xf32>, %v: tensor<4xf32>, %s: tensor<f64>) -> tensor<?x4x8x8xf32> {
  // CHECK: cst.axpby %{{.*}}, %{{.*}} {alpha = 1.500000e+00 : f64, beta = -2.500000e-01 : f64} : tensor<?x4x8x8xf32>
  %a = cst.axpby %x, %y {alpha = 1.5 : f64, beta = -0.25 : f64} : tensor<?x4x8x8xf32>
  // axpby on scalars (the loss terms).
  // CHECK: cst.axpby %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64} : tensor<f64>
  %l = cst.axpby %s, %s {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f64>
  // CHECK: cst.scale %{{.*}}, %{{.*}} : (tensor<?x4x8x8xf32>, tensor<1xf32>) -> tensor<?x4x8x8xf32>
  %b = cst.scale %a, %c : (tensor<?x4x8x8xf32>, tensor<1xf32>) -> tensor<?x4x8x8xf32>
  // CHECK: cst.scale %{{.*}}, %{{.*}} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %b2 = cst.scale %b, %v : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  // CHECK: cst.bias_add %{{.*}}, %{{.*}} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %d = cst.bias_add %b2, %v : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  // CHECK: cst.threshold %{{.*}}, %{{.*}} {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %e = cst.threshold %d, %v {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  // Without a threshold: a plain ReLU.
  // CHECK: cst.threshold %{{[^,]*}} {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %f = cst.threshold %e {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  // CHECK: cst.threshold_mask %{{.*}} {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %m = cst.threshold_mask %f {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %m : tensor<?x4x8x8xf32>
}

// CHECK-LABEL: func.func @batch_norm
func.func @batch_norm(%x: tensor<?x4x8x8xf64>, %w: tensor<4xf64>, %b: tensor<4xf64>, %m: tensor<4xf64>, %v: tensor<4xf64>) -> tensor<?x4x8x8xf64> {
  // CHECK: cst.batch_norm_eval %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {eps = 1.000000e-05 : f64} : (tensor<?x4x8x8xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<?x4x8x8xf64>
  %e = cst.batch_norm_eval %x, %w, %b, %m, %v {eps = 1.0e-5 : f64} : (tensor<?x4x8x8xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<?x4x8x8xf64>
  // CHECK: %[[OUT:.*]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = cst.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {eps = 1.000000e-03 : f64, momentum = 1.000000e-01 : f64} : (tensor<?x4x8x8xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> (tensor<?x4x8x8xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
  %t:5 = cst.batch_norm_train %e, %w, %b, %m, %v {eps = 1.0e-3 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> (tensor<?x4x8x8xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
  // CHECK: return %[[OUT]] : tensor<?x4x8x8xf64>
  return %t#0 : tensor<?x4x8x8xf64>
}

// CHECK-LABEL: func.func @pool_linear_shortcut
func.func @pool_linear_shortcut(%x: tensor<?x4x8x8xf32>, %w: tensor<10x16xf32>, %b: tensor<10xf32>, %w2: tensor<3x64xf32>)
    -> (tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>, tensor<?x10x1x1xf32>, tensor<?x3x1x1xf32>, tensor<?x6x4x4xf32>, tensor<?x4x1x1xf32>) {
  // CHECK: cst.max_pool %{{.*}} {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  %p = cst.max_pool %x {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: cst.avg_pool %{{.*}} {kernel = 3 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %a = cst.avg_pool %x {kernel = 3 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  // CHECK: cst.global_avg_pool %{{.*}} : (tensor<?x4x4x4xf32>) -> tensor<?x4x1x1xf32>
  %g = cst.global_avg_pool %p : (tensor<?x4x4x4xf32>) -> tensor<?x4x1x1xf32>
  %q = cst.max_pool %p {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x4x4xf32>) -> tensor<?x4x2x2xf32>
  // CHECK: cst.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4x2x2xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10x1x1xf32>
  %l = cst.linear %q, %w, %b : (tensor<?x4x2x2xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10x1x1xf32>
  // Without a bias.
  // CHECK: cst.linear %{{[^,]*}}, %{{[^,]*}} : (tensor<?x4x4x4xf32>, tensor<3x64xf32>) -> tensor<?x3x1x1xf32>
  %l2 = cst.linear %p, %w2 : (tensor<?x4x4x4xf32>, tensor<3x64xf32>) -> tensor<?x3x1x1xf32>
  // CHECK: cst.shortcut %{{.*}} {stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x6x4x4xf32>
  %s = cst.shortcut %x {stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x6x4x4xf32>
  return %p, %a, %l, %l2, %s, %g : tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>, tensor<?x10x1x1xf32>, tensor<?x3x1x1xf32>, tensor<?x6x4x4xf32>, tensor<?x4x1x1xf32>
}

// CHECK-LABEL: func.func @losses
func.func @losses(%z: tensor<?x10x1x1xf32>, %labels: tensor<?xi64>, %g: tensor<?x4x8x8xf32>) -> (tensor<f32>, tensor<f32>) {
  // CHECK: cst.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10x1x1xf32>, tensor<?xi64>) -> tensor<f32>
  %l = cst.softmax_cross_entropy %z, %labels : (tensor<?x10x1x1xf32>, tensor<?xi64>) -> tensor<f32>
  // CHECK: cst.l1_norm %{{.*}} {weight = 1.000000e-04 : f64} : (tensor<?x4x8x8xf32>) -> tensor<f32>
  %p = cst.l1_norm %g {weight = 1.0e-4 : f64} : (tensor<?x4x8x8xf32>) -> tensor<f32>
  return %l, %p : tensor<f32>, tensor<f32>
}
