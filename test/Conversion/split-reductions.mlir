// cscc-parallel-loops{gpu split-reductions}: a long reduction onto few
// output points is split along its first reduction dimension (chunks
// reduced in parallel into a partial buffer from the combiner's neutral
// element, then each point's output combined with its partials), so that a
// GPU runs more than a handful of threads; then it runs (on the CPU: the
// scf.parallel loops as sequential loops) and the results are checked
// against closed forms. The values are small integers, exact in f32 in any
// order of addition.
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{gpu=true jam=1 split-reductions=4}))' | FileCheck %s
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{gpu=true jam=1}))' | FileCheck %s --check-prefix=OFF
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-parallel-loops{gpu=true jam=1 split-reductions=4}),convert-scf-to-cf,expand-strided-metadata,lower-affine,finalize-memref-to-llvm,convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,convert-index-to-llvm,reconcile-unrealized-casts)' > %t.ll.mlir
// RUN: lib=$(dirname $(dirname $(readlink -f $(which mlir-runner))))/lib && mlir-runner %t.ll.mlir -e main -entry-point-result=void -shared-libs=$lib/libmlir_c_runner_utils.so,$lib/libmlir_runner_utils.so,%cscc_alloc_lib | FileCheck %s --check-prefix=EXEC

#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch4 = affine_map<(n, c, h, w) -> (c)>
#all = affine_map<(i) -> (i)>
#sc = affine_map<(i) -> ()>

// Per-channel sum over a dynamic batch: 4096 / 3 points -> 1024 chunks of
// ceil(N / 1024) images, of which the loops run over the ceil(N / chunk)
// that hold images (the others' partials would be the neutral element;
// with N = 37 below, 37 of them), then 3 threads combining those partials
// each.
// CHECK-LABEL: func.func @per_channel_sum(
// CHECK: %[[CHUNK:.*]] = arith.ceildivui %[[N:.*]], %c1024
// CHECK: %[[NONZERO:.*]] = arith.maxui %[[CHUNK]], %c1
// CHECK: %[[USED:.*]] = arith.ceildivui %[[N]], %[[NONZERO]]
// CHECK: %[[PART:.*]] = memref.alloc() : memref<1024x3xf32>
// CHECK: scf.parallel (%[[S:.*]], %[[C:.*]]) = (%c0, %c0) to (%[[USED]], %c3)
// CHECK: %[[LO:.*]] = arith.muli %[[S]], %[[CHUNK]]
// CHECK: %[[END:.*]] = arith.addi %[[LO]], %[[CHUNK]]
// CHECK: %[[HI:.*]] = arith.minui %[[END]]
// CHECK: scf.for %{{.*}} = %[[LO]] to %[[HI]] step %c1 iter_args(%{{.*}} = %cst)
// CHECK: memref.store %{{.*}}, %[[PART]][%[[S]], %[[C]]]
// CHECK: scf.parallel (%[[P:.*]]) = (%c0) to (%c3)
// CHECK: %[[INIT:.*]] = memref.load %arg1[%[[P]]]
// CHECK: scf.for %[[T:.*]] = %c0 to %[[USED]] step %c1 iter_args(%{{.*}} = %[[INIT]])
// CHECK: memref.load %[[PART]][%[[T]], %[[P]]]
// CHECK: arith.addf
// CHECK: memref.dealloc %[[PART]]
// Without the option: one thread per channel.
// OFF-LABEL: func.func @per_channel_sum(
// OFF-NOT: memref.alloc
// OFF: scf.parallel (%{{.*}}) = (%c0) to (%c3)
// OFF-NOT: memref.alloc
// OFF-LABEL: func.func @not_a_combiner(
func.func @per_channel_sum(%x: memref<?x3x2x3xf32>, %s: memref<3xf32>) {
  linalg.generic {indexing_maps = [#id4, #ch4], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
    ins(%x : memref<?x3x2x3xf32>) outs(%s : memref<3xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// A maximum: the neutral element is -inf.
// CHECK-LABEL: func.func @per_channel_max(
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[NEG]])
// CHECK: arith.maximumf
func.func @per_channel_max(%x: memref<?x3x2x3xf32>, %s: memref<3xf32>) {
  linalg.generic {indexing_maps = [#id4, #ch4], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
    ins(%x : memref<?x3x2x3xf32>) outs(%s : memref<3xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.maximumf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// A total sum of squares: no parallel dimension, one combining thread (a
// single-iteration kernel, so that the host does not touch the buffers).
// CHECK-LABEL: func.func @total_squares(
// CHECK: %[[USED:[0-9]+]] = arith.ceildivui %{{.*}}, %{{[0-9]+}} :
// CHECK: memref.alloc() : memref<1024xf32>
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%[[USED]])
// CHECK: arith.mulf
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c1) step (%c1)
func.func @total_squares(%x: memref<?xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#all, #sc], iterator_types = ["reduction"]}
    ins(%x : memref<?xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %b: f32):
    %q = arith.mulf %a, %a : f32
    %r = arith.addf %q, %b : f32
    linalg.yield %r : f32
  }
  return
}

// The accumulator feeds something other than the combiner (a decay): not
// split, still one thread per point.
// CHECK-LABEL: func.func @not_a_combiner(
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c3)
func.func @not_a_combiner(%x: memref<?x3x2x3xf32>, %s: memref<3xf32>) {
  linalg.generic {indexing_maps = [#id4, #ch4], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
    ins(%x : memref<?x3x2x3xf32>) outs(%s : memref<3xf32>) {
  ^bb0(%a: f32, %b: f32):
    %half = arith.constant 0.5 : f32
    %d = arith.mulf %b, %half : f32
    %r = arith.addf %a, %d : f32
    linalg.yield %r : f32
  }
  return
}

func.func private @printMemrefF32(memref<*xf32>)

// x[n, c, h, w] = n + 100 c + 1000 (h * 3 + w), over N = 37 images (not a
// multiple of the chunk), inits 7, 8, 9 (combined in once).
//   sum_c  = init + 6 * (sum n + 37 * 100 c) + 37 * 1000 * 15
//          = init + 6 * (666 + 3700 c) + 555000
//          = 559003, 581204, 603405
//   max_c  = 36 + 100 c + 5000 (inits -5 lower): 5036, 5136, 5236
//   total squares of y[i] = i - 20, i < 41, init 3:
//          = 3 + sum_{k=-20}^{20} k^2 = 3 + 2 * 2870 = 5743
// EXEC: [559003,  581204,  603405]
// EXEC: [5036,  5136,  5236]
// EXEC: [5743]
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c37 = arith.constant 37 : index
  %c41 = arith.constant 41 : index
  %x = memref.alloc(%c37) : memref<?x3x2x3xf32>
  scf.for %n = %c0 to %c37 step %c1 {
    scf.for %c = %c0 to %c3 step %c1 {
      scf.for %h = %c0 to %c2 step %c1 {
        scf.for %w = %c0 to %c3 step %c1 {
          %hw = affine.apply affine_map<(h, w) -> (h * 3 + w)>(%h, %w)
          %v = affine.apply affine_map<(n, c, hw) -> (n + c * 100 + hw * 1000)>(%n, %c, %hw)
          %i = arith.index_cast %v : index to i32
          %f = arith.sitofp %i : i32 to f32
          memref.store %f, %x[%n, %c, %h, %w] : memref<?x3x2x3xf32>
        }
      }
    }
  }
  %s = memref.alloc() : memref<3xf32>
  %m = memref.alloc() : memref<3xf32>
  scf.for %c = %c0 to %c3 step %c1 {
    %ci = arith.index_cast %c : index to i32
    %cf = arith.sitofp %ci : i32 to f32
    %seven = arith.constant 7.0 : f32
    %init = arith.addf %cf, %seven : f32
    memref.store %init, %s[%c] : memref<3xf32>
    %neg = arith.constant -5.0 : f32
    memref.store %neg, %m[%c] : memref<3xf32>
  }
  call @per_channel_sum(%x, %s) : (memref<?x3x2x3xf32>, memref<3xf32>) -> ()
  call @per_channel_max(%x, %m) : (memref<?x3x2x3xf32>, memref<3xf32>) -> ()
  %y = memref.alloc(%c41) : memref<?xf32>
  scf.for %i = %c0 to %c41 step %c1 {
    %ii = arith.index_cast %i : index to i32
    %twenty = arith.constant 20 : i32
    %k = arith.subi %ii, %twenty : i32
    %kf = arith.sitofp %k : i32 to f32
    memref.store %kf, %y[%i] : memref<?xf32>
  }
  %t = memref.alloc() : memref<f32>
  %three = arith.constant 3.0 : f32
  memref.store %three, %t[] : memref<f32>
  call @total_squares(%y, %t) : (memref<?xf32>, memref<f32>) -> ()
  %su = memref.cast %s : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%su) : (memref<*xf32>) -> ()
  %mu = memref.cast %m : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%mu) : (memref<*xf32>) -> ()
  %tu = memref.cast %t : memref<f32> to memref<*xf32>
  call @printMemrefF32(%tu) : (memref<*xf32>) -> ()
  return
}
