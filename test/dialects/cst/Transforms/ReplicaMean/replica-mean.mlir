// cst.replica_mean, the data-parallel average (CstOps.td): it prints and
// parses back, its verifier refuses what the runtime cannot reduce, its VJP
// is itself (cst-autodiff), cst-optimizer's replica-mean puts one before
// every update, and One-Shot Bufferize turns it into a copy and a call of
// the host runtime's cscc_replica_mean_{f32,f64} on the copy as a 1-D
// buffer (rank 0 and rank 4 alike).
// RUN: csc-opt %s | csc-opt | FileCheck %s --check-prefix=ROUND
// RUN: csc-opt %s --cst-autodiff | FileCheck %s --check-prefix=VJP

// ROUND-LABEL: func.func @forward
// ROUND: cst.replica_mean %arg1 : tensor<1x2x3x3xf32>
// The gradient of w is the replica mean of the gradient of y = mean(w)
// (the l1 penalty's gradient times x), returned as w's.
// VJP-LABEL: func.func @train_step(
// VJP: %[[Y:.*]] = cst.replica_mean %arg1 : tensor<1x2x3x3xf32>
// VJP: %[[DZ:.*]] = cst.l1_norm_grad
// VJP-NEXT: %[[DY:.*]] = cst.mul %[[DZ]], %arg0 : tensor<1x2x3x3xf32>
// VJP-NEXT: %[[DW:.*]] = cst.replica_mean %[[DY]] : tensor<1x2x3x3xf32>
// VJP-NEXT: return %{{.*}}, %[[DW]]
func.func @forward(%x: tensor<1x2x3x3xf32>, %w: tensor<1x2x3x3xf32> {cst.param = "w"}) -> tensor<f32> {
  %y = cst.replica_mean %w : tensor<1x2x3x3xf32>
  %z = cst.mul %y, %x : tensor<1x2x3x3xf32>
  %l = cst.l1_norm %z {weight = 1.0 : f64} : (tensor<1x2x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
