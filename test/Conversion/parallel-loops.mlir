// cscc-parallel-loops: linalg ops on buffers to loops. The outer parallel
// dimensions (at most two, never the innermost loop of a nest) become one
// scf.parallel; a reduction's dimensions stay sequential loops inside,
// interchanged after the parallel ones, carrying the outputs' values in
// registers (iter_args), several points of the last parallel dimension
// accumulated together (jam): each output element sees the same additions
// in the same order as convert-linalg-to-loops would do them. Contiguous
// trailing dimensions of one kind collapse into one loop (h, w -> h*w);
// small ops stay sequential (min-work).
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops))' %s | FileCheck %s
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{min-work=1}))' %s | FileCheck %s --check-prefix=ALL
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{max-dims=1 collapse=false jam=1}))' %s | FileCheck %s --check-prefix=ONE
// Then convert-scf-to-openmp: one omp.parallel with a worksharing loop per
// parallel loop nest.
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops),convert-scf-to-openmp)' %s | FileCheck %s --check-prefix=OMP

#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
#id2 = affine_map<(n, k) -> (n, k)>
#id1 = affine_map<(i) -> (i)>
#all4 = affine_map<(n, c, h, w) -> ()>

// NCHW elementwise (a bias add): (n, c) in parallel, h and w one loop.
// CHECK-LABEL: func.func @elementwise(
// CHECK-SAME: %[[X:.*]]: memref<?x16x28x28xf32>, %[[B:.*]]: memref<16xf32>, %[[Y:.*]]: memref<?x16x28x28xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C784:.*]] = arith.constant 784 : index
// CHECK-DAG: %[[XC:.*]] = memref.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : memref<?x16x28x28xf32> into memref<?x16x784xf32>
// CHECK-DAG: %[[YC:.*]] = memref.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]]
// CHECK-DAG: %[[N:.*]] = memref.dim %[[XC]], %[[C0]]
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%[[C0]], %[[C0]]) to (%[[N]], %[[C16]])
// CHECK-NEXT: scf.for %[[HW:.*]] = %[[C0]] to %[[C784]]
// CHECK-NEXT: memref.load %[[XC]][%[[I]], %[[J]], %[[HW]]]
// CHECK-NEXT: memref.load %[[B]][%[[J]]]
// CHECK-NEXT: arith.addf
// CHECK-NEXT: memref.store %{{.*}}, %[[YC]][%[[I]], %[[J]], %[[HW]]]
// CHECK: scf.reduce
// Without collapsing, n alone in parallel:
// ONE-LABEL: func.func @elementwise(
// ONE: scf.parallel (%{{[^,]*}}) =
// ONE-NEXT: scf.for
// ONE-NEXT: scf.for
// ONE-NEXT: scf.for
// OMP-LABEL: func.func @elementwise(
// OMP: omp.parallel {
// OMP-NEXT: omp.wsloop {
// OMP-NEXT: omp.loop_nest (%{{.*}}, %{{.*}}) : index = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}}) step
// OMP: scf.for
// OMP-NOT: omp.parallel
// OMP: return
func.func @elementwise(%x: memref<?x16x28x28xf32>, %b: memref<16xf32>, %y: memref<?x16x28x28xf32>) {
  linalg.generic {indexing_maps = [#id4, #ch4, #id4],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : memref<?x16x28x28xf32>, memref<16xf32>) outs(%y : memref<?x16x28x28xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  }
  return
}

// A per-channel sum (batch-norm statistics; iterators n, c, h, w =
// reduction, parallel, reduction, reduction): interchanged to c outside,
// in parallel, 4 channels per iteration (jam); n and h*w inside,
// sequential, in their order, the 4 sums in registers, stored once.
// CHECK-LABEL: func.func @per_channel_sum(
// CHECK-SAME: %[[X:.*]]: memref<?x16x28x28xf32>, %[[S:.*]]: memref<16xf32>)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[XC:.*]] = memref.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]]
// CHECK: scf.parallel (%[[C:[^)]*]]) = (%{{.*}}) to (%[[C16]]) step (%[[C4]])
// CHECK-NEXT: %[[A0:.*]] = memref.load %[[S]][%[[C]]]
// CHECK-COUNT-3: memref.load %[[S]]
// CHECK-NEXT: %[[R:.*]]:4 = scf.for %[[N:[^ ]*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[I0:[^ ]*]] = %[[A0]], %{{[^ ]*}} = %{{[^ ]*}}, %{{[^ ]*}} = %{{[^ ]*}}, %{{[^ ]*}} = %{{[^ ]*}}) -> (f32, f32, f32, f32)
// CHECK-NEXT: %[[Q:.*]]:4 = scf.for %[[HW:[^ ]*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:[^ ]*]] = %[[I0]],
// CHECK-NEXT: %[[V:.*]] = memref.load %[[XC]][%[[N]], %[[C]], %[[HW]]]
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[V]]
// CHECK: scf.yield %[[SUM]],
// CHECK: scf.yield %[[Q]]#0, %[[Q]]#1, %[[Q]]#2, %[[Q]]#3
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[R]]#0, %[[S]][%[[C]]]
// CHECK-NOT: memref.load
// CHECK: scf.reduce
// Without jam: one channel per iteration, no register accumulation loss.
// ONE-LABEL: func.func @per_channel_sum(
// ONE: scf.parallel (%[[C:.*]]) = (%{{.*}}) to (%{{.*}}) step (%[[ONE:[^)]*]])
// ONE-NEXT: memref.load
// ONE-NEXT: scf.for %{{.*}} iter_args({{[^,]*}}) -> (f32)
func.func @per_channel_sum(%x: memref<?x16x28x28xf32>, %s: memref<16xf32>) {
  linalg.generic {indexing_maps = [#id4, #ch4],
                  iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%x : memref<?x16x28x28xf32>) outs(%s : memref<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  }
  return
}

// A total sum (a loss): no parallel dimension, all sequential whatever
// min-work says, one loop over the contiguous buffer, the sum in a register.
// CHECK-LABEL: func.func @total_sum(
// CHECK-NOT: scf.parallel
// CHECK: memref.collapse_shape %{{.*}} {{\[}}[0, 1, 2, 3]]
// CHECK: scf.for %{{.*}} iter_args(%{{.*}}) -> (f32)
// CHECK-NOT: scf.parallel
// CHECK: return
// ALL-LABEL: func.func @total_sum(
// ALL-NOT: scf.parallel
// ALL: return
func.func @total_sum(%x: memref<?x16x28x28xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#id4, #all4],
                  iterator_types = ["reduction", "reduction", "reduction", "reduction"]}
      ins(%x : memref<?x16x28x28xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  }
  return
}

// An ISTA update x - step * g with the step a [1] buffer read at (0), and a
// pooled [N, C, 1, 1] map read at (n, c, 0, 0): those operands become views
// without their unit dimensions (step: rank 0), so the op still collapses
// to [N, C*H*W] (step) and [N, C, H*W] (pooled): long vectorisable loops.
#step4 = affine_map<(n, c, h, w) -> (0)>
#pooled4 = affine_map<(n, c, h, w) -> (n, c, 0, 0)>
// CHECK-LABEL: func.func @unit_constant_index(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x16x28x28xf32>, %[[G:[^:]*]]: memref<?x16x28x28xf32>, %[[S:[^:]*]]: memref<1xf32>, %[[P:[^:]*]]: memref<?x16x1x1xf32>, %[[Y:[^:]*]]: memref<?x16x28x28xf32>)
// CHECK-DAG: %[[C12544:.*]] = arith.constant 12544 : index
// CHECK-DAG: %[[C784:.*]] = arith.constant 784 : index
// CHECK-DAG: %[[S0:.*]] = memref.collapse_shape %[[S]] [] : memref<1xf32> into memref<f32>
// CHECK-DAG: %[[XC:.*]] = memref.collapse_shape %[[X]] {{\[}}[0], [1, 2, 3]] : memref<?x16x28x28xf32> into memref<?x12544xf32>
// CHECK: scf.parallel
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %[[C12544]]
// CHECK: memref.load %[[S0]][] : memref<f32>
// CHECK: scf.reduce
// CHECK-DAG: %[[PC:.*]] = memref.collapse_shape %[[P]] {{\[}}[0], [1, 2, 3]] : memref<?x16x1x1xf32> into memref<?x16xf32>
// CHECK: scf.parallel
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[C784]]
// CHECK: memref.load %[[PC]][%{{.*}}, %{{.*}}] : memref<?x16xf32>
// CHECK: scf.reduce
// CHECK: return
func.func @unit_constant_index(%x: memref<?x16x28x28xf32>, %g: memref<?x16x28x28xf32>,
                               %s: memref<1xf32>, %p: memref<?x16x1x1xf32>,
                               %y: memref<?x16x28x28xf32>) {
  linalg.generic {indexing_maps = [#id4, #id4, #step4, #id4],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %g, %s : memref<?x16x28x28xf32>, memref<?x16x28x28xf32>, memref<1xf32>)
      outs(%y : memref<?x16x28x28xf32>) {
  ^bb0(%a: f32, %b: f32, %t: f32, %o: f32):
    %m = arith.mulf %t, %b : f32
    %r = arith.subf %a, %m : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id4, #pooled4, #id4],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %p : memref<?x16x28x28xf32>, memref<?x16x1x1xf32>)
      outs(%y : memref<?x16x28x28xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// Small ops (per-channel vectors, the logits [N, 10]) stay sequential;
// with min-work=1 they too run in parallel, the innermost loop of a 2-d
// nest kept sequential (vectorised).
// CHECK-LABEL: func.func @small(
// CHECK-NOT: scf.parallel
// CHECK: return
// ALL-LABEL: func.func @small(
// ALL: scf.parallel (%{{[^,]*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// ALL-NEXT: memref.load
// ALL: scf.parallel (%[[I:[^,]*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// ALL-NEXT: scf.for
func.func @small(%v: memref<16xf32>, %w: memref<16xf32>, %l: memref<?x10xf32>, %m: memref<?x10xf32>) {
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%v : memref<16xf32>) outs(%w : memref<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.mulf %a, %a : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%l : memref<?x10xf32>) outs(%m : memref<?x10xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  }
  return
}

// Named ops too: a fill (n in parallel, c*h*w one loop) and a max pool
// (n, c in parallel; the window's maximum in a register, two output
// columns at a time).
// CHECK-LABEL: func.func @named(
// CHECK: scf.parallel (%{{[^,]*}}) =
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %c3136
// CHECK-NEXT: memref.store
// CHECK: scf.parallel (%{{[^,]*}}, %{{[^,]*}}) =
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.for
// CHECK: scf.for {{.*}} iter_args(%{{.*}}, %{{.*}}) -> (f32, f32)
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @named(%x: memref<?x16x28x28xf32>, %y: memref<?x16x14x14xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %win = memref.alloc() : memref<2x2xf32>
  linalg.fill ins(%ninf : f32) outs(%y : memref<?x16x14x14xf32>)
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %win : memref<?x16x28x28xf32>, memref<2x2xf32>) outs(%y : memref<?x16x14x14xf32>)
  memref.dealloc %win : memref<2x2xf32>
  return
}
