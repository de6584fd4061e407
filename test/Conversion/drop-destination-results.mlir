// cscc-drop-destination-results alone: only the results that are cscc.result
// arguments go; others stay, in order.
// RUN: csc-opt %s --cscc-drop-destination-results | FileCheck %s --check-prefix=DROP
// DROP-LABEL: func.func @mixed(
// DROP-SAME: %[[S:arg1]]: memref<f32>, %[[R0:arg2]]: memref<4xf32> {cscc.result = 0 : i64}, %[[R1:arg3]]: memref<f32> {cscc.result = 1 : i64})
// DROP-SAME: -> (memref<f32>, memref<4xf32>)
// DROP-NEXT: return %[[S]], %arg0 : memref<f32>, memref<4xf32>
func.func @mixed(%x: memref<4xf32>, %s: memref<f32>, %r0: memref<4xf32> {cscc.result = 0 : i64}, %r1: memref<f32> {cscc.result = 1 : i64}) -> (memref<4xf32>, memref<f32>, memref<f32>, memref<4xf32>) {
  return %r0, %s, %r1, %x : memref<4xf32>, memref<f32>, memref<f32>, memref<4xf32>
}
