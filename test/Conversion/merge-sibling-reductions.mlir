// cscc-merge-sibling-reductions: two reductions with the same iterators
// that read one tensor at the same map over all loops become one generic at
// the second's place (the second's inputs and outputs first, a shared input
// once); ops between them that depend on the first and have no memory
// effects move after it; anything else is left alone.
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-merge-sibling-reductions))' | FileCheck %s

#x = affine_map<(n, c, h, w) -> (n, c, h, w)>
#c = affine_map<(n, c, h, w) -> (c)>
#v = affine_map<(c) -> (c)>
#hw = affine_map<(n, c, h, w) -> (n, c, w, h)>

// A threshold's gradient (-sum dy, summed into an accumulator right away)
// before the batch norm's two sums over dy and dy * x: one nest over dy
// with three outputs, and the accumulation moved after it.
// CHECK-LABEL: func.func @threshold_then_batch_norm
// CHECK: %[[M:.*]]:3 = linalg.generic {indexing_maps = [#map, #map, #map1, #map1, #map1], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%arg1, %arg0 : tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[DY:.*]]: f32, %[[O0:.*]]: f32, %[[O1:.*]]: f32, %[[O2:.*]]: f32):
// CHECK-NEXT: %[[S0:.*]] = arith.addf %[[O0]], %[[DY]]
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[DY]], %[[X]]
// CHECK-NEXT: %[[S1:.*]] = arith.addf %[[O1]], %[[P]]
// CHECK-NEXT: %[[S2:.*]] = arith.addf %[[O2]], %[[DY]]
// CHECK-NEXT: linalg.yield %[[S0]], %[[S1]], %[[S2]]
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[M]]#2, %arg2
// CHECK: return %[[M]]#0, %[[M]]#1, %[[ACC]]
func.func @threshold_then_batch_norm(%dy: tensor<?x4x2x2xf32>, %x: tensor<?x4x2x2xf32>,
                                     %acc: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %t = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#v, #v, #v], iterator_types = ["parallel"]}
      ins(%t, %acc : tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4xf32>) {
  ^bb0(%p: f32, %q: f32, %out: f32):
    %s = arith.subf %q, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %r:2 = linalg.generic {indexing_maps = [#x, #x, #c, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%x, %dy : tensor<?x4x2x2xf32>, tensor<?x4x2x2xf32>) outs(%z, %z : tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%xi: f32, %g: f32, %o0: f32, %o1: f32):
    %s0 = arith.addf %o0, %g : f32
    %p = arith.mulf %g, %xi : f32
    %s1 = arith.addf %o1, %p : f32
    linalg.yield %s0, %s1 : f32, f32
  } -> (tensor<4xf32>, tensor<4xf32>)
  return %r#0, %r#1, %a : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

#sum = affine_map<(n, c, h, w) -> ()>

// Three sums over one tensor: merged pairwise until one nest is left.
// CHECK-LABEL: func.func @three_siblings
// CHECK: %[[M:.*]]:3 = linalg.generic
// CHECK-SAME: ins(%arg0 : tensor<?x4x2x2xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[M]]#2, %[[M]]#1, %[[M]]#0
func.func @three_siblings(%dy: tensor<?x4x2x2xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %b = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maximumf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %c = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.minimumf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Left alone (each function keeps its two generics): the second reads the
// first's result (a batch norm's mean, then its variance); other iterators
// (a per-channel and a total sum); the shared tensor read at another map
// (transposed); an op between them that reads the first's result and has
// memory effects (a call).
// CHECK-LABEL: func.func @mean_then_variance
// CHECK-COUNT-2: linalg.generic
// CHECK-LABEL: func.func @other_iterators
// CHECK-COUNT-2: linalg.generic
// CHECK-LABEL: func.func @other_map
// CHECK-COUNT-2: linalg.generic
// CHECK-LABEL: func.func @effect_between
// CHECK: linalg.generic
// CHECK: call @effect
// CHECK: linalg.generic
func.func @mean_then_variance(%dy: tensor<?x4x2x2xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %var = linalg.generic {indexing_maps = [#x, #c, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy, %mean : tensor<?x4x2x2xf32>, tensor<4xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %q = arith.mulf %d, %d : f32
    %s = arith.addf %out, %q : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %mean, %var : tensor<4xf32>, tensor<4xf32>
}

func.func @other_iterators(%dy: tensor<?x4x2x2xf32>) -> (tensor<4xf32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %per = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %total = linalg.generic {indexing_maps = [#x, #sum], iterator_types = ["reduction", "reduction", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z0 : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %per, %total : tensor<4xf32>, tensor<f32>
}

func.func @other_map(%dy: tensor<?x4x2x2xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %t = linalg.generic {indexing_maps = [#hw, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maximumf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %a, %t : tensor<4xf32>, tensor<4xf32>
}

func.func private @effect(tensor<4xf32>)
func.func @effect_between(%dy: tensor<?x4x2x2xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  call @effect(%a) : (tensor<4xf32>) -> ()
  %b = linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : tensor<?x4x2x2xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maximumf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
