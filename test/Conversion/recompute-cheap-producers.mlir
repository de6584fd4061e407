// cscc-recompute-cheap-producers: a cheap elementwise op (at most max-ops
// scalar ops, at most one operand as large as its result) read in full by
// several linalg.generic consumers gets one copy per consumer, so that
// elementwise fusion folds it into each and its result is never stored.
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-recompute-cheap-producers))' %s | FileCheck %s
// Followed by the fusion, as in the pipeline: no scaling of its own left.
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-recompute-cheap-producers),linalg-fuse-elementwise-ops)' %s | FileCheck %s --check-prefix=FUSED
// A lower max-ops: nothing is cheap enough.
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-recompute-cheap-producers{max-ops=0}))' %s | FileCheck %s --check-prefix=NONE

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c)>
#step = affine_map<(n, c, h, w) -> (0)>
#v = affine_map<(c) -> (c)>

// The ISTA step's scaling, read by a per-channel sum (a batch-norm
// statistic) and by an update: a copy for the second consumer.
// CHECK-LABEL: func.func @scale_two_consumers(
// CHECK: %[[A:.*]] = linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<?x4x8x8xf32>, tensor<1xf32>)
// CHECK: %[[B:.*]] = linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<?x4x8x8xf32>, tensor<1xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]{{.*}} ins(%[[B]] :
// CHECK: linalg.generic {{.*}}ins(%[[A]], %{{.*}} :
// FUSED-LABEL: func.func @scale_two_consumers(
// FUSED-COUNT-2: arith.mulf
// FUSED-NOT: arith.mulf
// FUSED: return
// NONE-LABEL: func.func @scale_two_consumers(
// NONE-COUNT-1: arith.mulf
// NONE-NOT: arith.mulf
// NONE: return
func.func @scale_two_consumers(%x: tensor<?x4x8x8xf32>, %s: tensor<1xf32>,
                               %z: tensor<?x4x8x8xf32>)
    -> (tensor<4xf32>, tensor<?x4x8x8xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4x8x8xf32>
  %e = tensor.empty(%n) : tensor<?x4x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #step, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<?x4x8x8xf32>, tensor<1xf32>) outs(%e : tensor<?x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<?x4x8x8xf32>
  %zero = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #ch],
      iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%scaled : tensor<?x4x8x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %upd = linalg.generic {indexing_maps = [#id, #id, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled, %z : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%e : tensor<?x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %b, %a : f32
    linalg.yield %r : f32
  } -> tensor<?x4x8x8xf32>
  return %sum, %upd : tensor<4xf32>, tensor<?x4x8x8xf32>
}

// Also returned (a use fusion cannot take): the original stays for the
// return, the consumer gets a copy.
// CHECK-LABEL: func.func @scale_also_returned(
// CHECK: %[[O:.*]] = linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<?x4x8x8xf32>, tensor<1xf32>)
// CHECK: %[[C:.*]] = linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<?x4x8x8xf32>, tensor<1xf32>)
// CHECK: %[[U:.*]] = linalg.generic {{.*}}ins(%[[C]], %{{.*}} :
// CHECK: return %[[O]], %[[U]]
func.func @scale_also_returned(%x: tensor<?x4x8x8xf32>, %s: tensor<1xf32>,
                               %z: tensor<?x4x8x8xf32>)
    -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4x8x8xf32>
  %e = tensor.empty(%n) : tensor<?x4x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #step, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<?x4x8x8xf32>, tensor<1xf32>) outs(%e : tensor<?x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<?x4x8x8xf32>
  %upd = linalg.generic {indexing_maps = [#id, #id, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled, %z : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%e : tensor<?x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %b, %a : f32
    linalg.yield %r : f32
  } -> tensor<?x4x8x8xf32>
  return %scaled, %upd : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// Not recomputed: a sum of two activations (each consumer would read two
// tensors instead of one), and a per-channel vector broadcast over an
// activation (it would run once per pixel instead of once per channel).
// CHECK-LABEL: func.func @not_cheap(
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @not_cheap(%x: tensor<?x4x8x8xf32>, %y: tensor<?x4x8x8xf32>,
                     %var: tensor<4xf32>)
    -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4x8x8xf32>
  %e = tensor.empty(%n) : tensor<?x4x8x8xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %y : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%e : tensor<?x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x4x8x8xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %inv = linalg.generic {indexing_maps = [#v, #v],
      iterator_types = ["parallel"]}
      ins(%var : tensor<4xf32>) outs(%e4 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.sqrt %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %p = linalg.generic {indexing_maps = [#id, #ch, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum, %inv : tensor<?x4x8x8xf32>, tensor<4xf32>) outs(%e : tensor<?x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x4x8x8xf32>
  %q = linalg.generic {indexing_maps = [#id, #ch, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum, %inv : tensor<?x4x8x8xf32>, tensor<4xf32>) outs(%e : tensor<?x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x4x8x8xf32>
  return %p, %q : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}
