// cst-autodiff on one ISTA step with a tied filter: w is used by the
// analysis conv, by the synthesis conv_transpose and by a second conv, so
// its gradient is the sum of three filter gradients. The threshold's
// output feeds a convolution: with recompute (default) the backward pass
// rebuilds it from kept values; with recompute=false it reads the forward
// value.
// RUN: csc-opt %s --cst-autodiff | FileCheck %s
// RUN: csc-opt %s --cst-autodiff=recompute=false | FileCheck %s --check-prefix=KEEP

func.func @forward(%x: tensor<?x1x6x6xf64>, %labels: tensor<?xi64>,
                   %w: tensor<2x1x3x3xf64> {cst.param = "w", cst.init = "kaiming"},
                   %c: tensor<1xf64> {cst.param = "c", cst.init = "ones"},
                   %b: tensor<2xf64> {cst.param = "b", cst.init = "zeros"},
                   %lw: tensor<3x2xf64> {cst.param = "fc.weight", cst.init = "kaiming"},
                   %rm: tensor<2xf64> {cst.param = "rm", cst.init = "zeros", cst.state})
    -> (tensor<?x3x1x1xf64>, tensor<f64>) {
  %g0 = cst.conv %x, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x1x6x6xf64>, tensor<2x1x3x3xf64>) -> tensor<?x2x6x6xf64>
  %a0 = cst.threshold %g0, %b {kind = #cst<threshold relu>} : (tensor<?x2x6x6xf64>, tensor<2xf64>) -> tensor<?x2x6x6xf64>
  %s = cst.conv_transpose %a0, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x2x6x6xf64>, tensor<2x1x3x3xf64>) -> tensor<?x1x6x6xf64>
  %r = cst.axpby %x, %s {alpha = 1.0 : f64, beta = -1.0 : f64} : tensor<?x1x6x6xf64>
  %d = cst.conv %r, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x1x6x6xf64>, tensor<2x1x3x3xf64>) -> tensor<?x2x6x6xf64>
  %cd = cst.scale %d, %c : (tensor<?x2x6x6xf64>, tensor<1xf64>) -> tensor<?x2x6x6xf64>
  %z = cst.axpby %a0, %cd {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x2x6x6xf64>
  %a1 = cst.threshold %z, %b {kind = #cst<threshold relu>} : (tensor<?x2x6x6xf64>, tensor<2xf64>) -> tensor<?x2x6x6xf64>
  %p = cst.global_avg_pool %a1 : (tensor<?x2x6x6xf64>) -> tensor<?x2x1x1xf64>
  %y = cst.linear %p, %lw : (tensor<?x2x1x1xf64>, tensor<3x2xf64>) -> tensor<?x3x1x1xf64>
  %loss = cst.softmax_cross_entropy %y, %labels : (tensor<?x3x1x1xf64>, tensor<?xi64>) -> tensor<f64>
  return %y, %loss : tensor<?x3x1x1xf64>, tensor<f64>
}

// The forward function stays; the train step returns its results and one
// gradient per learned parameter (not the running statistic rm).
// CHECK-LABEL: func.func @forward(
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: -> (tensor<?x3x1x1xf64>, tensor<f64>, tensor<2x1x3x3xf64> {cst.grad = "w"}, tensor<1xf64> {cst.grad = "c"}, tensor<2xf64> {cst.grad = "b"}, tensor<3x2xf64> {cst.grad = "fc.weight"})
// CHECK: %[[LOSS:.*]] = cst.softmax_cross_entropy
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f64>
// CHECK: %[[DY:.*]] = cst.softmax_cross_entropy_grad %{{.*}}, %arg1, %[[ONE]]
// CHECK: cst.linear_grad_input %[[DY]], %arg5
// CHECK: cst.linear_grad_weight
// CHECK: cst.global_avg_pool_grad
// The last threshold's output is recomputed for its mask (recompute rule),
// from its input z = a0 + c d, itself recomputed from kept convolutions:
// CHECK: %[[A0:.*]] = cst.threshold %0, %arg4
// CHECK-NEXT: %[[CD:.*]] = cst.scale %4, %arg3
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[A0]], %[[CD]]
// CHECK-NEXT: %[[A1:.*]] = cst.threshold %[[Z]], %arg4
// CHECK-NEXT: %[[M1:.*]] = cst.threshold_mask %[[A1]] {kind = #cst<threshold relu>}
// CHECK: %[[DZ:.*]] = cst.mul %{{.*}}, %[[M1]]
// CHECK: cst.reduce_channels %[[DZ]] {scale = -1.000000e+00 : f64}
// dc = sum(dz * d): d is a convolution output, kept.
// CHECK: cst.reduce_channels %{{.*}}, %{{[0-9]+}} {scale = 1.000000e+00 : f64} : ({{.*}}) -> tensor<1xf64>
// Three filter gradients of w, summed:
// CHECK: %[[G1:.*]] = cst.conv_filter_grad
// CHECK: %[[G2:.*]] = cst.conv_filter_grad
// CHECK: %[[S1:.*]] = cst.axpby %[[G1]], %[[G2]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK: %[[G3:.*]] = cst.conv_filter_grad %arg0
// CHECK: %[[W:.*]] = cst.axpby %[[S1]], %[[G3]]
// The input is not a parameter: no gradient of the first conv's input.
// CHECK-NOT: cst.conv_transpose {{.*}} -> tensor<?x1x6x6xf64>{{$}}
// CHECK: return %{{.*}}, %[[LOSS]], %[[W]], %{{.*}}, %{{.*}}, %{{.*}} :

// KEEP-LABEL: func.func @train_step(
// KEEP: cst.global_avg_pool %[[A1:[0-9]+]]
// KEEP: cst.softmax_cross_entropy_grad
// KEEP-NOT: cst.threshold %
// KEEP: cst.threshold_mask %[[A1]] 
// KEEP-NOT: cst.threshold %
// KEEP: return
