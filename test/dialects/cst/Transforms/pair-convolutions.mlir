// cst-pair-convolutions: two convolution kernel calls in a row that read one
// buffer become one call of the paired kernel (the registered naming: the
// host's cscc_conv2d_pair_<elem>, kinds as the runtime's Conv2dKind: 0
// forward, 1 backward data, 2 backward filter), at the second's place.
// RUN: csc-opt %s --split-input-file --cst-pair-convolutions | FileCheck %s

!v32 = memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
!v64 = memref<?x?x?x?xf64, strided<[?, ?, ?, ?], offset: ?>>
func.func private @cscc_conv2d_fwd_f32(!v32, !v32, !v32, i64, i64, i64) attributes {cst.convolution_kind = 0 : i64, llvm.emit_c_interface}
func.func private @cscc_conv2d_bwd_data_f32(!v32, !v32, !v32, i64, i64, i64) attributes {cst.convolution_kind = 1 : i64, llvm.emit_c_interface}
func.func private @cscc_conv2d_bwd_filter_f32(!v32, !v32, !v32, i64, i64, i64) attributes {cst.convolution_kind = 2 : i64, llvm.emit_c_interface}
func.func private @cscc_conv2d_bwd_filter_f64(!v64, !v64, !v64, i64, i64, i64) attributes {cst.convolution_kind = 2 : i64, llvm.emit_c_interface}
func.func private @cscc_conv2d_bwd_data_f64(!v64, !v64, !v64, i64, i64, i64) attributes {cst.convolution_kind = 1 : i64, llvm.emit_c_interface}
// Not a convolution kernel (no kind), though of the same signature.
func.func private @other(!v32, !v32, !v32, i64, i64, i64)

// The declaration, once, with what the kernel does with each buffer.
// CHECK-LABEL: module {
// CHECK: func.func private @cscc_conv2d_pair_f32(i64, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"}, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"}, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-NOT: func.func private @cscc_conv2d_pair_f32

// A convolution's product: dw from (x, dy), then dx from (dy, w). The casts
// and the allocation between them stay; the pair runs where dx's call was.
// CHECK-LABEL: func.func @conv_vjp(
// CHECK-SAME: %[[X:.*]]: memref<2x4x8x8xf32>, %[[DY:.*]]: memref<2x8x8x8xf32>, %[[W:.*]]: memref<8x4x3x3xf32>, %[[DW:.*]]: memref<8x4x3x3xf32>)
// CHECK: %[[CX:.*]] = memref.cast %[[X]]
// CHECK: %[[CDY:.*]] = memref.cast %[[DY]]
// CHECK: %[[CDW:.*]] = memref.cast %[[DW]]
// CHECK-NOT: call @cscc_conv2d_bwd
// CHECK: %[[DX:.*]] = memref.alloc()
// CHECK: %[[CDY2:.*]] = memref.cast %[[DY]]
// CHECK: %[[CW:.*]] = memref.cast %[[W]]
// CHECK: %[[CDX:.*]] = memref.cast %[[DX]]
// CHECK: %[[K2:.*]] = arith.constant 2 : i64
// CHECK: %[[K1:.*]] = arith.constant 1 : i64
// CHECK: call @cscc_conv2d_pair_f32(%[[K2]], %[[CX]], %[[CDY]], %[[CDW]], %[[K1]], %[[CDY2]], %[[CW]], %[[CDX]], %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT: call @cscc_conv2d
// CHECK: return %[[DX]]
func.func @conv_vjp(%x: memref<2x4x8x8xf32>, %dy: memref<2x8x8x8xf32>, %w: memref<8x4x3x3xf32>, %dw: memref<8x4x3x3xf32>) -> memref<2x4x8x8xf32> {
  %s = arith.constant 1 : i64
  %d = arith.constant 2 : i64
  %p = arith.constant 2 : i64
  %cx = memref.cast %x : memref<2x4x8x8xf32> to !v32
  %cdy = memref.cast %dy : memref<2x8x8x8xf32> to !v32
  %cdw = memref.cast %dw : memref<8x4x3x3xf32> to !v32
  call @cscc_conv2d_bwd_filter_f32(%cx, %cdy, %cdw, %s, %d, %p) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  %dx = memref.alloc() : memref<2x4x8x8xf32>
  %cdy2 = memref.cast %dy : memref<2x8x8x8xf32> to !v32
  %cw = memref.cast %w : memref<8x4x3x3xf32> to !v32
  %cdx = memref.cast %dx : memref<2x4x8x8xf32> to !v32
  %s2 = arith.constant 1 : i64
  call @cscc_conv2d_bwd_data_f32(%cdy2, %cw, %cdx, %s2, %d, %p) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  return %dx : memref<2x4x8x8xf32>
}

// A transposed convolution's product: the forward of the cotangent z, then
// the filter gradient from z; three calls sharing z pair the first two only.
// CHECK-LABEL: func.func @three_calls(
// CHECK-SAME: %[[Z:arg0]]: {{.*}}, %[[W:arg1]]: {{.*}}, %[[G:arg2]]: {{.*}}, %[[DW:arg3]]: {{.*}}, %[[Y:arg4]]: {{.*}})
// CHECK: %[[K0:.*]] = arith.constant 0 : i64
// CHECK: %[[K2:.*]] = arith.constant 2 : i64
// CHECK: call @cscc_conv2d_pair_f32(%[[K0]], %[[Z]], %[[W]], %[[G]], %[[K2]], %[[Z]], %[[G]], %[[DW]],
// CHECK-NEXT: call @cscc_conv2d_fwd_f32(%[[Z]], %[[W]], %[[Y]],
func.func @three_calls(%z: !v32, %w: !v32, %g: !v32, %dw: !v32, %y: !v32) {
  %c1 = arith.constant 1 : i64
  call @cscc_conv2d_fwd_f32(%z, %w, %g, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_bwd_filter_f32(%z, %g, %dw, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_fwd_f32(%z, %w, %y, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  return
}

// f64 has its own paired kernel.
// CHECK-LABEL: func.func @f64_pair(
// CHECK: call @cscc_conv2d_pair_f64(
// CHECK-NOT: call @cscc_conv2d_bwd
func.func @f64_pair(%x: !v64, %dy: !v64, %w: !v64, %dw: !v64, %dx: !v64) {
  %c1 = arith.constant 1 : i64
  call @cscc_conv2d_bwd_filter_f64(%x, %dy, %dw, %c1, %c1, %c1) : (!v64, !v64, !v64, i64, i64, i64) -> ()
  call @cscc_conv2d_bwd_data_f64(%dy, %w, %dx, %c1, %c1, %c1) : (!v64, !v64, !v64, i64, i64, i64) -> ()
  return
}

// Left as they are: an op that writes memory between the calls (here the
// shared buffer itself); a different dilation; no buffer in common (an
// output of the first is no shared input); an element type apart; a call of
// another function between.
// CHECK-LABEL: func.func @unpaired(
// CHECK-NOT: cscc_conv2d_pair
// CHECK: return
func.func @unpaired(%x: !v32, %dy: !v32, %w: !v32, %dw: !v32, %dx: !v32, %x64: !v64, %dy64: !v64, %dw64: !v64) {
  %c1 = arith.constant 1 : i64
  %c2 = arith.constant 2 : i64
  %zero = arith.constant 0.0 : f32
  call @cscc_conv2d_bwd_filter_f32(%x, %dy, %dw, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  linalg.fill ins(%zero : f32) outs(%dy : !v32)
  call @cscc_conv2d_bwd_data_f32(%dy, %w, %dx, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_bwd_filter_f32(%x, %dy, %dw, %c1, %c2, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_fwd_f32(%dx, %w, %x, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_bwd_data_f32(%x, %dw, %dx, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_bwd_filter_f64(%x64, %dy64, %dw64, %c1, %c1, %c1) : (!v64, !v64, !v64, i64, i64, i64) -> ()
  call @other(%x, %dy, %dw, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_bwd_filter_f32(%x, %dy, %dw, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @other(%x, %dy, %dw, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  call @cscc_conv2d_bwd_data_f32(%dy, %w, %dx, %c1, %c1, %c1) : (!v32, !v32, !v32, i64, i64, i64) -> ()
  return
}
