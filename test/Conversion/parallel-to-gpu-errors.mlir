// cscc-parallel-to-gpu's diagnostics.
// RUN: csc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cscc-parallel-to-gpu))'
// RUN: not csc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(cscc-parallel-to-gpu{block-size=2048}))' 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: error: cscc-parallel-to-gpu: block-size must be between 1 and 1024 (CUDA's limit), got 2048

func.func @reduction(%b: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{cscc-parallel-to-gpu: scf.parallel with reductions is not supported}}
  %s = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%zero) -> f32 {
    %v = memref.load %b[%i] : memref<4xf32>
    scf.reduce(%v : f32) {
    ^bb0(%l: f32, %r: f32):
      %t = arith.addf %l, %r : f32
      scf.reduce.return %t : f32
    }
  }
  return %s : f32
}

// -----

func.func @nested(%b: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{cscc-parallel-to-gpu: nested scf.parallel: a kernel's threads run one point each; make the inner loop sequential (scf.for)}}
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %b[%i, %j] : memref<4x4xf32>
      memref.store %v, %b[%i, %j] : memref<4x4xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}
