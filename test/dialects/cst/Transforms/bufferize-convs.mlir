// One-Shot Bufferize turns the three convolutions into calls of the runtime
// kernels cscc_conv2d_{fwd,bwd_data,bwd_filter}_{f32,f64}: operands and a new
// output buffer cast to fully dynamic strided memrefs, then stride, dilation
// and padding as i64; each kernel declared once, private, with the C
// interface, its buffers marked as read or written (bufferization.access,
// which cscc-device-buffers relies on) and with its kind
// (cst.convolution_kind: 0 forward, 1 backward data, 2 backward filter;
// cst-pair-convolutions reads it).
// RUN: csc-opt %s --split-input-file --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s

// CHECK-LABEL: module {
// CHECK-DAG: func.func private @cscc_conv2d_fwd_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, i64, i64) attributes {cst.convolution_kind = 0 : i64, llvm.emit_c_interface}
// CHECK-DAG: func.func private @cscc_conv2d_bwd_data_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, i64, i64) attributes {cst.convolution_kind = 1 : i64, llvm.emit_c_interface}
// CHECK-DAG: func.func private @cscc_conv2d_bwd_filter_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, i64, i64) attributes {cst.convolution_kind = 2 : i64, llvm.emit_c_interface}
// CHECK-NOT: func.func private @cscc_conv2d
// CHECK-LABEL: func.func @convs_f32
// CHECK-SAME: (%[[X:.*]]: memref<?x4x8x8xf32>, %[[W:.*]]: memref<8x4x3x3xf32>, %[[G:.*]]: memref<?x8x8x8xf32>) -> (memref<?x8x4x4xf32>, memref<?x4x8x8xf32>, memref<8x4x3x3xf32>)
// Forward: its output batch is the input's.
// CHECK: %[[N:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x4x8x8xf32>
// CHECK-NEXT: %[[Y:.*]] = memref.alloc(%[[N]]) {{.*}} : memref<?x8x4x4xf32>
// CHECK-NEXT: %[[CX:.*]] = memref.cast %[[X]] : memref<?x4x8x8xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-NEXT: %[[CW:.*]] = memref.cast %[[W]] : memref<8x4x3x3xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-NEXT: %[[CY:.*]] = memref.cast %[[Y]] : memref<?x8x4x4xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-NEXT: %[[S:.*]] = arith.constant 2 : i64
// CHECK-NEXT: %[[D:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[P:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @cscc_conv2d_fwd_f32(%[[CX]], %[[CW]], %[[CY]], %[[S]], %[[D]], %[[P]])
// Backward-data (the adjoint): the code, the same filter, the signal-sized
// output; stride 1, dilation 2, padding 2.
// CHECK: %[[NG:.*]] = memref.dim %[[G]], %{{.*}} : memref<?x8x8x8xf32>
// CHECK-NEXT: %[[T:.*]] = memref.alloc(%[[NG]]) {{.*}} : memref<?x4x8x8xf32>
// CHECK-NEXT: %[[CG:.*]] = memref.cast %[[G]] : memref<?x8x8x8xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-NEXT: %[[CW2:.*]] = memref.cast %[[W]]
// CHECK-NEXT: %[[CT:.*]] = memref.cast %[[T]]
// CHECK-NEXT: %[[S2:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[D2:.*]] = arith.constant 2 : i64
// CHECK-NEXT: %[[P2:.*]] = arith.constant 2 : i64
// CHECK-NEXT: call @cscc_conv2d_bwd_data_f32(%[[CG]], %[[CW2]], %[[CT]], %[[S2]], %[[D2]], %[[P2]])
// Backward-filter: input and output gradient in, a static filter out.
// CHECK-NEXT: %[[F:.*]] = memref.alloc() {{.*}} : memref<8x4x3x3xf32>
// CHECK-NEXT: %[[CX3:.*]] = memref.cast %[[X]]
// CHECK-NEXT: %[[CG3:.*]] = memref.cast %[[G]]
// CHECK-NEXT: %[[CF:.*]] = memref.cast %[[F]]
// CHECK-NEXT: %[[S3:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[D3:.*]] = arith.constant 3 : i64
// CHECK-NEXT: %[[P3:.*]] = arith.constant 3 : i64
// CHECK-NEXT: call @cscc_conv2d_bwd_filter_f32(%[[CX3]], %[[CG3]], %[[CF]], %[[S3]], %[[D3]], %[[P3]])
// CHECK-NEXT: return %[[Y]], %[[T]], %[[F]]
// CHECK-NOT: cst.
func.func @convs_f32(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %g: tensor<?x8x8x8xf32>) -> (tensor<?x8x4x4xf32>, tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) {
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x4x4xf32>
  %t = cst.conv_transpose %g, %w {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %f = cst.conv_filter_grad %x, %g {dilation = 3 : i64, padding = 3 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  return %y, %t, %f : tensor<?x8x4x4xf32>, tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>
}

// -----

// f64 kernels; a static batch needs no memref.dim. Two forward convolutions
// share one declaration.
// CHECK-LABEL: module {
// CHECK-DAG: func.func private @cscc_conv2d_fwd_f64(memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, i64, i64) attributes {cst.convolution_kind = 0 : i64, llvm.emit_c_interface}
// CHECK-DAG: func.func private @cscc_conv2d_bwd_data_f64(memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, i64, i64) attributes {cst.convolution_kind = 1 : i64, llvm.emit_c_interface}
// CHECK-DAG: func.func private @cscc_conv2d_bwd_filter_f64(memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, i64, i64) attributes {cst.convolution_kind = 2 : i64, llvm.emit_c_interface}
// CHECK-NOT: func.func private
// CHECK-LABEL: func.func @convs_f64
// CHECK-NOT: memref.dim
// CHECK: %[[Y:.*]] = memref.alloc() {{.*}} : memref<2x8x8x8xf64>
// CHECK: call @cscc_conv2d_fwd_f64(
// CHECK: %[[Y2:.*]] = memref.alloc() {{.*}} : memref<2x8x8x8xf64>
// CHECK: %[[S:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[D:.*]] = arith.constant 2 : i64
// CHECK-NEXT: %[[P:.*]] = arith.constant 2 : i64
// CHECK-NEXT: call @cscc_conv2d_fwd_f64(%{{.*}}, %{{.*}}, %{{.*}}, %[[S]], %[[D]], %[[P]])
// CHECK: memref.alloc() {{.*}} : memref<2x4x8x8xf64>
// CHECK: call @cscc_conv2d_bwd_data_f64(
// CHECK: memref.alloc() {{.*}} : memref<8x4x3x3xf64>
// CHECK: call @cscc_conv2d_bwd_filter_f64(
// CHECK-NOT: _f32
// CHECK: return
func.func @convs_f64(%x: tensor<2x4x8x8xf64>, %w: tensor<8x4x3x3xf64>, %g: tensor<2x8x8x8xf64>) -> (tensor<2x8x8x8xf64>, tensor<2x8x8x8xf64>, tensor<2x4x8x8xf64>, tensor<8x4x3x3xf64>) {
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<2x4x8x8xf64>, tensor<8x4x3x3xf64>) -> tensor<2x8x8x8xf64>
  %y2 = cst.conv %x, %w {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : (tensor<2x4x8x8xf64>, tensor<8x4x3x3xf64>) -> tensor<2x8x8x8xf64>
  %t = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<2x8x8x8xf64>, tensor<8x4x3x3xf64>) -> tensor<2x4x8x8xf64>
  %f = cst.conv_filter_grad %x, %g {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<2x4x8x8xf64>, tensor<2x8x8x8xf64>) -> tensor<8x4x3x3xf64>
  return %y, %y2, %t, %f : tensor<2x8x8x8xf64>, tensor<2x8x8x8xf64>, tensor<2x4x8x8xf64>, tensor<8x4x3x3xf64>
}

// -----

// A convolution reading channels [4, 10) of a concatenation (as
// cst-lower-to-linalg writes cst.concat and cst.slice) gets the subview of
// the concatenation's buffer, strided with offset 4 * 64 = 256, not a copy.
// CHECK-LABEL: func.func @conv_of_slice
// CHECK: %[[CAT:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x10x8x8xf32>
// CHECK: memref.copy %arg1, %{{.*}} : memref<?x6x8x8xf32> to memref<?x6x8x8xf32, strided<[640, 64, 8, 1], offset: 256>>
// CHECK: %[[V:.*]] = memref.subview %[[CAT]][0, 4, 0, 0] [%{{.*}}, 6, 8, 8] [1, 1, 1, 1] : memref<?x10x8x8xf32> to memref<?x6x8x8xf32, strided<[640, 64, 8, 1], offset: 256>>
// CHECK-NOT: memref.copy %[[V]]
// CHECK: %[[CV:.*]] = memref.cast %[[V]] : memref<?x6x8x8xf32, strided<[640, 64, 8, 1], offset: 256>> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: call @cscc_conv2d_fwd_f32(%[[CV]],
func.func @conv_of_slice(%a: tensor<?x4x8x8xf32>, %b: tensor<?x6x8x8xf32>, %w: tensor<2x6x3x3xf32>) -> tensor<?x2x8x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x4x8x8xf32>
  %e = tensor.empty(%n) : tensor<?x10x8x8xf32>
  %c1 = tensor.insert_slice %a into %e[0, 0, 0, 0] [%n, 4, 8, 8] [1, 1, 1, 1] : tensor<?x4x8x8xf32> into tensor<?x10x8x8xf32>
  %c2 = tensor.insert_slice %b into %c1[0, 4, 0, 0] [%n, 6, 8, 8] [1, 1, 1, 1] : tensor<?x6x8x8xf32> into tensor<?x10x8x8xf32>
  %s = tensor.extract_slice %c2[0, 4, 0, 0] [%n, 6, 8, 8] [1, 1, 1, 1] : tensor<?x10x8x8xf32> to tensor<?x6x8x8xf32>
  %y = cst.conv %s, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x6x8x8xf32>, tensor<2x6x3x3xf32>) -> tensor<?x2x8x8xf32>
  return %y : tensor<?x2x8x8xf32>
}
