// cscc-device-buffers: buffers live in GPU memory. Allocations become
// gpu.alloc/gpu.dealloc; an entry point keeps its host ABI, copying each
// buffer argument in, and back out before returning only when it may be
// written (a kernel's store, a call, unless the callee declares the
// argument read-only); the host kernels the target maps become its device
// kernels (the CUDA target's map, as cscc-cst-to-cuda passes it; any other).
// RUN: csc-opt %s --cscc-device-buffers='device-kernels=cscc_conv2d_fwd_f32:cscc_cuda_conv2d_fwd_f32,cscc_conv2d_bwd_data_f32:cscc_cuda_conv2d_bwd_data_f32' | FileCheck %s
// RUN: csc-opt %s --cscc-device-buffers='device-kernels=cscc_conv2d_bwd_data_f32:cscc_cuda_conv2d_bwd_data_f32,cscc_conv2d_fwd_f32:cscc_hip_conv2d_fwd_f32' | FileCheck %s --check-prefix=PREFIX

// CHECK: func.func private @cscc_cuda_conv2d_fwd_f32(
// CHECK-SAME: llvm.emit_c_interface
// CHECK-NOT: func.func private @cscc_conv2d_fwd_f32
// PREFIX: func.func private @cscc_hip_conv2d_fwd_f32(
func.func private @cscc_conv2d_fwd_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64) attributes {llvm.emit_c_interface}

// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<?x1x4x4xf32>, %[[W:[a-z0-9]+]]: memref<2x1x3x3xf32>, %[[Y:[a-z0-9]+]]: memref<?x2x2x2xf32>, %[[S:[a-z0-9]+]]: memref<f32>)
// Sizes from the host descriptors, one device copy per argument.
// CHECK-DAG: %[[DS:.*]] = gpu.alloc () : memref<f32>
// CHECK-DAG: gpu.memcpy %[[DS]], %[[S]] :
// CHECK-DAG: %[[NY:.*]] = memref.dim %[[Y]], %c0
// CHECK-DAG: %[[DY:.*]] = gpu.alloc (%[[NY]]) : memref<?x2x2x2xf32>
// CHECK-DAG: gpu.memcpy %[[DY]], %[[Y]] :
// CHECK-DAG: %[[DW:.*]] = gpu.alloc () : memref<2x1x3x3xf32>
// CHECK-DAG: gpu.memcpy %[[DW]], %[[W]] :
// CHECK-DAG: %[[NX:.*]] = memref.dim %[[X]], %c0
// CHECK-DAG: %[[DX:.*]] = gpu.alloc (%[[NX]]) : memref<?x1x4x4xf32>
// CHECK-DAG: gpu.memcpy %[[DX]], %[[X]] :
// The function's own buffer, on the device.
// CHECK: %[[T:.*]] = gpu.alloc (%{{.*}}) : memref<?x2x2x2xf32>
// CHECK: memref.cast %[[DX]]
// CHECK: call @cscc_cuda_conv2d_fwd_f32(
// CHECK: gpu.launch
// CHECK: memref.load %[[T]]
// CHECK: memref.store {{.*}}, %[[DS]][]
// CHECK: gpu.dealloc %[[T]] :
// Written arguments (a call's operands, a store) copied back; the weights
// only feed the call, but a call whose callee says nothing may write what
// it gets: copied back too.
// CHECK-DAG: gpu.memcpy %[[S]], %[[DS]] :
// CHECK-DAG: gpu.memcpy %[[Y]], %[[DY]] :
// CHECK-DAG: gpu.memcpy %[[X]], %[[DX]] :
// CHECK-DAG: gpu.memcpy %[[W]], %[[DW]] :
// CHECK-DAG: gpu.dealloc %[[DS]] :
// CHECK-DAG: gpu.dealloc %[[DY]] :
// CHECK-DAG: gpu.dealloc %[[DW]] :
// CHECK-DAG: gpu.dealloc %[[DX]] :
// CHECK: return
func.func @step(%x: memref<?x1x4x4xf32>, %w: memref<2x1x3x3xf32>, %y: memref<?x2x2x2xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1_i64 = arith.constant 1 : i64
  %n = memref.dim %x, %c0 : memref<?x1x4x4xf32>
  %t = memref.alloc(%n) : memref<?x2x2x2xf32>
  %cx = memref.cast %x : memref<?x1x4x4xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  %cw = memref.cast %w : memref<2x1x3x3xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  %ct = memref.cast %t : memref<?x2x2x2xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  call @cscc_conv2d_fwd_f32(%cx, %cw, %ct, %c1_i64, %c1_i64, %c1_i64) : (memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64) -> ()
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %t[%c0, %c0, %c0, %c0] : memref<?x2x2x2xf32>
    memref.store %v, %y[%c0, %c0, %c0, %c0] : memref<?x2x2x2xf32>
    memref.store %v, %s[] : memref<f32>
    gpu.terminator
  }
  memref.dealloc %t : memref<?x2x2x2xf32>
  return
}

// Read-only arguments are not copied back; unused ones not copied at all.
// CHECK-LABEL: func.func @read_only(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<4xf32>, %[[O:[a-z0-9]+]]: memref<4xf32>, %[[U:[a-z0-9]+]]: memref<4xf32>)
// CHECK-NOT: gpu.memcpy {{.*}}%[[U]]
// CHECK: %[[DO:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: %[[DA:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.launch
// CHECK: gpu.memcpy %[[O]], %[[DO]] :
// CHECK-NOT: gpu.memcpy %[[A]]
// CHECK: return
func.func @read_only(%a: memref<4xf32>, %o: memref<4xf32>, %u: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %view = memref.subview %o[1] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1], offset: 1>>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%c0] : memref<4xf32>
    memref.store %v, %view[%c0] : memref<2xf32, strided<[1], offset: 1>>
    gpu.terminator
  }
  return
}

// A private function's arguments are already device buffers.
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: gpu.memcpy
// CHECK: return
func.func private @helper(%a: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%c0] : memref<4xf32>
    memref.store %v, %a[%c1] : memref<4xf32>
    gpu.terminator
  }
  return
}

// A hyperparameter read on the host from an argument nothing writes: read
// from the host's copy (no kernel, no copy back); the kernel reads the
// device copy.
// CHECK-LABEL: func.func @host_scalar(
// CHECK-SAME: %[[H:[a-z0-9]+]]: memref<2xf32>, %[[P:[a-z0-9]+]]: memref<4xf32>)
// CHECK: %[[DH:.*]] = gpu.alloc () : memref<2xf32>
// CHECK: %[[LR:.*]] = memref.load %[[H]][%c0] : memref<2xf32>
// CHECK: gpu.launch
// CHECK: memref.load %[[DH]][%c1]
// CHECK: arith.mulf %{{.*}}, %[[LR]]
// CHECK-NOT: gpu.memcpy %[[H]]
// CHECK: return
func.func @host_scalar(%hyper: memref<2xf32>, %p: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %lr = memref.load %hyper[%c0] : memref<2xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %m = memref.load %hyper[%c1] : memref<2xf32>
    %v = memref.load %p[%c0] : memref<4xf32>
    %s = arith.mulf %v, %lr : f32
    %t = arith.addf %s, %m : f32
    memref.store %t, %p[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}

// A callee that declares what it does with each buffer (bufferization.access,
// as cscc's convolution kernels are declared): the arguments it only reads
// (the gradient, the filter) are not copied back, the one it writes is.
// CHECK: func.func private @cscc_cuda_conv2d_bwd_data_f32(
// CHECK-SAME: bufferization.access = "read"
// CHECK-LABEL: func.func @declared_access(
// CHECK-SAME: %[[G:[a-z0-9]+]]: memref<?x2x2x2xf32>, %[[F:[a-z0-9]+]]: memref<2x1x3x3xf32>, %[[DXH:[a-z0-9]+]]: memref<?x1x2x2xf32>)
// CHECK: call @cscc_cuda_conv2d_bwd_data_f32(
// CHECK-NOT: gpu.memcpy %[[G]]
// CHECK-NOT: gpu.memcpy %[[F]]
// CHECK: gpu.memcpy %[[DXH]], %{{.*}} :
// CHECK-NOT: gpu.memcpy %[[G]]
// CHECK-NOT: gpu.memcpy %[[F]]
// CHECK: return
func.func private @cscc_conv2d_bwd_data_f32(
    memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"},
    memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "read"},
    memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>> {bufferization.access = "write"},
    i64, i64, i64) attributes {llvm.emit_c_interface}
func.func @declared_access(%g: memref<?x2x2x2xf32>, %f: memref<2x1x3x3xf32>, %dx: memref<?x1x2x2xf32>) {
  %c1_i64 = arith.constant 1 : i64
  %cg = memref.cast %g : memref<?x2x2x2xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  %cf = memref.cast %f : memref<2x1x3x3xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  %cd = memref.cast %dx : memref<?x1x2x2xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  call @cscc_conv2d_bwd_data_f32(%cg, %cf, %cd, %c1_i64, %c1_i64, %c1_i64) : (memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64) -> ()
  return
}
