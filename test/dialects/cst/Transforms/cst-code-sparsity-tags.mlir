// Code names: csc-unfold-pursuits tags the op defining each pursuit's final
// code (a stack's top code) with csc.code = the layer's name from its
// parameters' names, or pursuit.K (K its index in program order) when it
// has none; csc-lower-to-cst carries the tag over as cst.code.
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(csc-unfold-pursuits))' | FileCheck %s --check-prefix=UNFOLD
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(csc-unfold-pursuits,csc-expand-dictionaries),csc-lower-to-cst)' | FileCheck %s --check-prefix=CST
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(csc-unfold-pursuits,csc-expand-dictionaries),csc-lower-to-cst{mode=train})' | FileCheck %s --check-prefix=TRAIN

// UNFOLD-LABEL: func.func @codes
// "layer.0": step, threshold, filter; one unfolding: only the second
// threshold (the final code) is tagged.
// UNFOLD: %[[G1:.*]] = cst.threshold %{{.*}}, %{{.*}} {kind = #cst<threshold relu>}
// UNFOLD: csc.synthesis %{{.*}}, %[[G1]]
// UNFOLD: %[[G:.*]] = cst.threshold %{{.*}}, %{{.*}} {csc.code = "layer.0", kind = #cst<threshold relu>}
// A pursuit whose only parameter is one filter; its warm start is G,
// whose parameters are not its own.
// UNFOLD: cst.threshold %{{.*}} {csc.code = "solo", kind = #cst<threshold soft>}
// A stack (levels blk.s.0, blk.s.1, batch norm in the prox): its top code.
// UNFOLD: %[[B1:.*]] = csc.batch_norm
// UNFOLD-NEXT: cst.threshold %[[B1]] {kind = #cst<threshold relu>}
// UNFOLD: %[[B2:.*]] = csc.batch_norm
// UNFOLD-NEXT: cst.threshold %[[B2]] {csc.code = "blk.s", kind = #cst<threshold relu>}
// A one-level stack is named without its level.
// UNFOLD: cst.threshold %{{.*}}, %{{.*}} {csc.code = "one", kind = #cst<threshold relu>}
// Parameters that are arguments (no names): the pursuit's index, 4.
// UNFOLD: cst.threshold %{{.*}}, %{{.*}} {csc.code = "pursuit.4", kind = #cst<threshold relu>}
// A name already taken falls back to the index too.
// UNFOLD: cst.threshold %{{.*}} {csc.code = "pursuit.5", kind = #cst<threshold relu>}
// UNFOLD: csc.batch_norm {{.*}} {csc.code = "tagged.bn"
// UNFOLD-NOT: csc.code
// UNFOLD: return

// CST-LABEL: func.func @codes
// CST-NOT: csc.code
// CST: cst.threshold %{{.*}} {cst.code = "layer.0", kind = #cst<threshold relu>}
// CST: cst.threshold %{{.*}} {cst.code = "solo", kind = #cst<threshold soft>}
// CST: %[[B1:.*]] = cst.batch_norm_eval
// CST-NEXT: cst.threshold %[[B1]] {kind = #cst<threshold relu>}
// CST: %[[B2:.*]] = cst.batch_norm_eval
// CST-NEXT: cst.threshold %[[B2]] {cst.code = "blk.s", kind = #cst<threshold relu>}
// CST: cst.threshold %{{.*}}, %{{.*}} {cst.code = "one", kind = #cst<threshold relu>}
// CST: cst.threshold %{{.*}}, %{{.*}} {cst.code = "pursuit.4", kind = #cst<threshold relu>}
// CST: cst.threshold %{{.*}} {cst.code = "pursuit.5", kind = #cst<threshold relu>}
// A tagged csc op: the tag moves to the tensor-level op that replaces it.
// CST: cst.batch_norm_eval {{.*}} {cst.code = "tagged.bn"
// CST-NOT: csc.code
// CST: return

// Train mode: the batch norm becomes a multi-result op; the tag is on it.
// TRAIN-LABEL: func.func @codes
// TRAIN: cst.threshold %{{.*}} {cst.code = "blk.s", kind = #cst<threshold relu>}
// TRAIN: cst.batch_norm_train {{.*}} {cst.code = "tagged.bn"
// TRAIN-NOT: csc.code
func.func @codes(%x: tensor<?x2x6x6xf32>, %wa: tensor<3x2x3x3xf32>, %ca: tensor<1xf32>, %ba: tensor<3xf32>) -> (tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x4x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>) {
  // layer.0
  %w = csc.param "layer.0.dict.0.weight" {init = "kaiming"} : tensor<3x2x3x3xf32>
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %c = csc.param "layer.0.step" {init = "ones"} : tensor<1xf32>
  %b = csc.param "layer.0.threshold" {init = "zeros"} : tensor<3xf32>
  %g = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  // solo: one filter (block 1 of a composition), warm start %g
  %ws = csc.param "solo.dict.0.1.weight" {init = "kaiming"} : tensor<3x2x3x3xf32>
  %ds = csc.conv_atom %ws {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %s = csc.pursuit %x, %ds init %g {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram off>, keep_init = true, prox = #csc<prox soft>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32>
  // blk.s: two levels, batch norm (prox), no steps or thresholds
  %w1 = csc.param "blk.s.0.dict.0.weight" {init = "kaiming"} : tensor<3x2x3x3xf32>
  %d1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %w2 = csc.param "blk.s.1.dict.0.weight" {init = "kaiming"} : tensor<4x3x3x3xf32>
  %d2 = csc.conv_atom %w2 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x3x3x3xf32> -> !csc.dict<3 -> 4>
  %a1 = csc.param "blk.s.0.bn.weight" {init = "ones"} : tensor<3xf32>
  %a2 = csc.param "blk.s.0.bn.bias" {init = "zeros"} : tensor<3xf32>
  %m1 = csc.param "blk.s.0.bn.0.running_mean" {init = "zeros", state} : tensor<3xf32>
  %v1 = csc.param "blk.s.0.bn.0.running_var" {init = "ones", state} : tensor<3xf32>
  %a3 = csc.param "blk.s.1.bn.weight" {init = "ones"} : tensor<4xf32>
  %a4 = csc.param "blk.s.1.bn.bias" {init = "zeros"} : tensor<4xf32>
  %m2 = csc.param "blk.s.1.bn.0.running_mean" {init = "zeros", state} : tensor<4xf32>
  %v2 = csc.param "blk.s.1.bn.0.running_var" {init = "ones", state} : tensor<4xf32>
  %t = csc.stacked_pursuit %x dicts(%d1, %d2) bn(%a1, %a2, %m1, %v1, %a3, %a4, %m2, %v2) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, !csc.dict<3 -> 4>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  // one: a stack of one level
  %wo = csc.param "one.0.dict.0.weight" {init = "kaiming"} : tensor<3x2x3x3xf32>
  %do = csc.conv_atom %wo {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %bo = csc.param "one.0.threshold" {init = "zeros"} : tensor<3xf32>
  %o = csc.stacked_pursuit %x dicts(%do) thresholds(%bo) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  // arguments only
  %da = csc.conv_atom %wa {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %p = csc.pursuit %x, %da step %ca threshold %ba {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  // "solo" again
  %ws2 = csc.param "solo.dict.0.weight" {init = "kaiming"} : tensor<3x2x3x3xf32>
  %ds2 = csc.conv_atom %ws2 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %q = csc.pursuit %x, %ds2 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>) -> tensor<?x3x6x6xf32>
  // a csc op tagged by hand
  %bw = csc.param "tagged.bn.weight" {init = "ones"} : tensor<3xf32>
  %bb = csc.param "tagged.bn.bias" {init = "zeros"} : tensor<3xf32>
  %bm = csc.param "tagged.bn.running_mean" {init = "zeros", state} : tensor<3xf32>
  %bv = csc.param "tagged.bn.running_var" {init = "ones", state} : tensor<3xf32>
  %n = csc.batch_norm %q, %bw, %bb, %bm, %bv {csc.code = "tagged.bn", eps = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64} : (tensor<?x3x6x6xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %g, %s, %t, %o, %p, %q, %n : tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x4x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>, tensor<?x3x6x6xf32>
}
