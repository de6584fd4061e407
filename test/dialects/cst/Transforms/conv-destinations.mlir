// cscc-conv-destinations: each convolution without a destination gets a
// tensor.empty of its result type (the batch from its first operand) just
// before it; one that has a destination is left alone. Bufferized, the
// kernel then writes the destination's buffer (here a result argument:
// no new buffer, no copy).
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-conv-destinations))' | FileCheck %s
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-conv-destinations))' | csc-opt --pass-pipeline='builtin.module(func.func(cscc-conv-destinations))' | FileCheck %s
// RUN: csc-opt %s --pass-pipeline='builtin.module(cscc-results-to-destinations,func.func(cscc-conv-destinations),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},cscc-drop-destination-results,cse,canonicalize)' | FileCheck %s --check-prefix=BUF
// Without the pass, the filter gradient goes to a new buffer and is copied
// into the result argument (the BUF checks can fail):
// RUN: csc-opt %s --pass-pipeline='builtin.module(cscc-results-to-destinations,eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},cscc-drop-destination-results,cse,canonicalize)' | FileCheck %s --check-prefix=NOPASS

// CHECK-LABEL: func.func @convs
// CHECK: %[[N:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x4x16x16xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x8x8x8xf32>
// CHECK-NEXT: %[[Y:.*]] = cst.conv %arg0, %arg1 into %[[E]]
// CHECK: %[[N2:.*]] = tensor.dim %arg2, %{{.*}} : tensor<?x8x8x8xf32>
// CHECK-NEXT: %[[E2:.*]] = tensor.empty(%[[N2]]) : tensor<?x4x16x16xf32>
// CHECK-NEXT: cst.conv_transpose %arg2, %arg1 into %[[E2]]
// CHECK-NEXT: %[[E3:.*]] = tensor.empty() : tensor<8x4x3x3xf32>
// CHECK-NEXT: cst.conv_filter_grad %arg0, %arg2 into %[[E3]]
// CHECK-NEXT: cst.conv %arg0, %arg1 into %arg3
// CHECK-NOT: tensor.empty
// CHECK: return
func.func @convs(%x: tensor<?x4x16x16xf32>, %w: tensor<8x4x3x3xf32>, %g: tensor<?x8x8x8xf32>, %d: tensor<?x8x8x8xf32>)
    -> (tensor<?x8x8x8xf32>, tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<?x8x8x8xf32>) {
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  %t = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x16x16xf32>
  %f = cst.conv_filter_grad %x, %g {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  %z = cst.conv %x, %w into %d {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>
  return %y, %t, %f, %z : tensor<?x8x8x8xf32>, tensor<?x4x16x16xf32>, tensor<8x4x3x3xf32>, tensor<?x8x8x8xf32>
}

// A filter gradient returned as a result: the kernel writes the result
// argument.
// BUF-LABEL: func.func @filter_grad(
// BUF-SAME: %[[X:[^:]*]]: memref<?x4x16x16xf32>, %[[G:[^:]*]]: memref<?x8x8x8xf32>, %[[OUT:[^:]*]]: memref<8x4x3x3xf32>
// BUF-NOT: memref.alloc
// BUF: %[[C:.*]] = memref.cast %[[OUT]]
// BUF: call @cscc_conv2d_bwd_filter_f32(%{{.*}}, %{{.*}}, %[[C]],
// BUF-NOT: memref.copy
// BUF: return
// NOPASS-LABEL: func.func @filter_grad(
// NOPASS: memref.alloc
// NOPASS: memref.copy
func.func @filter_grad(%x: tensor<?x4x16x16xf32>, %g: tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32> {
  %f = cst.conv_filter_grad %x, %g {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x16x16xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  return %f : tensor<8x4x3x3xf32>
}
