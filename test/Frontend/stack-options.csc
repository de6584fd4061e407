# The options of a stack: prox, solver, unfold, step (scalar / none, per
# level), threshold (channel / none, per level), bn (none / prox) and
# bn_affine (shared / per_iter), with the per-level parameter rule of
# pursuit.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model stack_options {
  input [2, 4, 4];
  a = stack(prox = soft, solver = fista, unfold = 2, step = none, threshold = none) {
    [conv(3, 1)];                 # 6
    [identity, conv(1, 1)];       # 3
  }
  b = stack(step = scalar, threshold = channel, bn = prox) {
    [conv(2, 1)];                 # 8 + 1 + 2 + 2*2
    [identity, conv(2, 1)];       # 4 + 1 + 4 + 2*4
  }
  c = stack(bn = prox, bn_affine = per_iter, unfold = 1) {
    [conv(2, 1)];                 # 8 + 1 + 2 + 2*2*2
    [conv(2, 1)];                 # 4 + 1 + 2 + 2*2*2
  }
}

# CHECK:      0 a stack/fistax2 [4, 4, 4] 4 9{{$}}
# CHECK-NEXT: 1 b stack/ista [4, 4, 4] 4 32{{$}}
# CHECK-NEXT: 2 c stack/istax1 [2, 4, 4] 2 34{{$}}
# CHECK-NEXT: total parameters: 75{{$}}

# MLIR:      csc.stacked_pursuit %arg0 dicts(%{{[0-9]+}}, %{{[0-9]+}}) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox soft>, solver = #csc<solver fista>, unfold = 2 : i64}
# MLIR:      csc.param "b.0.bn.weight" {init = "ones"} : tensor<2xf32>
# MLIR:      csc.stacked_pursuit {{.*}} steps({{.*}}) thresholds({{.*}}) bn({{.*}}) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64}
# MLIR:      csc.param "c.1.bn.1.weight" {init = "ones"} : tensor<2xf32>
# MLIR:      csc.stacked_pursuit {{.*}} {bn = #csc<bn prox>, bn_affine = #csc<bn_affine per_iter>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64}
