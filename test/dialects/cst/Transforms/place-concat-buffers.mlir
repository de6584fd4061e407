// cscc-place-concat-buffers: a concatenation's tensor.empty is placed just
// before the start of the chain of destinations of its first input's
// producer (not further up), each insert_slice moves up to just after its
// input, and later readers of an input read it back as its slice of the
// concatenation (of the finished one when they come after it), so that
// eliminate-empty-tensors makes every producer write into its slice and
// One-Shot Bufferize copies nothing.
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-place-concat-buffers))' | FileCheck %s
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-place-concat-buffers),eliminate-empty-tensors)' | FileCheck %s --check-prefix=ELIM
// (cse + canonicalize: a copy of a slice onto the same slice folds away, as
// in cscc's pipeline)
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-conv-destinations,cscc-place-concat-buffers),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},cse,canonicalize)' | FileCheck %s --check-prefix=BUF
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-conv-destinations,cscc-place-concat-buffers),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},cse,canonicalize)' | sed -n '/func.func @msd_layer/,/return/p' > %t.msd && grep -c func.func %t.msd && not grep memref.copy %t.msd
// Without the pass, the MSD layer copies its code and the convolution's
// channels into the concatenation (the test can fail):
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-conv-destinations),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},cse,canonicalize)' | FileCheck %s --check-prefix=NOPASS

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// CHECK-LABEL: func.func @concat
// CHECK: %[[N:.*]] = tensor.dim %arg0
// CHECK-NEXT: %[[CAT:.*]] = tensor.empty(%[[N]]) : tensor<?x4x2x2xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2x2x2xf32>
// CHECK-NEXT: %[[A:.*]] = linalg.generic {{.*}} outs(%[[E]]
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[CAT]]
// CHECK-NEXT: %[[I1:.*]] = tensor.insert_slice %arg0 into %[[I0]]
// CHECK-NEXT: %[[BACK:.*]] = tensor.extract_slice %[[I1]][0, 0, 0, 0] [%[[N]], 2, 2, 2]
// CHECK: return %[[I1]], %[[BACK]]
// ELIM-LABEL: func.func @concat
// ELIM: %[[CAT:.*]] = tensor.empty({{.*}}) : tensor<?x4x2x2xf32>
// ELIM: %[[S:.*]] = tensor.extract_slice %[[CAT]][0, 0, 0, 0]
// ELIM: linalg.generic {{.*}} outs(%[[S]]
func.func @concat(%x: tensor<?x2x2x2xf32>) -> (tensor<?x4x2x2xf32>, tensor<?x2x2x2xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x2x2x2xf32>
  %e = tensor.empty(%n) : tensor<?x2x2x2xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x2x2x2xf32>) outs(%e : tensor<?x2x2x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<?x2x2x2xf32>
  %cat = tensor.empty(%n) : tensor<?x4x2x2xf32>
  %i0 = tensor.insert_slice %a into %cat[0, 0, 0, 0] [%n, 2, 2, 2] [1, 1, 1, 1] : tensor<?x2x2x2xf32> into tensor<?x4x2x2xf32>
  %i1 = tensor.insert_slice %x into %i0[0, 2, 0, 0] [%n, 2, 2, 2] [1, 1, 1, 1] : tensor<?x2x2x2xf32> into tensor<?x4x2x2xf32>
  return %i1, %a : tensor<?x4x2x2xf32>, tensor<?x2x2x2xf32>
}

// A pooling writes into a filled tensor.empty: the concatenation's buffer
// goes before the empty (the start of the chain), so the fill and the
// pooling write into its slice.
// CHECK-LABEL: func.func @pool_chain
// CHECK: %[[CAT:.*]] = tensor.empty({{.*}}) : tensor<?x4x2x2xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.empty({{.*}}) : tensor<?x2x2x2xf32>
// CHECK-NEXT: linalg.fill {{.*}} outs(%[[E]]
// ELIM-LABEL: func.func @pool_chain
// ELIM: %[[CAT:.*]] = tensor.empty({{.*}}) : tensor<?x4x2x2xf32>
// ELIM: %[[S:.*]] = tensor.extract_slice %[[CAT]][0, 0, 0, 0]
// ELIM: %[[F:.*]] = linalg.fill {{.*}} outs(%[[S]]
// ELIM: linalg.pooling_nchw_max {{.*}} outs(%[[F]]
func.func @pool_chain(%x: tensor<?x2x4x4xf32>, %y: tensor<?x2x2x2xf32>) -> tensor<?x4x2x2xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x2x4x4xf32>
  %low = arith.constant -3.4e38 : f32
  %e = tensor.empty(%n) : tensor<?x2x2x2xf32>
  %f = linalg.fill ins(%low : f32) outs(%e : tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %win : tensor<?x2x4x4xf32>, tensor<2x2xf32>) outs(%f : tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>
  %cat = tensor.empty(%n) : tensor<?x4x2x2xf32>
  %i0 = tensor.insert_slice %p into %cat[0, 0, 0, 0] [%n, 2, 2, 2] [1, 1, 1, 1] : tensor<?x2x2x2xf32> into tensor<?x4x2x2xf32>
  %i1 = tensor.insert_slice %y into %i0[0, 2, 0, 0] [%n, 2, 2, 2] [1, 1, 1, 1] : tensor<?x2x2x2xf32> into tensor<?x4x2x2xf32>
  return %i1 : tensor<?x4x2x2xf32>
}

// An MSD layer: the code A and the convolution of A concatenated, [A, F A],
// A read again afterwards, also inside a loop body (as max-pooling's
// backward pass reads its output). Every producer writes into the one
// buffer: the code into the first channels, the convolution kernel
// (reading them) into the others; no copy.
// BUF-LABEL: func.func @msd_layer
// BUF: %[[CAT:.*]] = memref.alloc({{.*}}) {{.*}} : memref<?x5x4x4xf32>
// BUF: %[[CODE:.*]] = memref.subview %[[CAT]][0, 0, 0, 0] [{{.*}}, 2, 4, 4]
// BUF: linalg.generic {{.*}} outs(%[[CODE]]
// BUF: %[[NEW:.*]] = memref.subview %[[CAT]][0, 2, 0, 0] [{{.*}}, 3, 4, 4]
// BUF: %[[IN:.*]] = memref.cast %[[CODE]]
// BUF: %[[OUT:.*]] = memref.cast %[[NEW]]
// BUF: call @cscc_conv2d_fwd_f32(%[[IN]], %{{.*}}, %[[OUT]],
// BUF-NOT: memref.copy
// BUF: return
// NOPASS-LABEL: func.func @msd_layer
// NOPASS: memref.copy
func.func @msd_layer(%x: tensor<?x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x5x4x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x2x4x4xf32>
  %e = tensor.empty(%n) : tensor<?x2x4x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x2x4x4xf32>) outs(%e : tensor<?x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x2x4x4xf32>
  %fa = cst.conv %a, %w {stride = 1 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x4x4xf32>
  %cat = tensor.empty(%n) : tensor<?x5x4x4xf32>
  %i0 = tensor.insert_slice %a into %cat[0, 0, 0, 0] [%n, 2, 4, 4] [1, 1, 1, 1] : tensor<?x2x4x4xf32> into tensor<?x5x4x4xf32>
  %i1 = tensor.insert_slice %fa into %i0[0, 2, 0, 0] [%n, 3, 4, 4] [1, 1, 1, 1] : tensor<?x3x4x4xf32> into tensor<?x5x4x4xf32>
  %r = tensor.empty(%n) : tensor<?x5x4x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%i1 : tensor<?x5x4x4xf32>) outs(%r : tensor<?x5x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c1 = arith.constant 1 : index
    %k = arith.minui %j, %c1 : index
    %h = linalg.index 2 : index
    %w2 = linalg.index 3 : index
    %av = tensor.extract %a[%i, %k, %h, %w2] : tensor<?x2x4x4xf32>
    %s = arith.addf %in, %av : f32
    linalg.yield %s : f32
  } -> tensor<?x5x4x4xf32>
  return %sum : tensor<?x5x4x4xf32>
}
