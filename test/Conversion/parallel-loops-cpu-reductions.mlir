// The CPU target's reductions (lib/Target/CPU: cscc-parallel-loops
// {reassociate-reductions=true split-reductions=4096}):
//  - each reduction's combiner is marked reassoc, so that LLVM vectorises
//    its loop with vector partial sums (the multiplications are not);
//  - a total sum into a [1] buffer (indexed by the constant 0, as the
//    gradient of a step size is) is a register reduction like any other;
//    the [1] buffer is viewed as 0-d, so that (n, c, h, w) collapse into
//    one contiguous loop (before, LLVM vectorised the 112 channels with
//    gathers under a 7-long w loop); having no parallel loop, it is split
//    into 1024 chunks summed in parallel, then combined in order on the
//    calling thread: before, it was a loop nest on one thread that loaded
//    and stored its accumulator at every element. The parallel loop runs
//    over the chunks that hold elements only, ceil(length / chunk) of
//    them (a static schedule over all 1024 gave a batch of 128 images,
//    one per chunk, to the first of two threads).
// The chunking depends on the sizes only, never on the thread count.
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{reassociate-reductions=true split-reductions=4096}))' %s | FileCheck %s
// Run (the parallel loops as sequential ones) against a closed form:
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{reassociate-reductions=true split-reductions=4096}),convert-scf-to-cf,expand-strided-metadata,lower-affine,finalize-memref-to-llvm,convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,convert-index-to-llvm,reconcile-unrealized-casts)' > %t.ll.mlir
// RUN: lib=$(dirname $(dirname $(readlink -f $(which mlir-runner))))/lib && mlir-runner %t.ll.mlir -e main -entry-point-result=void -shared-libs=$lib/libmlir_c_runner_utils.so,$lib/libmlir_runner_utils.so,%cscc_alloc_lib | FileCheck %s --check-prefix=EXEC
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

// sum(x * y) into [1]: partial sums per chunk of the collapsed
// N * 5488 elements in parallel (fastmath on the addition only), then one
// sequential loop over the chunks, outside any parallel loop.
// CHECK-LABEL: func.func @total_sum(
// CHECK-SAME: %[[X:.*]]: memref<?x112x7x7xf32>, %[[Y:.*]]: memref<?x112x7x7xf32>, %[[S:.*]]: memref<1xf32>)
// CHECK-DAG: %[[S0:.*]] = memref.collapse_shape %[[S]] [] : memref<1xf32> into memref<f32>
// CHECK-DAG: %[[X1:.*]] = memref.collapse_shape %[[X]] {{\[}}[0, 1, 2, 3]] : memref<?x112x7x7xf32> into memref<?xf32>
// CHECK: %[[LEN:.*]] = memref.dim %[[X1]]
// CHECK: %[[CHUNK:.*]] = arith.ceildivui %[[LEN]], %c1024
// CHECK: %[[NONZERO:.*]] = arith.maxui %[[CHUNK]], %c1
// CHECK: %[[USED:.*]] = arith.ceildivui %[[LEN]], %[[NONZERO]]
// CHECK: %[[P:.*]] = memref.alloc() : memref<1024xf32>
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%[[USED]])
// CHECK: scf.for
// CHECK-NOT: scf.for
// CHECK: memref.load %[[X1]]
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// CHECK: scf.reduce
// CHECK-NOT: scf.parallel
// CHECK: scf.for %{{.*}} = %c0 to %[[USED]]
// CHECK: memref.load %[[P]]
// CHECK: memref.store %{{.*}}, %[[S0]][]
// CHECK: memref.dealloc %[[P]]
// CHECK-NEXT: return
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

func.func private @printMemrefF32(memref<*xf32>)

// N = 3: 16464 elements in chunks of ceil(16464 / 1024) = 17, of which
// ceil(16464 / 17) = 969 hold elements, the last one 8.
// x[i] = i mod 7 (i in storage order), y = 2, init 5:
//   5 + 2 * (16464 / 7) * (0 + 1 + ... + 6) = 5 + 2 * 2352 * 21 = 98789
// (integers below 2^24: exact in any order of addition).
// EXEC: [98789]
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c16464 = arith.constant 16464 : index
  %x = memref.alloc(%c3) : memref<?x112x7x7xf32>
  %y = memref.alloc(%c3) : memref<?x112x7x7xf32>
  %xf = memref.collapse_shape %x [[0, 1, 2, 3]] : memref<?x112x7x7xf32> into memref<?xf32>
  %yf = memref.collapse_shape %y [[0, 1, 2, 3]] : memref<?x112x7x7xf32> into memref<?xf32>
  %two = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c16464 step %c1 {
    %r = arith.remui %i, %c7 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    memref.store %rf, %xf[%i] : memref<?xf32>
    memref.store %two, %yf[%i] : memref<?xf32>
  }
  %s = memref.alloc() : memref<1xf32>
  %five = arith.constant 5.0 : f32
  memref.store %five, %s[%c0] : memref<1xf32>
  call @total_sum(%x, %y, %s) : (memref<?x112x7x7xf32>, memref<?x112x7x7xf32>, memref<1xf32>) -> ()
  %su = memref.cast %s : memref<1xf32> to memref<*xf32>
  call @printMemrefF32(%su) : (memref<*xf32>) -> ()
  return
}
