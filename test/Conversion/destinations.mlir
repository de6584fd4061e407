// The three small passes around bufferization.
// RUN: csc-opt %s --cscc-results-to-destinations | FileCheck %s --check-prefix=DEST
// RUN: csc-opt %s --cscc-results-to-destinations --cst-lower-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --cscc-drop-destination-results | FileCheck %s --check-prefix=BUF
// RUN: csc-opt %s --cscc-results-to-destinations --cst-lower-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --cscc-drop-destination-results --cscc-copy-to-linalg | FileCheck %s --check-prefix=COPY

// cscc-results-to-destinations: one writable argument per result of a public
// function, marked with its result index, and each result materialized in it.
// DEST-LABEL: func.func @forward(
// DEST-SAME: %[[X:[^:]*]]: tensor<?x4x8x8xf32>, %[[W:[^:]*]]: tensor<8x4x3x3xf32>,
// DEST-SAME: %[[D0:[^:]*]]: tensor<?x8x8x8xf32> {bufferization.writable = true, cscc.result = 0 : i64},
// DEST-SAME: %[[D1:[^:]*]]: tensor<f32> {bufferization.writable = true, cscc.result = 1 : i64})
// DEST-SAME: -> (tensor<?x8x8x8xf32>, tensor<f32>)
// DEST: %[[Y:.*]] = cst.conv
// DEST: %[[R0:.*]] = bufferization.materialize_in_destination %[[Y]] in %[[D0]] : (tensor<?x8x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<?x8x8x8xf32>
// DEST-NEXT: %[[R1:.*]] = bufferization.materialize_in_destination %{{.*}} in %[[D1]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// DEST-NEXT: return %[[R0]], %[[R1]]
// Private functions keep their results.
// DEST-LABEL: func.func private @helper(%arg0: tensor<4xf32>) -> tensor<4xf32>
// DEST-NEXT: return %arg0
// DEST-LABEL: func.func private @decl(tensor<4xf32>) -> tensor<4xf32>

// After bufferization and cscc-drop-destination-results, @forward returns
// nothing: the convolution's buffer is copied into the caller's, the scalar
// written into the caller's.
// BUF-LABEL: func.func @forward(
// BUF-SAME: %{{[^:]*}}: memref<?x4x8x8xf32>, %{{[^:]*}}: memref<8x4x3x3xf32>,
// BUF-SAME: %[[D0:[^:]*]]: memref<?x8x8x8xf32> {cscc.result = 0 : i64},
// BUF-SAME: %[[D1:[^:]*]]: memref<f32> {cscc.result = 1 : i64}) attributes {llvm.emit_c_interface} {
// BUF: call @cscc_conv2d_fwd_f32(
// BUF: memref.copy %{{.*}}, %[[D0]] : memref<?x8x8x8xf32> to memref<?x8x8x8xf32>
// BUF: memref.copy %{{.*}}, %[[D1]] : memref<f32> to memref<f32>
// BUF-NEXT: return{{$}}
// BUF-LABEL: func.func private @helper(%arg0: memref<4xf32>) -> memref<4xf32>

// cscc-copy-to-linalg: the copies become linalg.copy (generated loops).
// COPY-LABEL: func.func @forward(
// COPY-NOT: memref.copy
// COPY: linalg.copy ins(%{{.*}} : memref<?x8x8x8xf32>) outs(%{{.*}} : memref<?x8x8x8xf32>)
// COPY: linalg.copy ins(%{{.*}} : memref<f32>) outs(%{{.*}} : memref<f32>)
// COPY-NOT: memref.copy
func.func @forward(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> (tensor<?x8x8x8xf32>, tensor<f32>) {
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x8x8x8xf32>) -> tensor<f32>
  return %y, %l : tensor<?x8x8x8xf32>, tensor<f32>
}
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func private @decl(tensor<4xf32>) -> tensor<4xf32>
