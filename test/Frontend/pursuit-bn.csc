# bn = none / prox (batch norm on the whole prox argument) / analysis (only
# on D^T X). A batch norm adds 2K parameters (scale and shift); its running
# statistics are state, not parameters.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model batch_norms {
  input [2, 4, 4];
  n = pursuit([conv(3, 1)], bn = none, unfold = 1);
  p = pursuit([conv(3, 1)], bn = prox, unfold = 1);
  a = pursuit([conv(3, 1)], bn = analysis, unfold = 1);
}

# filters 6, + 1 + 3.
# CHECK:      0 n pursuit/istax1 [3, 4, 4] 3 10{{$}}
# filters 9, + 1 + 3 + 2*3.
# CHECK-NEXT: 1 p pursuit/istax1 [3, 4, 4] 3 19{{$}}
# CHECK-NEXT: 2 a pursuit/istax1 [3, 4, 4] 3 19{{$}}
# CHECK-NEXT: total parameters: 48{{$}}

# MLIR-NOT:  "n.bn
# MLIR:      csc.pursuit {{.*}}{bn = #csc<bn none>
# MLIR:      csc.param "p.bn.weight" {init = "ones"} : tensor<3xf32>
# MLIR-NEXT: csc.param "p.bn.bias" {init = "zeros"} : tensor<3xf32>
# MLIR-NEXT: csc.param "p.bn.0.running_mean" {init = "zeros", state} : tensor<3xf32>
# MLIR-NEXT: csc.param "p.bn.0.running_var" {init = "ones", state} : tensor<3xf32>
# MLIR:      csc.pursuit {{.*}} bn({{.*}}) {bn = #csc<bn prox>
# MLIR:      csc.param "a.bn.weight" {init = "ones"} : tensor<3xf32>
# MLIR:      csc.pursuit {{.*}} bn({{.*}}) {bn = #csc<bn analysis>
