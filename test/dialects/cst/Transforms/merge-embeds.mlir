// cst-merge-embeds: in a sum of activations (plain cst.axpby, alpha = beta
// = 1, with the sums only it reads flattened into one list of terms), the
// cst.embed windows read by that sum alone that are adjacent become one
// cst.concat, embedded at the first window's offset unless it covers every
// channel; the other terms keep their order and the windows follow them.
// Anything else is left as it is.
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cst-merge-embeds))' | FileCheck %s
// Bufferized by cscc's pipeline, the backward pass's pattern (a gradient
// plus two windows that tile it) copies nothing and fills no zeros; without
// the pass it does both (the test can fail):
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cst-merge-embeds),cscc-cst-to-buffers)' | sed -n '/func.func @backward_pattern/,/return/p' > %t.on
// RUN: grep -c func.func %t.on && not grep -E 'memref.copy|linalg.map|linalg.fill' %t.on
// (cscc-cst-to-buffers runs cst-merge-embeds first; OFF spells out the rest)
// RUN: csc-opt %s --pass-pipeline='builtin.module(cscc-results-to-destinations,cst-lower-to-linalg,canonicalize,linalg-fuse-elementwise-ops,canonicalize,func.func(cscc-recompute-cheap-producers),linalg-fuse-elementwise-ops,canonicalize,func.func(cscc-conv-destinations,cscc-place-concat-buffers),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},cscc-drop-destination-results,cse,canonicalize)' | sed -n '/func.func @backward_pattern/,/return/p' | FileCheck %s --check-prefix=OFF

// The shape an MSD layer's backward pass has: dz + embed(dcode, 0) +
// embed(dconv, 6), the code's gradient (an elementwise sum) and the
// convolution's channels (D^T of it) tiling the layer's output (a
// left-deep chain, as cst-autodiff sums in order).
// CHECK-LABEL: func.func @backward_pattern
// CHECK: %[[DCODE:.*]] = cst.axpby %arg1, %arg2
// CHECK: %[[DCONV:.*]] = cst.conv %[[DCODE]], %arg3
// CHECK-NOT: cst.embed
// CHECK: %[[CAT:.*]] = cst.concat %[[DCODE]], %[[DCONV]] : (tensor<?x6x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x8x4x4xf32>
// CHECK-NEXT: %[[SUM:.*]] = cst.axpby %arg0, %[[CAT]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: return %[[SUM]]
// OFF-LABEL: func.func @backward_pattern
// OFF: linalg.map
// OFF: memref.copy
func.func @backward_pattern(%dz: tensor<?x8x4x4xf32>, %p: tensor<?x6x4x4xf32>,
                            %q: tensor<?x6x4x4xf32>, %w: tensor<2x6x3x3xf32>)
    -> tensor<?x8x4x4xf32> {
  %dcode = cst.axpby %p, %q {alpha = 1.0 : f64, beta = -1.0 : f64} : tensor<?x6x4x4xf32>
  %dconv = cst.conv %dcode, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x6x4x4xf32>, tensor<2x6x3x3xf32>) -> tensor<?x2x4x4xf32>
  %e1 = cst.embed %dconv[6] : (tensor<?x2x4x4xf32>) -> tensor<?x8x4x4xf32>
  %s1 = cst.axpby %dz, %e1 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x8x4x4xf32>
  %e0 = cst.embed %dcode[0] : (tensor<?x6x4x4xf32>) -> tensor<?x8x4x4xf32>
  %s2 = cst.axpby %s1, %e0 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x8x4x4xf32>
  return %s2 : tensor<?x8x4x4xf32>
}

// Windows alone that cover every channel: the concatenation, no sum.
// CHECK-LABEL: func.func @windows_only
// CHECK-NEXT: %[[CAT:.*]] = cst.concat %arg0, %arg1 : {{.*}} -> tensor<?x3x2x2xf32>
// CHECK-NEXT: return %[[CAT]]
func.func @windows_only(%a: tensor<?x1x2x2xf32>, %b: tensor<?x2x2x2xf32>) -> tensor<?x3x2x2xf32> {
  %ea = cst.embed %a[0] : (tensor<?x1x2x2xf32>) -> tensor<?x3x2x2xf32>
  %eb = cst.embed %b[1] : (tensor<?x2x2x2xf32>) -> tensor<?x3x2x2xf32>
  %s = cst.axpby %ea, %eb {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x3x2x2xf32>
  return %s : tensor<?x3x2x2xf32>
}

// Adjacent windows that do not cover: one embed of their concatenation at
// the first offset; a third window apart (a gap before it) stays its own
// term; the windows come after the other terms (%g, %h, in their order),
// whatever order the tree had them in.
// CHECK-LABEL: func.func @partial_and_gap
// CHECK-NEXT: %[[FAR:.*]] = cst.embed %arg4[6]
// CHECK-NEXT: %[[CAT:.*]] = cst.concat %arg2, %arg3 : {{.*}} -> tensor<?x3x2x2xf32>
// CHECK-NEXT: %[[E:.*]] = cst.embed %[[CAT]][1] : (tensor<?x3x2x2xf32>) -> tensor<?x8x2x2xf32>
// CHECK-NEXT: %[[S1:.*]] = cst.axpby %arg0, %arg1
// CHECK-NEXT: %[[S2:.*]] = cst.axpby %[[S1]], %[[E]]
// CHECK-NEXT: %[[S3:.*]] = cst.axpby %[[S2]], %[[FAR]]
// CHECK-NEXT: return %[[S3]]
func.func @partial_and_gap(%g: tensor<?x8x2x2xf32>, %h: tensor<?x8x2x2xf32>,
                           %a: tensor<?x1x2x2xf32>, %b: tensor<?x2x2x2xf32>,
                           %c: tensor<?x1x2x2xf32>) -> tensor<?x8x2x2xf32> {
  %eb = cst.embed %b[2] : (tensor<?x2x2x2xf32>) -> tensor<?x8x2x2xf32>
  %ec = cst.embed %c[6] : (tensor<?x1x2x2xf32>) -> tensor<?x8x2x2xf32>
  %ea = cst.embed %a[1] : (tensor<?x1x2x2xf32>) -> tensor<?x8x2x2xf32>
  %s1 = cst.axpby %eb, %g {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x8x2x2xf32>
  %s2 = cst.axpby %ec, %ea {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x8x2x2xf32>
  %s3 = cst.axpby %s1, %s2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x8x2x2xf32>
  %s4 = cst.axpby %s3, %h {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x8x2x2xf32>
  return %s4 : tensor<?x8x2x2xf32>
}

// Left alone: overlapping windows (a real sum), a gap between two windows,
// a window read twice, a sum read twice (its own root: its windows are
// not adjacent), and a scaled sum.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: cst.concat
// CHECK: return
func.func @left_alone(%a: tensor<?x2x2x2xf32>, %b: tensor<?x2x2x2xf32>,
                      %c: tensor<?x1x2x2xf32>)
    -> (tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>,
        tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>) {
  // overlap: [0, 2) and [1, 3)
  %o1 = cst.embed %a[0] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %o2 = cst.embed %b[1] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %overlap = cst.axpby %o1, %o2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x4x2x2xf32>
  // gap: [0, 1) and [2, 4)
  %g1 = cst.embed %c[0] : (tensor<?x1x2x2xf32>) -> tensor<?x4x2x2xf32>
  %g2 = cst.embed %b[2] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %gap = cst.axpby %g1, %g2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x4x2x2xf32>
  // a window also returned: not the sum's alone
  %t1 = cst.embed %a[0] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %t2 = cst.embed %b[2] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %twice = cst.axpby %t1, %t2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x4x2x2xf32>
  // scaled: 2 * x + y is no plain sum
  %u1 = cst.embed %a[0] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %u2 = cst.embed %b[2] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %scaled = cst.axpby %u1, %u2 {alpha = 2.0 : f64, beta = 1.0 : f64} : tensor<?x4x2x2xf32>
  return %overlap, %gap, %twice, %t1, %scaled : tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>
}

// A sum read twice is a term of the sum above it, not flattened into it:
// its windows ([0, 2) with the outer sum's [2, 4)) are not merged across.
// CHECK-LABEL: func.func @shared_inner_sum
// CHECK-NOT: cst.concat
// CHECK: return
func.func @shared_inner_sum(%g: tensor<?x4x2x2xf32>, %a: tensor<?x2x2x2xf32>,
                            %b: tensor<?x2x2x2xf32>)
    -> (tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>) {
  %ea = cst.embed %a[0] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %inner = cst.axpby %g, %ea {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x4x2x2xf32>
  %eb = cst.embed %b[2] : (tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32>
  %outer = cst.axpby %inner, %eb {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x4x2x2xf32>
  return %inner, %outer : tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>
}
