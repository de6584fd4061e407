// cscc-parallel-to-gpu: an outermost scf.parallel becomes a gpu.launch, a
// 1-D grid of block-size-thread blocks, one thread per point numbered
// row-major over the trip counts (the last dimension fastest), a guard for
// the threads past the last point, the body (sequential loops included) in
// the thread.
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-to-gpu{block-size=128}))' | FileCheck %s
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-to-gpu))' | FileCheck %s --check-prefix=DEFAULT

// CHECK-LABEL: func.func @two_dims(
// CHECK-SAME: %[[B:.*]]: memref<?x6xf32>, %[[N:.*]]: index)
// Trip counts ceil((ub - lb) / step): N - 1 and (6 - 0) / 2.
// CHECK: %[[S0:.*]] = arith.subi %[[N]], %c1
// CHECK: %[[T0:.*]] = arith.ceildivui %[[S0]], %c1
// CHECK: %[[S1:.*]] = arith.subi %c6, %c0
// CHECK: %[[T1:.*]] = arith.ceildivui %[[S1]], %c2
// CHECK: %[[TOTAL:.*]] = arith.muli %[[T0]], %[[T1]]
// CHECK: %[[BS:.*]] = arith.constant 128 : index
// CHECK: %[[GRID:.*]] = arith.ceildivui %[[TOTAL]], %[[BS]]
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], %{{.*}} = %[[ONE:.*]], %{{.*}} = %[[ONE]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%[[BDIM:.*]] = %[[BS]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) {
// CHECK-NEXT: %[[M:.*]] = arith.muli %[[BX]], %[[BDIM]]
// CHECK-NEXT: %[[ID:.*]] = arith.addi %[[M]], %[[TX]]
// CHECK-NEXT: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %[[TOTAL]]
// CHECK-NEXT: scf.if %[[IN]] {
// The last dimension from the remainder, the first from the quotient,
// each mapped back to lb + index * step.
// CHECK-NEXT: %[[R:.*]] = arith.remui %[[ID]], %[[T1]]
// CHECK-NEXT: %[[Q:.*]] = arith.divui %[[ID]], %[[T1]]
// CHECK-NEXT: %[[R2:.*]] = arith.muli %[[R]], %c2
// CHECK-NEXT: %[[J:.*]] = arith.addi %c0, %[[R2]]
// CHECK-NEXT: %[[Q2:.*]] = arith.muli %[[Q]], %c1
// CHECK-NEXT: %[[I:.*]] = arith.addi %c1, %[[Q2]]
// CHECK-NEXT: %[[V:.*]] = memref.load %[[B]][%[[I]], %[[J]]]
// CHECK-NEXT: scf.for
// CHECK: memref.store {{.*}}, %[[B]][%[[I]], %[[J]]]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.terminator
// CHECK-NOT: scf.parallel
// DEFAULT-LABEL: func.func @two_dims(
// DEFAULT: arith.constant 256 : index
// DEFAULT: gpu.launch
func.func @two_dims(%b: memref<?x6xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  scf.parallel (%i, %j) = (%c1, %c0) to (%n, %c6) step (%c1, %c2) {
    %v = memref.load %b[%i, %j] : memref<?x6xf32>
    %s = scf.for %k = %c0 to %c4 step %c1 iter_args(%a = %v) -> (f32) {
      %t = arith.addf %a, %a : f32
      scf.yield %t : f32
    }
    memref.store %s, %b[%i, %j] : memref<?x6xf32>
    scf.reduce
  }
  return
}

// A loop already inside a kernel is left alone.
// CHECK-LABEL: func.func @in_kernel(
// CHECK: gpu.launch
// CHECK: scf.parallel
// CHECK-NOT: gpu.launch
func.func @in_kernel(%b: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%x, %y, %z) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%bx = %c1, %by = %c1, %bz = %c1) {
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %b[%i] : memref<4xf32>
      memref.store %v, %b[%i] : memref<4xf32>
      scf.reduce
    }
    gpu.terminator
  }
  return
}
