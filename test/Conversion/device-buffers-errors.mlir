// cscc-device-buffers' diagnostics.
// RUN: csc-opt %s --split-input-file --verify-diagnostics --cscc-device-buffers
// RUN: not csc-opt %s --split-input-file --cscc-device-buffers='device-kernels=cscc_conv2d_fwd_f32:cscc_conv2d_fwd_f32' 2>&1 | FileCheck %s --check-prefix=PREFIX
// RUN: not csc-opt %s --split-input-file --cscc-device-buffers='device-kernels=cscc_conv2d_fwd_f32' 2>&1 | FileCheck %s --check-prefix=PREFIX
// PREFIX: error: cscc-device-buffers: device-kernels entry '{{.*}}' is not HOST:DEVICE, two different non-empty names

// A buffer read on the host, outside any kernel (a private function's
// arguments are device buffers).
func.func private @host_load(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{cscc-device-buffers: 'memref.load' reads or writes a buffer on the host, but buffers live in GPU memory; lower it into a kernel first (cscc-parallel-loops{gpu}, cscc-parallel-to-gpu)}}
  %v = memref.load %a[%c0] : memref<4xf32>
  return %v : f32
}

// -----

// A scalar read on the host from an argument the function writes: the
// host's copy would be stale.
func.func @host_load_written(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %z = arith.constant 0.0 : f32
    memref.store %z, %a[%c0] : memref<4xf32>
    gpu.terminator
  }
  // expected-error @+1 {{cscc-device-buffers: 'memref.load' reads or writes a buffer on the host}}
  %v = memref.load %a[%c0] : memref<4xf32>
  return %v : f32
}

// -----

// A linalg op left on the host.
func.func @host_linalg(%a: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{cscc-device-buffers: 'linalg.fill' reads or writes a buffer on the host}}
  linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>)
  return
}

// -----

// expected-error @+1 {{cscc-device-buffers: argument #0 of @strided has a non-identity layout 'memref<4xf32, strided<[2]>>'; entry points take dense buffers}}
func.func @strided(%a: memref<4xf32, strided<[2]>>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.terminator
  }
  %v = memref.cast %a : memref<4xf32, strided<[2]>> to memref<?xf32, strided<[2]>>
  return
}

// -----

func.func @alloc_in_kernel() {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{cscc-device-buffers: a kernel allocates or frees a buffer; only the host can}}
    %t = memref.alloc() : memref<4xf32>
    gpu.terminator
  }
  return
}
