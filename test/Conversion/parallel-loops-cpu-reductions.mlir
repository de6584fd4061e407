// The CPU target's reductions (lib/Target/CPU: cscc-parallel-loops
// {reassociate-reductions=true split-reductions=4096}):
//  - each reduction's combiner is marked reassoc, so that LLVM vectorises
//    its loop with vector partial sums (the multiplications are not);
//  - a total sum into a [1] buffer (indexed by the constant 0, as the
//    gradient of a step size is) is a register reduction like any other,
//    and, having no parallel loop, is split into chunks of its first
//    dimension summed in parallel, then combined in order: before, it was
//    a loop nest on one thread that loaded and stored its accumulator at
//    every element.
// The chunking depends on the sizes only, never on the thread count.
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{reassociate-reductions=true split-reductions=4096}))' %s | FileCheck %s
// Without the options (the default, and the GPU layout's start), no flag and
// a sequential register loop:
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops))' %s | FileCheck %s --check-prefix=PLAIN

#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
#zero4 = affine_map<(n, c, h, w) -> (0)>

// CHECK-LABEL: func.func @per_channel_sum(
// CHECK: scf.parallel
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// PLAIN-LABEL: func.func @per_channel_sum(
// PLAIN-NOT: fastmath
// PLAIN: return
func.func @per_channel_sum(%x: memref<?x64x14x14xf32>, %s: memref<64xf32>) {
  linalg.generic {indexing_maps = [#id4, #ch4],
                  iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%x : memref<?x64x14x14xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  }
  return
}

// sum(x * y) into [1]: partial sums per chunk in parallel (fastmath on the
// addition only), then one sequential loop over the chunks.
// CHECK-LABEL: func.func @total_sum(
// CHECK-SAME: %[[X:.*]]: memref<?x112x7x7xf32>, %[[Y:.*]]: memref<?x112x7x7xf32>, %[[S:.*]]: memref<1xf32>)
// CHECK: %[[P:.*]] = memref.alloc() : memref<1024xf32>
// CHECK: scf.parallel
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// CHECK: scf.for
// CHECK: memref.load %[[P]]
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK: memref.dealloc %[[P]]
// PLAIN-LABEL: func.func @total_sum(
// PLAIN-NOT: scf.parallel
// PLAIN-NOT: memref.alloc
// PLAIN: scf.for {{.*}} iter_args
// PLAIN: return
func.func @total_sum(%x: memref<?x112x7x7xf32>, %y: memref<?x112x7x7xf32>, %s: memref<1xf32>) {
  linalg.generic {indexing_maps = [#id4, #id4, #zero4],
                  iterator_types = ["reduction", "reduction", "reduction", "reduction"]}
      ins(%x, %y : memref<?x112x7x7xf32>, memref<?x112x7x7xf32>) outs(%s : memref<1xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  }
  return
}
