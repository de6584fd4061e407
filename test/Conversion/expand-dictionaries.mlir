// csc-expand-dictionaries derives D^T (csc.analysis) and D (csc.synthesis)
// from a dictionary's blocks and erases the dictionary ops.
// RUN: csc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(csc-expand-dictionaries))' | FileCheck %s

// An identity block: D^T X = X and D G = G, no op at all.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4x8x8xf32>, %[[G:[^:]*]]: tensor<?x4x8x8xf32>)
// CHECK-NEXT: return %[[X]], %[[G]]
func.func @identity(%x: tensor<?x4x8x8xf32>, %g: tensor<?x4x8x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %d = csc.identity : !csc.dict<4 -> 4>
  %a = csc.analysis %d, %x : !csc.dict<4 -> 4>, tensor<?x4x8x8xf32> -> tensor<?x4x8x8xf32>
  %s = csc.synthesis %d, %g : !csc.dict<4 -> 4>, tensor<?x4x8x8xf32> -> tensor<?x4x8x8xf32>
  return %a, %s : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// One convolution: F X, and its adjoint F^T G with the same stride, dilation
// and padding. A 7x7 signal and stride 2 give a 4x4 code; the synthesis
// keeps 7x7 from its result type (8x8 would map to 4x4 as well).
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4x7x7xf32>, %[[G:[^:]*]]: tensor<?x6x4x4xf32>, %[[W:[^:]*]]: tensor<6x4x3x3xf32>)
// CHECK-NEXT: %[[A:.*]] = cst.conv %[[X]], %[[W]] {dilation = 2 : i64, padding = 2 : i64, stride = 2 : i64} : (tensor<?x4x7x7xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x4x4xf32>
// CHECK-NEXT: %[[S:.*]] = cst.conv_transpose %[[G]], %[[W]] {dilation = 2 : i64, padding = 2 : i64, stride = 2 : i64} : (tensor<?x6x4x4xf32>, tensor<6x4x3x3xf32>) -> tensor<?x4x7x7xf32>
// CHECK-NEXT: return %[[A]], %[[S]]
func.func @conv(%x: tensor<?x4x7x7xf32>, %g: tensor<?x6x4x4xf32>, %w: tensor<6x4x3x3xf32>) -> (tensor<?x6x4x4xf32>, tensor<?x4x7x7xf32>) {
  %d = csc.conv_atom %w {dilation = 2 : i64, padding = 2 : i64, stride = 2 : i64} : tensor<6x4x3x3xf32> -> !csc.dict<4 -> 6>
  %a = csc.analysis %d, %x : !csc.dict<4 -> 6>, tensor<?x4x7x7xf32> -> tensor<?x6x4x4xf32>
  %s = csc.synthesis %d, %g : !csc.dict<4 -> 6>, tensor<?x6x4x4xf32> -> tensor<?x4x7x7xf32>
  return %a, %s : tensor<?x6x4x4xf32>, tensor<?x4x7x7xf32>
}

// -----

// The same strided block synthesising an 8x8 signal.
// CHECK-LABEL: func.func @conv_even
// CHECK: cst.conv_transpose %{{.*}}, %{{.*}} {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x6x4x4xf64>, tensor<6x4x3x3xf64>) -> tensor<?x4x8x8xf64>
func.func @conv_even(%g: tensor<?x6x4x4xf64>, %w: tensor<6x4x3x3xf64>) -> tensor<?x4x8x8xf64> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : tensor<6x4x3x3xf64> -> !csc.dict<4 -> 6>
  %s = csc.synthesis %d, %g : !csc.dict<4 -> 6>, tensor<?x6x4x4xf64> -> tensor<?x4x8x8xf64>
  return %s : tensor<?x4x8x8xf64>
}

// -----

// Composition F2 F1 (double sparsity): analysis F1 then F2; synthesis
// F2^T back to F1's code size (here 4x4 with 8 channels), then F1^T to the
// signal's 7x7.
// CHECK-LABEL: func.func @compose
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x7x7xf32>, %[[G:[^:]*]]: tensor<?x3x4x4xf32>, %[[W1:[^:]*]]: tensor<8x2x3x3xf32>, %[[W2:[^:]*]]: tensor<3x8x1x1xf32>)
// CHECK-NEXT: %[[M:.*]] = cst.conv %[[X]], %[[W1]] {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x2x7x7xf32>, tensor<8x2x3x3xf32>) -> tensor<?x8x4x4xf32>
// CHECK-NEXT: %[[A:.*]] = cst.conv %[[M]], %[[W2]] {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x8x4x4xf32>, tensor<3x8x1x1xf32>) -> tensor<?x3x4x4xf32>
// CHECK-NEXT: %[[N:.*]] = cst.conv_transpose %[[G]], %[[W2]] {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x3x4x4xf32>, tensor<3x8x1x1xf32>) -> tensor<?x8x4x4xf32>
// CHECK-NEXT: %[[S:.*]] = cst.conv_transpose %[[N]], %[[W1]] {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x8x4x4xf32>, tensor<8x2x3x3xf32>) -> tensor<?x2x7x7xf32>
// CHECK-NEXT: return %[[A]], %[[S]]
func.func @compose(%x: tensor<?x2x7x7xf32>, %g: tensor<?x3x4x4xf32>, %w1: tensor<8x2x3x3xf32>, %w2: tensor<3x8x1x1xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x2x7x7xf32>) {
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : tensor<8x2x3x3xf32> -> !csc.dict<2 -> 8>
  %f2 = csc.conv_atom %w2 {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<3x8x1x1xf32> -> !csc.dict<8 -> 3>
  %d = csc.compose %f1, %f2 : !csc.dict<2 -> 8>, !csc.dict<8 -> 3> -> !csc.dict<2 -> 3>
  %a = csc.analysis %d, %x : !csc.dict<2 -> 3>, tensor<?x2x7x7xf32> -> tensor<?x3x4x4xf32>
  %s = csc.synthesis %d, %g : !csc.dict<2 -> 3>, tensor<?x3x4x4xf32> -> tensor<?x2x7x7xf32>
  return %a, %s : tensor<?x3x4x4xf32>, tensor<?x2x7x7xf32>
}

// -----

// MSD-style stack [identity, conv dilation 1, conv dilation 3]:
// D^T X = concat(X, F1 X, F3 X); D G = G[0:4] + F1^T G[4:10] + F3^T G[10:15].
// CHECK-LABEL: func.func @vstack_identity
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4x8x8xf32>, %[[G:[^:]*]]: tensor<?x15x8x8xf32>, %[[W1:[^:]*]]: tensor<6x4x3x3xf32>, %[[W3:[^:]*]]: tensor<5x4x3x3xf32>)
// CHECK-NEXT: %[[A1:.*]] = cst.conv %[[X]], %[[W1]] {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x8x8xf32>
// CHECK-NEXT: %[[A3:.*]] = cst.conv %[[X]], %[[W3]] {dilation = 3 : i64, padding = 3 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<5x4x3x3xf32>) -> tensor<?x5x8x8xf32>
// CHECK-NEXT: %[[A:.*]] = cst.concat %[[X]], %[[A1]], %[[A3]] : (tensor<?x4x8x8xf32>, tensor<?x6x8x8xf32>, tensor<?x5x8x8xf32>) -> tensor<?x15x8x8xf32>
// CHECK-NEXT: %[[G0:.*]] = cst.slice %[[G]][0] : (tensor<?x15x8x8xf32>) -> tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[G1:.*]] = cst.slice %[[G]][4] : (tensor<?x15x8x8xf32>) -> tensor<?x6x8x8xf32>
// CHECK-NEXT: %[[T1:.*]] = cst.conv_transpose %[[G1]], %[[W1]] {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x6x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[S1:.*]] = cst.axpby %[[G0]], %[[T1]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64} : tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[G3:.*]] = cst.slice %[[G]][10] : (tensor<?x15x8x8xf32>) -> tensor<?x5x8x8xf32>
// CHECK-NEXT: %[[T3:.*]] = cst.conv_transpose %[[G3]], %[[W3]] {dilation = 3 : i64, padding = 3 : i64, stride = 1 : i64} : (tensor<?x5x8x8xf32>, tensor<5x4x3x3xf32>) -> tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[S:.*]] = cst.axpby %[[S1]], %[[T3]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64} : tensor<?x4x8x8xf32>
// CHECK-NEXT: return %[[A]], %[[S]]
func.func @vstack_identity(%x: tensor<?x4x8x8xf32>, %g: tensor<?x15x8x8xf32>, %w1: tensor<6x4x3x3xf32>, %w3: tensor<5x4x3x3xf32>) -> (tensor<?x15x8x8xf32>, tensor<?x4x8x8xf32>) {
  %i = csc.identity : !csc.dict<4 -> 4>
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<6x4x3x3xf32> -> !csc.dict<4 -> 6>
  %f3 = csc.conv_atom %w3 {dilation = 3 : i64, padding = 3 : i64, stride = 1 : i64} : tensor<5x4x3x3xf32> -> !csc.dict<4 -> 5>
  %d = csc.vstack %i, %f1, %f3 : (!csc.dict<4 -> 4>, !csc.dict<4 -> 6>, !csc.dict<4 -> 5>) -> !csc.dict<4 -> 15>
  %a = csc.analysis %d, %x : !csc.dict<4 -> 15>, tensor<?x4x8x8xf32> -> tensor<?x15x8x8xf32>
  %s = csc.synthesis %d, %g : !csc.dict<4 -> 15>, tensor<?x15x8x8xf32> -> tensor<?x4x8x8xf32>
  return %a, %s : tensor<?x15x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// Two dilations and no identity, the blocks' codes in order.
// CHECK-LABEL: func.func @vstack_two_dilations
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x1x8x8xf32>, %[[G:[^:]*]]: tensor<?x6x8x8xf32>, %[[W1:[^:]*]]: tensor<4x1x3x3xf32>, %[[W2:[^:]*]]: tensor<2x1x3x3xf32>)
// CHECK-NEXT: %[[A1:.*]] = cst.conv %[[X]], %[[W1]] {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64}
// CHECK-NEXT: %[[A2:.*]] = cst.conv %[[X]], %[[W2]] {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64}
// CHECK-NEXT: %[[A:.*]] = cst.concat %[[A1]], %[[A2]] : (tensor<?x4x8x8xf32>, tensor<?x2x8x8xf32>) -> tensor<?x6x8x8xf32>
// CHECK-NEXT: %[[G1:.*]] = cst.slice %[[G]][0] : (tensor<?x6x8x8xf32>) -> tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[T1:.*]] = cst.conv_transpose %[[G1]], %[[W1]] {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x1x8x8xf32>
// CHECK-NEXT: %[[G2:.*]] = cst.slice %[[G]][4] : (tensor<?x6x8x8xf32>) -> tensor<?x2x8x8xf32>
// CHECK-NEXT: %[[T2:.*]] = cst.conv_transpose %[[G2]], %[[W2]] {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : (tensor<?x2x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x1x8x8xf32>
// CHECK-NEXT: %[[S:.*]] = cst.axpby %[[T1]], %[[T2]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64} : tensor<?x1x8x8xf32>
// CHECK-NEXT: return %[[A]], %[[S]]
func.func @vstack_two_dilations(%x: tensor<?x1x8x8xf32>, %g: tensor<?x6x8x8xf32>, %w1: tensor<4x1x3x3xf32>, %w2: tensor<2x1x3x3xf32>) -> (tensor<?x6x8x8xf32>, tensor<?x1x8x8xf32>) {
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x1x3x3xf32> -> !csc.dict<1 -> 4>
  %f2 = csc.conv_atom %w2 {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<2x1x3x3xf32> -> !csc.dict<1 -> 2>
  %d = csc.vstack %f1, %f2 : (!csc.dict<1 -> 4>, !csc.dict<1 -> 2>) -> !csc.dict<1 -> 6>
  %a = csc.analysis %d, %x : !csc.dict<1 -> 6>, tensor<?x1x8x8xf32> -> tensor<?x6x8x8xf32>
  %s = csc.synthesis %d, %g : !csc.dict<1 -> 6>, tensor<?x6x8x8xf32> -> tensor<?x1x8x8xf32>
  return %a, %s : tensor<?x6x8x8xf32>, tensor<?x1x8x8xf32>
}

// -----

// A stack of one block is that block: no concat, no slice, no sum.
// CHECK-LABEL: func.func @vstack_single
// CHECK-NEXT: %[[A:.*]] = cst.conv
// CHECK-NEXT: %[[S:.*]] = cst.conv_transpose
// CHECK-NEXT: return %[[A]], %[[S]]
func.func @vstack_single(%x: tensor<?x1x8x8xf32>, %g: tensor<?x4x8x8xf32>, %w1: tensor<4x1x3x3xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x1x8x8xf32>) {
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x1x3x3xf32> -> !csc.dict<1 -> 4>
  %d = csc.vstack %f1 : (!csc.dict<1 -> 4>) -> !csc.dict<1 -> 4>
  %a = csc.analysis %d, %x : !csc.dict<1 -> 4>, tensor<?x1x8x8xf32> -> tensor<?x4x8x8xf32>
  %s = csc.synthesis %d, %g : !csc.dict<1 -> 4>, tensor<?x4x8x8xf32> -> tensor<?x1x8x8xf32>
  return %a, %s : tensor<?x4x8x8xf32>, tensor<?x1x8x8xf32>
}

// -----

// A bottleneck [identity, conv 1x1 >> conv 3x3]: the composition nests in the
// stack.
// CHECK-LABEL: func.func @vstack_compose
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x6x6xf32>, %[[G:[^:]*]]: tensor<?x5x6x6xf32>, %[[W1:[^:]*]]: tensor<8x2x1x1xf32>, %[[W2:[^:]*]]: tensor<3x8x3x3xf32>)
// CHECK-NEXT: %[[M:.*]] = cst.conv %[[X]], %[[W1]]
// CHECK-NEXT: %[[C:.*]] = cst.conv %[[M]], %[[W2]]
// CHECK-NEXT: cst.concat %[[X]], %[[C]] : (tensor<?x2x6x6xf32>, tensor<?x3x6x6xf32>) -> tensor<?x5x6x6xf32>
// CHECK-NEXT: %[[G0:.*]] = cst.slice %[[G]][0] : (tensor<?x5x6x6xf32>) -> tensor<?x2x6x6xf32>
// CHECK-NEXT: %[[G1:.*]] = cst.slice %[[G]][2] : (tensor<?x5x6x6xf32>) -> tensor<?x3x6x6xf32>
// CHECK-NEXT: %[[N:.*]] = cst.conv_transpose %[[G1]], %[[W2]] {{.*}} -> tensor<?x8x6x6xf32>
// CHECK-NEXT: %[[T:.*]] = cst.conv_transpose %[[N]], %[[W1]] {{.*}} -> tensor<?x2x6x6xf32>
// CHECK-NEXT: cst.axpby %[[G0]], %[[T]]
// CHECK-NEXT: return
func.func @vstack_compose(%x: tensor<?x2x6x6xf32>, %g: tensor<?x5x6x6xf32>, %w1: tensor<8x2x1x1xf32>, %w2: tensor<3x8x3x3xf32>) -> (tensor<?x5x6x6xf32>, tensor<?x2x6x6xf32>) {
  %i = csc.identity : !csc.dict<2 -> 2>
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<8x2x1x1xf32> -> !csc.dict<2 -> 8>
  %f2 = csc.conv_atom %w2 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x8x3x3xf32> -> !csc.dict<8 -> 3>
  %c = csc.compose %f1, %f2 : !csc.dict<2 -> 8>, !csc.dict<8 -> 3> -> !csc.dict<2 -> 3>
  %d = csc.vstack %i, %c : (!csc.dict<2 -> 2>, !csc.dict<2 -> 3>) -> !csc.dict<2 -> 5>
  %a = csc.analysis %d, %x : !csc.dict<2 -> 5>, tensor<?x2x6x6xf32> -> tensor<?x5x6x6xf32>
  %s = csc.synthesis %d, %g : !csc.dict<2 -> 5>, tensor<?x5x6x6xf32> -> tensor<?x2x6x6xf32>
  return %a, %s : tensor<?x5x6x6xf32>, tensor<?x2x6x6xf32>
}

// -----

// Dictionary ops left without a use are erased, also ones never applied;
// a dictionary still used (by a pursuit not yet unfolded) stays.
// CHECK-LABEL: func.func @dead_dicts
// CHECK-NOT: csc.identity
// CHECK-NOT: csc.compose
// CHECK: %[[KEEP:.*]] = csc.conv_atom %arg2
// CHECK-NEXT: %[[V:.*]] = csc.vstack %[[KEEP]]
// CHECK-NEXT: cst.conv
// CHECK-NEXT: csc.pursuit %arg0, %[[V]]
// CHECK-NOT: csc.conv_atom
// CHECK-NOT: csc.analysis
// CHECK: return
func.func @dead_dicts(%x: tensor<?x1x8x8xf32>, %w1: tensor<4x1x3x3xf32>, %w2: tensor<4x1x3x3xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %i = csc.identity : !csc.dict<1 -> 1>
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x1x3x3xf32> -> !csc.dict<1 -> 4>
  %unused = csc.vstack %i, %f1 : (!csc.dict<1 -> 1>, !csc.dict<1 -> 4>) -> !csc.dict<1 -> 5>
  %f2 = csc.conv_atom %w2 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x1x3x3xf32> -> !csc.dict<1 -> 4>
  %kept = csc.vstack %f2 : (!csc.dict<1 -> 4>) -> !csc.dict<1 -> 4>
  %a = csc.analysis %f1, %x : !csc.dict<1 -> 4>, tensor<?x1x8x8xf32> -> tensor<?x4x8x8xf32>
  %p = csc.pursuit %x, %kept {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x1x8x8xf32>, !csc.dict<1 -> 4>) -> tensor<?x4x8x8xf32>
  return %a, %p : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

func.func @dict_argument(%x: tensor<?x1x8x8xf32>, %d: !csc.dict<1 -> 4>) -> tensor<?x4x8x8xf32> {
  // expected-error @+1 {{'csc.analysis' op needs its dictionary built by csc dictionary ops}}
  %a = csc.analysis %d, %x : !csc.dict<1 -> 4>, tensor<?x1x8x8xf32> -> tensor<?x4x8x8xf32>
  return %a : tensor<?x4x8x8xf32>
}
