# Batch-norm tensors of a pursuit: bn = prox keeps running statistics per
# unfolding iteration (docs/design.md §2b), with shared or per-iteration affine
# parameters; bn = analysis normalises D^T X once and keeps one set.
# RUN: cscc %s | FileCheck %s

model bn_state {
  input [2, 4, 4];
  a = pursuit([conv(3, 3, padding = 1)], unfold = 2, bn = prox);
  b = pursuit([conv(3, 3, padding = 1)], unfold = 1, bn = prox, bn_affine = per_iter);
  c = pursuit([conv(3, 3, padding = 1)], unfold = 2, bn = analysis);
}

# CHECK: csc.param "a.bn.weight" {init = "ones"} : tensor<3xf32>
# CHECK-NEXT: csc.param "a.bn.bias" {init = "zeros"} : tensor<3xf32>
# CHECK-NEXT: csc.param "a.bn.0.running_mean" {init = "zeros", state} : tensor<3xf32>
# CHECK-NEXT: csc.param "a.bn.0.running_var" {init = "ones", state} : tensor<3xf32>
# CHECK-NEXT: csc.param "a.bn.1.running_mean" {init = "zeros", state}
# CHECK-NEXT: csc.param "a.bn.1.running_var" {init = "ones", state}
# CHECK-NEXT: csc.param "a.bn.2.running_mean" {init = "zeros", state}
# CHECK-NEXT: csc.param "a.bn.2.running_var" {init = "ones", state}
# CHECK-NEXT: csc.pursuit {{.*}} bn({{.*}}) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>

# CHECK: csc.param "b.bn.0.weight"
# CHECK-NEXT: csc.param "b.bn.0.bias"
# CHECK-NEXT: csc.param "b.bn.1.weight"
# CHECK-NEXT: csc.param "b.bn.1.bias"
# CHECK-NEXT: csc.param "b.bn.0.running_mean"
# CHECK-NEXT: csc.param "b.bn.0.running_var"
# CHECK-NEXT: csc.param "b.bn.1.running_mean"
# CHECK-NEXT: csc.param "b.bn.1.running_var"
# CHECK-NEXT: csc.pursuit {{.*}} {bn = #csc<bn prox>, bn_affine = #csc<bn_affine per_iter>

# CHECK: csc.param "c.bn.weight"
# CHECK-NEXT: csc.param "c.bn.bias"
# CHECK-NEXT: csc.param "c.bn.running_mean" {init = "zeros", state}
# CHECK-NEXT: csc.param "c.bn.running_var" {init = "ones", state}
# CHECK-NEXT: csc.pursuit {{.*}} {bn = #csc<bn analysis>
