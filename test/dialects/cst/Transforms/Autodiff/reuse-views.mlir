// cst-autodiff's reuse-views rule: a recomputable value that a view read by
// the backward pass keeps in memory anyway is read there, not recomputed.
// %g (a threshold) is the input of a channel slice %s that the adjoint's
// filter gradient reads: its mask is taken from %g itself. %h (a threshold)
// is produced into the concatenation %n, which the gradient of c reads: it
// is read back as the concatenation's channel window (a cst.slice, so that
// bufferization keeps it in place there), for its mask and for the filter
// gradient of the convolution it feeds. Neither threshold nor the scale
// %g comes from is recomputed, so their operands need not stay alive for
// them. %r is the input of a concatenation the backward pass never reads
// (axpby needs no primal): it is recomputed as before. reuse-views=false
// recomputes them all.
// RUN: csc-opt %s --cst-autodiff | FileCheck %s
// RUN: csc-opt %s --cst-autodiff | FileCheck %s --check-prefix=NOREC
// RUN: csc-opt %s --cst-autodiff=reuse-views=false | FileCheck %s --check-prefix=RECOMP

func.func @forward(%x: tensor<?x1x6x6xf64>, %labels: tensor<?xi64>,
                   %w: tensor<2x1x3x3xf64> {cst.param = "w", cst.init = "kaiming"},
                   %v: tensor<2x3x3x3xf64> {cst.param = "v", cst.init = "kaiming"},
                   %b: tensor<3xf64> {cst.param = "b", cst.init = "zeros"},
                   %c: tensor<1xf64> {cst.param = "c", cst.init = "ones"},
                   %lw: tensor<3x5xf64> {cst.param = "fc.weight", cst.init = "kaiming"})
    -> (tensor<?x3x1x1xf64>, tensor<f64>) {
  %f = cst.conv %x, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x1x6x6xf64>, tensor<2x1x3x3xf64>) -> tensor<?x2x6x6xf64>
  %u = cst.concat %x, %f : (tensor<?x1x6x6xf64>, tensor<?x2x6x6xf64>) -> tensor<?x3x6x6xf64>
  %cu = cst.scale %u, %c : (tensor<?x3x6x6xf64>, tensor<1xf64>) -> tensor<?x3x6x6xf64>
  %g = cst.threshold %cu, %b {kind = #cst<threshold relu>} : (tensor<?x3x6x6xf64>, tensor<3xf64>) -> tensor<?x3x6x6xf64>
  %s = cst.slice %g[1] : (tensor<?x3x6x6xf64>) -> tensor<?x2x6x6xf64>
  %t = cst.conv_transpose %s, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x2x6x6xf64>, tensor<2x1x3x3xf64>) -> tensor<?x1x6x6xf64>
  %r = cst.axpby %x, %t {alpha = 1.0 : f64, beta = -1.0 : f64} : tensor<?x1x6x6xf64>
  %q = cst.conv %r, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x1x6x6xf64>, tensor<2x1x3x3xf64>) -> tensor<?x2x6x6xf64>
  %d = cst.concat %r, %q : (tensor<?x1x6x6xf64>, tensor<?x2x6x6xf64>) -> tensor<?x3x6x6xf64>
  %z = cst.axpby %g, %d {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x3x6x6xf64>
  %h = cst.threshold %z, %b {kind = #cst<threshold relu>} : (tensor<?x3x6x6xf64>, tensor<3xf64>) -> tensor<?x3x6x6xf64>
  %k = cst.conv %h, %v {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x3x6x6xf64>, tensor<2x3x3x3xf64>) -> tensor<?x2x6x6xf64>
  %n = cst.concat %h, %k : (tensor<?x3x6x6xf64>, tensor<?x2x6x6xf64>) -> tensor<?x5x6x6xf64>
  %cn = cst.scale %n, %c : (tensor<?x5x6x6xf64>, tensor<1xf64>) -> tensor<?x5x6x6xf64>
  %p = cst.global_avg_pool %cn : (tensor<?x5x6x6xf64>) -> tensor<?x5x1x1xf64>
  %y = cst.linear %p, %lw : (tensor<?x5x1x1xf64>, tensor<3x5xf64>) -> tensor<?x3x1x1xf64>
  %loss = cst.softmax_cross_entropy %y, %labels : (tensor<?x3x1x1xf64>, tensor<?xi64>) -> tensor<f64>
  return %y, %loss : tensor<?x3x1x1xf64>, tensor<f64>
}

// CHECK-LABEL: func.func @train_step(
// CHECK: %[[U:.*]] = cst.concat %arg0, %{{.*}} : (tensor<?x1x6x6xf64>, tensor<?x2x6x6xf64>) -> tensor<?x3x6x6xf64>
// CHECK: %[[G:.*]] = cst.threshold %{{.*}}, %arg4 {kind = #cst<threshold relu>}
// CHECK-NEXT: %[[S:.*]] = cst.slice %[[G]][1]
// CHECK: %[[R:.*]] = cst.axpby %arg0, %[[T:.*]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK: %[[H:.*]] = cst.threshold %{{.*}}, %arg4 {kind = #cst<threshold relu>}
// CHECK: %[[N:.*]] = cst.concat %[[H]], %{{.*}} : (tensor<?x3x6x6xf64>, tensor<?x2x6x6xf64>) -> tensor<?x5x6x6xf64>
// CHECK: cst.softmax_cross_entropy_grad
// CHECK: %[[HS:.*]] = cst.slice %[[N]][0] : (tensor<?x5x6x6xf64>) -> tensor<?x3x6x6xf64>
// CHECK-NEXT: cst.conv_filter_grad %[[HS]],
// CHECK: cst.threshold_mask %[[HS]] {kind = #cst<threshold relu>}
// CHECK: %[[R2:.*]] = cst.axpby %arg0, %[[T]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: cst.conv_filter_grad %[[R2]],
// CHECK: cst.conv_filter_grad %{{.*}}, %[[S]]
// CHECK: cst.threshold_mask %[[G]] {kind = #cst<threshold relu>}
// CHECK: return

// NOREC: cst.softmax_cross_entropy_grad
// NOREC-NOT: cst.threshold %
// NOREC-NOT: cst.scale %1, %arg5
// NOREC: return

// RECOMP: cst.softmax_cross_entropy_grad
// RECOMP: %[[CU:.*]] = cst.scale %1, %arg5
// RECOMP-NEXT: %[[G2:.*]] = cst.threshold %[[CU]], %arg4
// RECOMP: cst.threshold_mask %[[G2]]
// RECOMP: return
