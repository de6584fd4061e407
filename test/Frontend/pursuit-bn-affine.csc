# bn_affine = shared (one scale/shift for all unfoldings) or per_iter (one
# per iteration, 2K * (unfold + 1) parameters). Running statistics are kept
# per iteration either way.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model bn_affine {
  input [2, 4, 4];
  s = pursuit([identity, conv(2, 1)], bn = prox, unfold = 2, bn_affine = shared);
  p = pursuit([identity, conv(2, 1)], bn = prox, unfold = 2, bn_affine = per_iter);
  z = pursuit([conv(2, 1)], bn = prox, bn_affine = per_iter);
}

# filters 2*2 = 4, + 1 + 4 + 2*4.
# CHECK:      0 s pursuit/istax2 [4, 4, 4] 4 17{{$}}
# filters 2*4 = 8, + 1 + 6 + 2*6*3.
# CHECK-NEXT: 1 p pursuit/istax2 [6, 4, 4] 6 51{{$}}
# filters 2*6 = 12, + 1 + 2 + 2*2*1 (unfold = 0: one iteration).
# CHECK-NEXT: 2 z pursuit/ista [2, 4, 4] 2 19{{$}}
# CHECK-NEXT: total parameters: 87{{$}}

# MLIR:      csc.param "s.bn.weight" {init = "ones"} : tensor<4xf32>
# MLIR-NEXT: csc.param "s.bn.bias" {init = "zeros"} : tensor<4xf32>
# MLIR-NEXT: csc.param "s.bn.0.running_mean"
# MLIR-NEXT: csc.param "s.bn.0.running_var"
# MLIR-NEXT: csc.param "s.bn.1.running_mean"
# MLIR-NEXT: csc.param "s.bn.1.running_var"
# MLIR-NEXT: csc.param "s.bn.2.running_mean"
# MLIR-NEXT: csc.param "s.bn.2.running_var"
# MLIR-NEXT: csc.pursuit {{.*}}bn_affine = #csc<bn_affine shared>
# MLIR:      csc.param "p.bn.0.weight" {init = "ones"} : tensor<6xf32>
# MLIR-NEXT: csc.param "p.bn.0.bias"
# MLIR-NEXT: csc.param "p.bn.1.weight"
# MLIR-NEXT: csc.param "p.bn.1.bias"
# MLIR-NEXT: csc.param "p.bn.2.weight"
# MLIR-NEXT: csc.param "p.bn.2.bias"
# MLIR-NEXT: csc.param "p.bn.0.running_mean"
# MLIR:      csc.param "p.bn.2.running_var"
# MLIR-NEXT: csc.pursuit {{.*}}bn_affine = #csc<bn_affine per_iter>
# MLIR:      csc.param "z.bn.0.weight"
# MLIR-NEXT: csc.param "z.bn.0.bias"
# MLIR-NEXT: csc.param "z.bn.0.running_mean"
# MLIR-NEXT: csc.param "z.bn.0.running_var"
# MLIR-NEXT: csc.pursuit
