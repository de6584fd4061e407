// A convolution reading a channel slice of a concatenation, from cst.concat
// and cst.slice through cst-lower-to-linalg and One-Shot Bufferize: the kernel
// gets a strided subview of the concatenation's buffer.
// RUN: csc-opt %s --cst-lower-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s --check-prefix=VIEW
// VIEW-LABEL: func.func @cst_views
// VIEW-SAME: (%[[A:.*]]: memref<?x4x8x8xf32>, %[[B:.*]]: memref<?x6x8x8xf32>, %{{.*}}: memref<2x6x3x3xf32>)
// VIEW: %[[CAT:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x10x8x8xf32>
// The inputs (function arguments here) are copied into their slices.
// VIEW: memref.copy %[[A]], %{{.*}} : memref<?x4x8x8xf32> to memref<?x4x8x8xf32, strided<[640, 64, 8, 1]>>
// VIEW: memref.copy %[[B]], %{{.*}} : memref<?x6x8x8xf32> to memref<?x6x8x8xf32, strided<[640, 64, 8, 1], offset: 256>>
// The slice read by the convolution is a view of the same buffer.
// VIEW: %[[V:.*]] = memref.subview %[[CAT]][0, 4, 0, 0] [%{{.*}}, 6, 8, 8] [1, 1, 1, 1] : memref<?x10x8x8xf32> to memref<?x6x8x8xf32, strided<[640, 64, 8, 1], offset: 256>>
// VIEW-NEXT: %{{.*}} = arith.constant 0 : index
// VIEW-NEXT: %[[N:.*]] = memref.dim %[[V]]
// VIEW-NEXT: memref.alloc(%[[N]]) {{.*}} : memref<?x2x8x8xf32>
// VIEW-NEXT: %[[CV:.*]] = memref.cast %[[V]] : memref<?x6x8x8xf32, strided<[640, 64, 8, 1], offset: 256>> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// VIEW: call @cscc_conv2d_fwd_f32(%[[CV]],
// VIEW-NOT: memref.copy
func.func @cst_views(%a: tensor<?x4x8x8xf32>, %b: tensor<?x6x8x8xf32>, %w: tensor<2x6x3x3xf32>) -> tensor<?x2x8x8xf32> {
  %c = cst.concat %a, %b : (tensor<?x4x8x8xf32>, tensor<?x6x8x8xf32>) -> tensor<?x10x8x8xf32>
  %s = cst.slice %c[4] : (tensor<?x10x8x8xf32>) -> tensor<?x6x8x8xf32>
  %y = cst.conv %s, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x6x8x8xf32>, tensor<2x6x3x3xf32>) -> tensor<?x2x8x8xf32>
  return %y : tensor<?x2x8x8xf32>
}
