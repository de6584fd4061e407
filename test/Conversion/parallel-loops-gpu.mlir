// cscc-parallel-loops{gpu}: one scf.parallel per linalg op over every
// parallel dimension that indexes all outputs (the innermost too, however
// little work), reductions sequential inside (in registers), and a
// single-iteration scf.parallel for an op without a parallel dimension, so
// that cscc-parallel-to-gpu makes every loop nest a kernel and the host
// never reads a buffer. Without gpu=true the same small ops stay
// sequential (min-work) or keep their innermost loop out (CPU).
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{gpu=true jam=1}))' | FileCheck %s
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-loops))' | FileCheck %s --check-prefix=CPU

#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
#all = affine_map<(i) -> (i)>
#sc = affine_map<(i) -> ()>

// All four dimensions parallel: n and the collapsed c*h*w, both in the
// scf.parallel.
// CHECK-LABEL: func.func @elementwise(
// CHECK: %[[X:.*]] = memref.collapse_shape %arg0 {{\[\[}}0], [1, 2, 3]]
// CHECK: %[[N:.*]] = memref.dim
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%c0, %c0) to (%[[N]], %c128) step (%c1, %c1) {
// CHECK-NEXT: memref.load %[[X]][%[[I]], %[[J]]]
// CHECK-NOT: scf.for
// CHECK: scf.reduce
// CPU-LABEL: func.func @elementwise(
// CPU-NOT: scf.parallel
// CPU: scf.for
func.func @elementwise(%x: memref<?x8x4x4xf32>, %y: memref<?x8x4x4xf32>) {
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%x : memref<?x8x4x4xf32>) outs(%y : memref<?x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %a : f32
    linalg.yield %r : f32
  }
  return
}

// A per-channel sum: the channel is the thread, the rest a register
// reduction in it.
// CHECK-LABEL: func.func @per_channel_sum(
// CHECK: scf.parallel (%[[C:.*]]) = (%c0) to (%c8) step (%c1) {
// CHECK-NEXT: %[[INIT:.*]] = memref.load %arg1[%[[C]]]
// CHECK-NEXT: %[[S:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]]) -> (f32) {
// CHECK: scf.for
// CHECK: memref.store %[[S]], %arg1[%[[C]]]
// CHECK-NEXT: scf.reduce
func.func @per_channel_sum(%x: memref<?x8x4x4xf32>, %s: memref<8xf32>) {
  linalg.generic {indexing_maps = [#id4, #ch4], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
    ins(%x : memref<?x8x4x4xf32>) outs(%s : memref<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// A total sum: one point, in a single-iteration scf.parallel.
// CHECK-LABEL: func.func @total(
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c1) step (%c1) {
// CHECK: memref.load %arg1[]
// CHECK: scf.for
// CHECK: memref.store {{.*}}, %arg1[]
// CHECK-NEXT: scf.reduce
// CPU-LABEL: func.func @total(
// CPU-NOT: scf.parallel
// CPU: return
func.func @total(%x: memref<?xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#all, #sc], iterator_types = ["reduction"]}
    ins(%x : memref<?xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// A 0-d op (no loop at all): still a one-point kernel.
// CHECK-LABEL: func.func @scalar(
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c1) step (%c1) {
// CHECK-NEXT: memref.load %arg0[]
// CHECK: memref.store {{.*}}, %arg1[]
func.func @scalar(%x: memref<f32>, %y: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
    ins(%x : memref<f32>) outs(%y : memref<f32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.mulf %a, %a : f32
    linalg.yield %r : f32
  }
  return
}
