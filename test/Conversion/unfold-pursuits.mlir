// csc-unfold-pursuits writes out the ISTA/FISTA iterations of docs/design.md
// §1 with csc.analysis (D^T) and csc.synthesis (D).
// RUN: csc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(csc-unfold-pursuits))' | FileCheck %s

//===----------------------------------------------------------------------===//
// ISTA: unfold 0, 1, 2
//===----------------------------------------------------------------------===//

// unfold = 0 is the feed-forward layer P_b(c D^T X): no synthesis at all.
// CHECK-LABEL: func.func @ista0
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x6x6xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>, %[[C:.*]]: tensor<1xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[D:.*]] = csc.conv_atom %[[W]]
// CHECK-NEXT: %[[DTX:.*]] = csc.analysis %[[D]], %[[X]] : <2 -> 3>, tensor<?x2x6x6xf32> -> tensor<?x3x6x6xf32>
// CHECK-NEXT: %[[CDTX:.*]] = cst.scale %[[DTX]], %[[C]] : (tensor<?x3x6x6xf32>, tensor<1xf32>) -> tensor<?x3x6x6xf32>
// CHECK-NEXT: %[[G:.*]] = cst.threshold %[[CDTX]], %[[B]] {csc.code = "pursuit.0", kind = #cst<threshold relu>}
// CHECK-NEXT: return %[[G]]
// CHECK-NOT: csc.pursuit
func.func @ista0(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// unfold = 1: one more step G2 = P_b(G1 - c D^T D G1 + c D^T X), with c D^T X
// the value of the first step (computed once).
// CHECK-LABEL: func.func @ista1
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x6x6xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>, %[[C:.*]]: tensor<1xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[D:.*]] = csc.conv_atom %[[W]]
// CHECK-NEXT: %[[DTX:.*]] = csc.analysis %[[D]], %[[X]]
// CHECK-NEXT: %[[CDTX:.*]] = cst.scale %[[DTX]], %[[C]]
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[CDTX]], %[[B]] {kind = #cst<threshold soft>}
// CHECK-NEXT: %[[DG:.*]] = csc.synthesis %[[D]], %[[G1]] : <2 -> 3>, tensor<?x3x6x6xf32> -> tensor<?x2x6x6xf32>
// CHECK-NEXT: %[[DTDG:.*]] = csc.analysis %[[D]], %[[DG]] : <2 -> 3>, tensor<?x2x6x6xf32> -> tensor<?x3x6x6xf32>
// CHECK-NEXT: %[[CG:.*]] = cst.scale %[[DTDG]], %[[C]]
// CHECK-NEXT: %[[S:.*]] = cst.axpby %[[G1]], %[[CG]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[S]], %[[CDTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G2:.*]] = cst.threshold %[[Z]], %[[B]] {csc.code = "pursuit.0", kind = #cst<threshold soft>}
// CHECK-NEXT: return %[[G2]]
func.func @ista1(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox soft>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// unfold = 2: two Gram applications D^T (D G), each on the previous code;
// D^T X appears once and both steps add the same c D^T X.
// CHECK-LABEL: func.func @ista2
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x6x6xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>, %[[C:.*]]: tensor<1xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[DTX:.*]] = csc.analysis %[[D:.*]], %[[X]]
// CHECK-NEXT: %[[CDTX:.*]] = cst.scale %[[DTX]], %[[C]]
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[CDTX]], %[[B]]
// CHECK-NEXT: %[[DG1:.*]] = csc.synthesis %[[D]], %[[G1]]
// CHECK-NEXT: %[[DTDG1:.*]] = csc.analysis %[[D]], %[[DG1]]
// CHECK-NEXT: %[[CG1:.*]] = cst.scale %[[DTDG1]], %[[C]]
// CHECK-NEXT: %[[S1:.*]] = cst.axpby %[[G1]], %[[CG1]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[Z1:.*]] = cst.axpby %[[S1]], %[[CDTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G2:.*]] = cst.threshold %[[Z1]], %[[B]]
// CHECK-NEXT: %[[DG2:.*]] = csc.synthesis %[[D]], %[[G2]]
// CHECK-NEXT: %[[DTDG2:.*]] = csc.analysis %[[D]], %[[DG2]]
// CHECK-NEXT: %[[CG2:.*]] = cst.scale %[[DTDG2]], %[[C]]
// CHECK-NEXT: %[[S2:.*]] = cst.axpby %[[G2]], %[[CG2]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[Z2:.*]] = cst.axpby %[[S2]], %[[CDTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G3:.*]] = cst.threshold %[[Z2]], %[[B]]
// CHECK-NEXT: return %[[G3]]
func.func @ista2(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 2 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// A strided dictionary: the synthesis gives back the signal's own size
// (7x7), which the code size 4x4 alone does not determine.
// CHECK-LABEL: func.func @strided
// CHECK: %[[DTX:.*]] = csc.analysis %[[D:[^,]*]], %arg0 : <2 -> 3>, tensor<?x2x7x7xf32> -> tensor<?x3x4x4xf32>
// CHECK-NEXT: %[[CDTX:.*]] = cst.scale %[[DTX]], %arg2
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[CDTX]], %arg3
// CHECK-NEXT: %[[DG:.*]] = csc.synthesis %[[D]], %[[G1]] : <2 -> 3>, tensor<?x3x4x4xf32> -> tensor<?x2x7x7xf32>
// CHECK-NEXT: %[[DTDG:.*]] = csc.analysis %[[D]], %[[DG]] : <2 -> 3>, tensor<?x2x7x7xf32> -> tensor<?x3x4x4xf32>
// CHECK-NEXT: %[[CG:.*]] = cst.scale %[[DTDG]], %arg2
// CHECK-NEXT: %[[S:.*]] = cst.axpby %[[G1]], %[[CG]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[S]], %[[CDTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G2:.*]] = cst.threshold %[[Z]], %arg3
// CHECK-NEXT: return %[[G2]] : tensor<?x3x4x4xf32>
func.func @strided(%x: tensor<?x2x7x7xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x7x7xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
  return %z : tensor<?x3x4x4xf32>
}

//===----------------------------------------------------------------------===//
// FISTA: t_1 = 1, t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2, momentum
// mu_k = (t_k - 1) / t_{k+1}: mu_1 = 0, t_2 = (1 + sqrt 5) / 2 = 1.6180339887,
// t_3 = 2.1935270853, mu_2 = 0.2817535251, t_4 = 2.7497913401,
// mu_3 = 0.4340427828. Z = (1 + mu) G_k - mu G_{k-1}.
//===----------------------------------------------------------------------===//

// -----

// unfold = 1: mu_1 = 0, so FISTA is ISTA (no extrapolation).
// CHECK-LABEL: func.func @fista1
// CHECK: %[[DTX:.*]] = csc.analysis %[[D:[^,]*]], %arg0
// CHECK-NEXT: %[[CDTX:.*]] = cst.scale %[[DTX]], %arg2
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[CDTX]], %arg3
// CHECK-NEXT: %[[DG:.*]] = csc.synthesis %[[D]], %[[G1]]
// CHECK-NEXT: %[[DTDG:.*]] = csc.analysis %[[D]], %[[DG]]
// CHECK-NEXT: %[[CG:.*]] = cst.scale %[[DTDG]], %arg2
// CHECK-NEXT: %[[S:.*]] = cst.axpby %[[G1]], %[[CG]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[S]], %[[CDTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G2:.*]] = cst.threshold %[[Z]], %arg3
// CHECK-NEXT: return %[[G2]]
func.func @fista1(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// unfold = 2: the second unfolding starts from Z = G2 + mu_2 (G2 - G1).
// CHECK-LABEL: func.func @fista2
// CHECK: %[[DTX:.*]] = csc.analysis %[[D:[^,]*]], %arg0
// CHECK-NEXT: %[[CDTX:.*]] = cst.scale %[[DTX]]
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[CDTX]]
// CHECK-NEXT: %[[DG1:.*]] = csc.synthesis %[[D]], %[[G1]]
// CHECK-NEXT: %[[DTDG1:.*]] = csc.analysis %[[D]], %[[DG1]]
// CHECK-NEXT: %[[CG1:.*]] = cst.scale %[[DTDG1]]
// CHECK-NEXT: %[[S1:.*]] = cst.axpby %[[G1]], %[[CG1]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[T1:.*]] = cst.axpby %[[S1]], %[[CDTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G2:.*]] = cst.threshold %[[T1]]
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[G2]], %[[G1]] {alpha = 1.28175352512532{{[0-9]*}} : f64, beta = -0.28175352512532{{[0-9]*}} : f64}
// CHECK-NEXT: %[[DZ:.*]] = csc.synthesis %[[D]], %[[Z]]
// CHECK-NEXT: %[[DTDZ:.*]] = csc.analysis %[[D]], %[[DZ]]
// CHECK-NEXT: %[[CZ:.*]] = cst.scale %[[DTDZ]]
// CHECK-NEXT: %[[S:.*]] = cst.axpby %[[Z]], %[[CZ]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[T:.*]] = cst.axpby %[[S]], %[[CDTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G3:.*]] = cst.threshold %[[T]]
// CHECK-NEXT: return %[[G3]]
func.func @fista2(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 2 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// unfold = 3: mu_2 then mu_3, each extrapolating from the previous code (not
// from the previous extrapolated point).
// CHECK-LABEL: func.func @fista3
// CHECK: %[[G1:.*]] = cst.threshold
// CHECK: %[[G2:.*]] = cst.threshold
// CHECK-NEXT: %[[Z2:.*]] = cst.axpby %[[G2]], %[[G1]] {alpha = 1.28175352512532{{[0-9]*}} : f64, beta = -0.28175352512532{{[0-9]*}} : f64}
// CHECK: %[[G3:.*]] = cst.threshold
// CHECK-NEXT: %[[Z3:.*]] = cst.axpby %[[G3]], %[[G2]] {alpha = 1.43404278278030{{[0-9]*}} : f64, beta = -0.43404278278030{{[0-9]*}} : f64}
// CHECK-NEXT: csc.synthesis %{{.*}}, %[[Z3]]
// CHECK: %[[G4:.*]] = cst.threshold
// CHECK-NEXT: return %[[G4]]
func.func @fista3(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 3 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

//===----------------------------------------------------------------------===//
// Warm starts: G1 = P_b(k G0 + c D^T X + g D^T D G0)
//===----------------------------------------------------------------------===//

// -----

// gram = on, keep_init: exact ISTA from G0: G0 + c D^T X - c D^T D G0.
// CHECK-LABEL: func.func @warm_gram_on
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x6x6xf32>, %{{[^:]*}}: tensor<3x2x3x3xf32>, %[[C:[^:]*]]: tensor<1xf32>, %[[B:[^:]*]]: tensor<3xf32>, %[[G0:[^:]*]]: tensor<?x3x6x6xf32>)
// CHECK: %[[DTX:.*]] = csc.analysis %[[D:[^,]*]], %[[X]]
// CHECK-NEXT: %[[CDTX:.*]] = cst.scale %[[DTX]], %[[C]]
// CHECK-NEXT: %[[K:.*]] = cst.axpby %[[CDTX]], %[[G0]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[DG0:.*]] = csc.synthesis %[[D]], %[[G0]]
// CHECK-NEXT: %[[DTDG0:.*]] = csc.analysis %[[D]], %[[DG0]]
// CHECK-NEXT: %[[CG:.*]] = cst.scale %[[DTDG0]], %[[C]]
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[K]], %[[CG]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[Z]], %[[B]]
// CHECK-NEXT: return %[[G1]]
func.func @warm_gram_on(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>, %g0: tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b init %g0 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// gram = off (ResNet): P_b(c D^T X + G0), no Gram term at all.
// CHECK-LABEL: func.func @warm_gram_off
// CHECK-SAME: %[[G0:[^:]*]]: tensor<?x3x6x6xf32>)
// CHECK-NOT: csc.synthesis
// CHECK: %[[CDTX:.*]] = cst.scale
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[CDTX]], %[[G0]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[Z]]
// CHECK-NEXT: return %[[G1]]
func.func @warm_gram_off(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>, %g0: tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b init %g0 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram off>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// gram = learned, keep_init = false (Res-CSC-Simplified with Eq. 5's learned
// g): P_b(c D^T X + g D^T D G0); G0 itself is not added, and g (not c)
// scales the Gram term, with a plus sign.
// CHECK-LABEL: func.func @warm_gram_learned
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x6x6xf32>, %{{[^:]*}}: tensor<3x2x3x3xf32>, %[[C:[^:]*]]: tensor<1xf32>, %[[B:[^:]*]]: tensor<3xf32>, %[[G0:[^:]*]]: tensor<?x3x6x6xf32>, %[[GC:[^:]*]]: tensor<1xf32>)
// CHECK: %[[CDTX:.*]] = cst.scale %{{.*}}, %[[C]]
// CHECK-NOT: cst.axpby %[[CDTX]], %[[G0]]
// CHECK-NEXT: %[[DG0:.*]] = csc.synthesis %{{.*}}, %[[G0]]
// CHECK-NEXT: %[[DTDG0:.*]] = csc.analysis %{{.*}}, %[[DG0]]
// CHECK-NEXT: %[[GG:.*]] = cst.scale %[[DTDG0]], %[[GC]]
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[CDTX]], %[[GG]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[Z]], %[[B]]
// The unfolding after it uses the ordinary step c.
// CHECK-NEXT: csc.synthesis %{{.*}}, %[[G1]]
// CHECK-NEXT: csc.analysis
// CHECK-NEXT: cst.scale %{{.*}}, %[[C]]
// CHECK: return
func.func @warm_gram_learned(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>, %g0: tensor<?x3x6x6xf32>, %g: tensor<1xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b init %g0 gram %g {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram learned>, keep_init = false, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<?x3x6x6xf32>, tensor<1xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// keep_init = false with gram = on: c D^T X - c D^T D G0, no + G0.
// CHECK-LABEL: func.func @warm_no_keep
// CHECK-SAME: %[[G0:[^:]*]]: tensor<?x3x6x6xf32>)
// CHECK: %[[CDTX:.*]] = cst.scale
// CHECK-NEXT: csc.synthesis %{{.*}}, %[[G0]]
// CHECK-NEXT: csc.analysis
// CHECK-NEXT: %[[CG:.*]] = cst.scale
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[CDTX]], %[[CG]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: cst.threshold %[[Z]]
// CHECK-NOT: %[[G0]]
// CHECK: return
func.func @warm_no_keep(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>, %g0: tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b init %g0 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = false, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// FISTA from a warm start: the momentum of the first unfolding is 0, so G0
// enters only the first step; the second unfolding extrapolates G2 - G1.
// CHECK-LABEL: func.func @warm_fista
// CHECK-SAME: %[[G0:[^:]*]]: tensor<?x3x6x6xf32>)
// CHECK: %[[G1:.*]] = cst.threshold
// CHECK-NOT: %[[G0]]
// CHECK: %[[G2:.*]] = cst.threshold
// CHECK-NEXT: cst.axpby %[[G2]], %[[G1]] {alpha = 1.28175352512532{{[0-9]*}} : f64, beta = -0.28175352512532{{[0-9]*}} : f64}
func.func @warm_fista(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>, %g0: tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b init %g0 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 2 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

//===----------------------------------------------------------------------===//
// Step c: per channel, scalar, none
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @step_channel
// CHECK-SAME: %[[C:[^:]*]]: tensor<3xf32>
// CHECK: cst.scale %{{.*}}, %[[C]] : (tensor<?x3x6x6xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
// CHECK: cst.scale %{{.*}}, %[[C]] : (tensor<?x3x6x6xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
// CHECK-NOT: cst.scale
// CHECK: return
func.func @step_channel(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// step = none (c = 1): no scale; the unfolding is G - D^T D G + D^T X.
// threshold = none: a threshold without b.
// CHECK-LABEL: func.func @step_none
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x6x6xf32>
// CHECK-NOT: cst.scale
// CHECK: %[[DTX:.*]] = csc.analysis %[[D:[^,]*]], %[[X]]
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[DTX]] {kind = #cst<threshold relu>} : (tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32>
// CHECK-NEXT: %[[DG:.*]] = csc.synthesis %[[D]], %[[G1]]
// CHECK-NEXT: %[[DTDG:.*]] = csc.analysis %[[D]], %[[DG]]
// CHECK-NEXT: %[[S:.*]] = cst.axpby %[[G1]], %[[DTDG]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[Z:.*]] = cst.axpby %[[S]], %[[DTX]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: cst.threshold %[[Z]] {csc.code = "pursuit.0", kind = #cst<threshold relu>}
// CHECK-NOT: cst.scale
func.func @step_none(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

//===----------------------------------------------------------------------===//
// threshold = conv_channels: b only on the conv blocks' channels
//===----------------------------------------------------------------------===//

// -----

// [identity (2), conv (3), identity (2), conv (4)]: 11 code channels, 7
// thresholds. The vector is zeros with b[0:3] at 2 and b[3:7] at 7.
// CHECK-LABEL: func.func @threshold_conv_channels
// CHECK-SAME: %[[B:[^:]*]]: tensor<7xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<11xf32>
// CHECK-NEXT: %[[B1:.*]] = tensor.extract_slice %[[B]][0] [3] [1] : tensor<7xf32> to tensor<3xf32>
// CHECK-NEXT: %[[T1:.*]] = tensor.insert_slice %[[B1]] into %[[ZERO]][2] [3] [1] : tensor<3xf32> into tensor<11xf32>
// CHECK-NEXT: %[[B2:.*]] = tensor.extract_slice %[[B]][3] [4] [1] : tensor<7xf32> to tensor<4xf32>
// CHECK-NEXT: %[[T2:.*]] = tensor.insert_slice %[[B2]] into %[[T1]][7] [4] [1] : tensor<4xf32> into tensor<11xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: cst.threshold %{{.*}}, %[[T2]] {csc.code = "pursuit.0", kind = #cst<threshold relu>} : (tensor<?x11x6x6xf32>, tensor<11xf32>)
// CHECK-NEXT: return
func.func @threshold_conv_channels(%x: tensor<?x2x6x6xf32>, %w1: tensor<3x2x3x3xf32>, %w2: tensor<4x2x1x1xf32>, %b: tensor<7xf32>) -> tensor<?x11x6x6xf32> {
  %i = csc.identity : !csc.dict<2 -> 2>
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %f2 = csc.conv_atom %w2 {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<4x2x1x1xf32> -> !csc.dict<2 -> 4>
  %d = csc.vstack %i, %f1, %i, %f2 : (!csc.dict<2 -> 2>, !csc.dict<2 -> 3>, !csc.dict<2 -> 2>, !csc.dict<2 -> 4>) -> !csc.dict<2 -> 11>
  %z = csc.pursuit %x, %d threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 11>, tensor<7xf32>) -> tensor<?x11x6x6xf32>
  return %z : tensor<?x11x6x6xf32>
}

// -----

// A threshold with one entry per code channel is used as it is.
// CHECK-LABEL: func.func @threshold_channel
// CHECK-SAME: %[[B:[^:]*]]: tensor<5xf32>)
// CHECK-NOT: tensor.insert_slice
// CHECK: cst.threshold %{{.*}}, %[[B]]
func.func @threshold_channel(%x: tensor<?x2x6x6xf32>, %w1: tensor<3x2x3x3xf32>, %b: tensor<5xf32>) -> tensor<?x5x6x6xf32> {
  %i = csc.identity : !csc.dict<2 -> 2>
  %f1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %d = csc.vstack %i, %f1 : (!csc.dict<2 -> 2>, !csc.dict<2 -> 3>) -> !csc.dict<2 -> 5>
  %z = csc.pursuit %x, %d threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 5>, tensor<5xf32>) -> tensor<?x5x6x6xf32>
  return %z : tensor<?x5x6x6xf32>
}

//===----------------------------------------------------------------------===//
// Batch norm before the prox
//===----------------------------------------------------------------------===//

// -----

// bn = prox, shared affine, unfold = 2: one batch norm per iteration, all with
// the same weight and bias, each with its own running statistics
// (bn_params: w, b, m0, v0, m1, v1, m2, v2).
// CHECK-LABEL: func.func @bn_prox_shared
// CHECK-SAME: %[[W:[^:]*]]: tensor<3xf32>, %[[BB:[^:]*]]: tensor<3xf32>, %[[M0:[^:]*]]: tensor<3xf32>, %[[V0:[^:]*]]: tensor<3xf32>, %[[M1:[^:]*]]: tensor<3xf32>, %[[V1:[^:]*]]: tensor<3xf32>, %[[M2:[^:]*]]: tensor<3xf32>, %[[V2:[^:]*]]: tensor<3xf32>)
// CHECK: %[[CDTX:.*]] = cst.scale
// CHECK-NEXT: %[[N0:.*]] = csc.batch_norm %[[CDTX]], %[[W]], %[[BB]], %[[M0]], %[[V0]] {eps = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64}
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[N0]]
// CHECK: %[[Z1:.*]] = cst.axpby %{{.*}}, %[[CDTX]]
// CHECK-NEXT: %[[N1:.*]] = csc.batch_norm %[[Z1]], %[[W]], %[[BB]], %[[M1]], %[[V1]]
// CHECK-NEXT: cst.threshold %[[N1]]
// CHECK: %[[Z2:.*]] = cst.axpby %{{.*}}, %[[CDTX]]
// CHECK-NEXT: %[[N2:.*]] = csc.batch_norm %[[Z2]], %[[W]], %[[BB]], %[[M2]], %[[V2]]
// CHECK-NEXT: %[[G3:.*]] = cst.threshold %[[N2]]
// CHECK-NEXT: return %[[G3]]
func.func @bn_prox_shared(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>,
    %bw: tensor<3xf32>, %bb: tensor<3xf32>, %m0: tensor<3xf32>, %v0: tensor<3xf32>, %m1: tensor<3xf32>, %v1: tensor<3xf32>, %m2: tensor<3xf32>, %v2: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b bn(%bw, %bb, %m0, %v0, %m1, %v1, %m2, %v2) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 2 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// bn = prox, per_iter affine, unfold = 1: bn_params are w0, b0, w1, b1, then
// m0, v0, m1, v1.
// CHECK-LABEL: func.func @bn_prox_per_iter
// CHECK-SAME: %[[W0:[^:]*]]: tensor<3xf32>, %[[B0:[^:]*]]: tensor<3xf32>, %[[W1:[^:]*]]: tensor<3xf32>, %[[B1:[^:]*]]: tensor<3xf32>, %[[M0:[^:]*]]: tensor<3xf32>, %[[V0:[^:]*]]: tensor<3xf32>, %[[M1:[^:]*]]: tensor<3xf32>, %[[V1:[^:]*]]: tensor<3xf32>)
// CHECK: csc.batch_norm %{{.*}}, %[[W0]], %[[B0]], %[[M0]], %[[V0]]
// CHECK: csc.batch_norm %{{.*}}, %[[W1]], %[[B1]], %[[M1]], %[[V1]]
// CHECK-NOT: csc.batch_norm
// CHECK: return
func.func @bn_prox_per_iter(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>,
    %w0: tensor<3xf32>, %b0: tensor<3xf32>, %w1: tensor<3xf32>, %b1: tensor<3xf32>, %m0: tensor<3xf32>, %v0: tensor<3xf32>, %m1: tensor<3xf32>, %v1: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b bn(%w0, %b0, %w1, %b1, %m0, %v0, %m1, %v1) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine per_iter>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

// -----

// bn = analysis: one batch norm, on D^T X, before the step; the prox of each
// iteration has none, and every iteration reuses c BN(D^T X).
// CHECK-LABEL: func.func @bn_analysis
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x6x6xf32>, %{{[^:]*}}: tensor<3x2x3x3xf32>, %[[C:[^:]*]]: tensor<1xf32>, %[[B:[^:]*]]: tensor<3xf32>, %[[W:[^:]*]]: tensor<3xf32>, %[[BB:[^:]*]]: tensor<3xf32>, %[[M:[^:]*]]: tensor<3xf32>, %[[V:[^:]*]]: tensor<3xf32>)
// CHECK: %[[DTX:.*]] = csc.analysis %{{.*}}, %[[X]]
// CHECK-NEXT: %[[N:.*]] = csc.batch_norm %[[DTX]], %[[W]], %[[BB]], %[[M]], %[[V]]
// CHECK-NEXT: %[[CN:.*]] = cst.scale %[[N]], %[[C]]
// CHECK-NEXT: %[[G1:.*]] = cst.threshold %[[CN]], %[[B]] {kind = #cst<threshold soft>}
// CHECK-NOT: csc.batch_norm
// CHECK: %[[Z:.*]] = cst.axpby %{{.*}}, %[[CN]] {alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT: %[[G2:.*]] = cst.threshold %[[Z]], %[[B]] {csc.code = "pursuit.0", kind = #cst<threshold soft>}
// CHECK-NEXT: return %[[G2]]
func.func @bn_analysis(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>, %c: tensor<1xf32>, %b: tensor<3xf32>,
    %bw: tensor<3xf32>, %bb: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<?x3x6x6xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d step %c threshold %b bn(%bw, %bb, %m, %v) {bn = #csc<bn analysis>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox soft>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, tensor<1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  return %z : tensor<?x3x6x6xf32>
}

//===----------------------------------------------------------------------===//
// Stacked pursuit (ML-ISTA / ML-FISTA)
//===----------------------------------------------------------------------===//

// -----

// d = 3, FISTA, unfold = 2. Encode G_i = P_i(c_i D_i^T G_{i-1}); then per
// unfolding a backward sweep G_2 = D_3 G_3, G_1 = D_2 G_2 and a forward sweep
// G_i = P_i(G_i - c_i (D_i^T D_i G_i - D_i^T G_{i-1})) with the updated
// G_{i-1} (G_0 = X). The momentum acts on G_3 only, before the second
// backward sweep.
// CHECK-LABEL: func.func @stacked
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x6x6xf32>, %{{[^:]*}}: tensor<3x2x3x3xf32>, %{{[^:]*}}: tensor<5x3x3x3xf32>, %{{[^:]*}}: tensor<4x5x3x3xf32>, %[[C1:[^:]*]]: tensor<1xf32>, %[[C2:[^:]*]]: tensor<1xf32>, %[[C3:[^:]*]]: tensor<1xf32>, %[[B1:[^:]*]]: tensor<3xf32>, %[[B2:[^:]*]]: tensor<5xf32>, %[[B3:[^:]*]]: tensor<4xf32>)
// CHECK: %[[D1:.*]] = csc.conv_atom {{.*}} -> <2 -> 3>
// CHECK: %[[D2:.*]] = csc.conv_atom {{.*}} -> <3 -> 5>
// CHECK: %[[D3:.*]] = csc.conv_atom {{.*}} -> <5 -> 4>
// Encode.
// CHECK-NEXT: %[[A1:.*]] = csc.analysis %[[D1]], %[[X]]
// CHECK-NEXT: %[[S1:.*]] = cst.scale %[[A1]], %[[C1]]
// CHECK-NEXT: %[[E1:.*]] = cst.threshold %[[S1]], %[[B1]]
// CHECK-NEXT: %[[A2:.*]] = csc.analysis %[[D2]], %[[E1]]
// CHECK-NEXT: %[[S2:.*]] = cst.scale %[[A2]], %[[C2]]
// CHECK-NEXT: %[[E2:.*]] = cst.threshold %[[S2]], %[[B2]]
// CHECK-NEXT: %[[A3:.*]] = csc.analysis %[[D3]], %[[E2]]
// CHECK-NEXT: %[[S3:.*]] = cst.scale %[[A3]], %[[C3]]
// CHECK-NEXT: %[[E3:.*]] = cst.threshold %[[S3]], %[[B3]]
// Unfolding 1 (no momentum): backward sweep from the top.
// CHECK-NEXT: %[[K2:.*]] = csc.synthesis %[[D3]], %[[E3]] : <5 -> 4>, tensor<?x4x6x6xf32> -> tensor<?x5x6x6xf32>
// CHECK-NEXT: %[[K1:.*]] = csc.synthesis %[[D2]], %[[K2]] : <3 -> 5>, tensor<?x5x6x6xf32> -> tensor<?x3x6x6xf32>
// Forward sweep, level 1 against the input.
// CHECK-NEXT: %[[R1:.*]] = csc.analysis %[[D1]], %[[X]]
// CHECK-NEXT: %[[Q1:.*]] = csc.synthesis %[[D1]], %[[K1]]
// CHECK-NEXT: %[[P1:.*]] = csc.analysis %[[D1]], %[[Q1]]
// CHECK-NEXT: %[[GR1:.*]] = cst.axpby %[[P1]], %[[R1]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[SG1:.*]] = cst.scale %[[GR1]], %[[C1]]
// CHECK-NEXT: %[[Y1:.*]] = cst.axpby %[[K1]], %[[SG1]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[F1:.*]] = cst.threshold %[[Y1]], %[[B1]]
// Level 2 against the updated level 1.
// CHECK-NEXT: %[[R2:.*]] = csc.analysis %[[D2]], %[[F1]]
// CHECK-NEXT: %[[Q2:.*]] = csc.synthesis %[[D2]], %[[K2]]
// CHECK-NEXT: %[[P2:.*]] = csc.analysis %[[D2]], %[[Q2]]
// CHECK-NEXT: %[[GR2:.*]] = cst.axpby %[[P2]], %[[R2]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[SG2:.*]] = cst.scale %[[GR2]], %[[C2]]
// CHECK-NEXT: %[[Y2:.*]] = cst.axpby %[[K2]], %[[SG2]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[F2:.*]] = cst.threshold %[[Y2]], %[[B2]]
// Level 3.
// CHECK-NEXT: %[[R3:.*]] = csc.analysis %[[D3]], %[[F2]]
// CHECK-NEXT: %[[Q3:.*]] = csc.synthesis %[[D3]], %[[E3]]
// CHECK-NEXT: %[[P3:.*]] = csc.analysis %[[D3]], %[[Q3]]
// CHECK-NEXT: %[[GR3:.*]] = cst.axpby %[[P3]], %[[R3]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[SG3:.*]] = cst.scale %[[GR3]], %[[C3]]
// CHECK-NEXT: %[[Y3:.*]] = cst.axpby %[[E3]], %[[SG3]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[F3:.*]] = cst.threshold %[[Y3]], %[[B3]]
// Unfolding 2: momentum on the top code, then the backward sweep from it.
// CHECK-NEXT: %[[M3:.*]] = cst.axpby %[[F3]], %[[E3]] {alpha = 1.28175352512532{{[0-9]*}} : f64, beta = -0.28175352512532{{[0-9]*}} : f64}
// CHECK-NEXT: %[[L2:.*]] = csc.synthesis %[[D3]], %[[M3]]
// CHECK-NEXT: %[[L1:.*]] = csc.synthesis %[[D2]], %[[L2]]
// CHECK-NEXT: %[[R1B:.*]] = csc.analysis %[[D1]], %[[X]]
// CHECK-NEXT: %[[Q1B:.*]] = csc.synthesis %[[D1]], %[[L1]]
// CHECK-NEXT: %[[P1B:.*]] = csc.analysis %[[D1]], %[[Q1B]]
// CHECK-NEXT: %[[GR1B:.*]] = cst.axpby %[[P1B]], %[[R1B]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[SG1B:.*]] = cst.scale %[[GR1B]], %[[C1]]
// CHECK-NEXT: %[[Y1B:.*]] = cst.axpby %[[L1]], %[[SG1B]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[F1B:.*]] = cst.threshold %[[Y1B]], %[[B1]]
// CHECK-NEXT: %[[R2B:.*]] = csc.analysis %[[D2]], %[[F1B]]
// CHECK-NEXT: %[[Q2B:.*]] = csc.synthesis %[[D2]], %[[L2]]
// CHECK-NEXT: %[[P2B:.*]] = csc.analysis %[[D2]], %[[Q2B]]
// CHECK-NEXT: %[[GR2B:.*]] = cst.axpby %[[P2B]], %[[R2B]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[SG2B:.*]] = cst.scale %[[GR2B]], %[[C2]]
// CHECK-NEXT: %[[Y2B:.*]] = cst.axpby %[[L2]], %[[SG2B]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[F2B:.*]] = cst.threshold %[[Y2B]], %[[B2]]
// CHECK-NEXT: %[[R3B:.*]] = csc.analysis %[[D3]], %[[F2B]]
// CHECK-NEXT: %[[Q3B:.*]] = csc.synthesis %[[D3]], %[[M3]]
// CHECK-NEXT: %[[P3B:.*]] = csc.analysis %[[D3]], %[[Q3B]]
// CHECK-NEXT: %[[GR3B:.*]] = cst.axpby %[[P3B]], %[[R3B]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64}
// CHECK-NEXT: %[[SG3B:.*]] = cst.scale %[[GR3B]], %[[C3]]
// CHECK-NEXT: %[[H3:.*]] = cst.axpby %[[M3]], %[[SG3B]] {alpha = 1.000000e+00 : f64, beta = -1.000000e+00 : f64} : tensor<?x4x6x6xf32>
// CHECK-NEXT: %[[G3:.*]] = cst.threshold %[[H3]], %[[B3]]
// CHECK-NEXT: return %[[G3]]
func.func @stacked(%x: tensor<?x2x6x6xf32>, %w1: tensor<3x2x3x3xf32>, %w2: tensor<5x3x3x3xf32>, %w3: tensor<4x5x3x3xf32>,
    %c1: tensor<1xf32>, %c2: tensor<1xf32>, %c3: tensor<1xf32>, %b1: tensor<3xf32>, %b2: tensor<5xf32>, %b3: tensor<4xf32>) -> tensor<?x4x6x6xf32> {
  %d1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %d2 = csc.conv_atom %w2 {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<5x3x3x3xf32> -> !csc.dict<3 -> 5>
  %d3 = csc.conv_atom %w3 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x5x3x3xf32> -> !csc.dict<5 -> 4>
  %z = csc.stacked_pursuit %x dicts(%d1, %d2, %d3) steps(%c1, %c2, %c3) thresholds(%b1, %b2, %b3) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 2 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, !csc.dict<3 -> 5>, !csc.dict<5 -> 4>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<3xf32>, tensor<5xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  return %z : tensor<?x4x6x6xf32>
}

// -----

// Stacked with bn = prox (shared affine) and no steps or thresholds: each
// level's bn_params are w, b, m0, v0, m1, v1 and each level's iteration k
// uses its own statistics k.
// CHECK-LABEL: func.func @stacked_bn
// CHECK-SAME: %[[WA:[^:]*]]: tensor<3xf32>, %[[BA:[^:]*]]: tensor<3xf32>, %[[MA0:[^:]*]]: tensor<3xf32>, %[[VA0:[^:]*]]: tensor<3xf32>, %[[MA1:[^:]*]]: tensor<3xf32>, %[[VA1:[^:]*]]: tensor<3xf32>, %[[WB:[^:]*]]: tensor<4xf32>, %[[BB:[^:]*]]: tensor<4xf32>, %[[MB0:[^:]*]]: tensor<4xf32>, %[[VB0:[^:]*]]: tensor<4xf32>, %[[MB1:[^:]*]]: tensor<4xf32>, %[[VB1:[^:]*]]: tensor<4xf32>)
// CHECK-NOT: cst.scale
// CHECK: csc.batch_norm %{{.*}}, %[[WA]], %[[BA]], %[[MA0]], %[[VA0]]
// CHECK-NEXT: cst.threshold %{{[^,]*}} {kind = #cst<threshold soft>}
// CHECK: csc.batch_norm %{{.*}}, %[[WB]], %[[BB]], %[[MB0]], %[[VB0]]
// CHECK: csc.batch_norm %{{.*}}, %[[WA]], %[[BA]], %[[MA1]], %[[VA1]]
// CHECK: csc.batch_norm %{{.*}}, %[[WB]], %[[BB]], %[[MB1]], %[[VB1]]
// CHECK-NOT: csc.batch_norm
// CHECK-NOT: cst.scale
// CHECK: return
func.func @stacked_bn(%x: tensor<?x2x6x6xf32>, %w1: tensor<3x2x3x3xf32>, %w2: tensor<4x3x3x3xf32>,
    %wa: tensor<3xf32>, %ba: tensor<3xf32>, %ma0: tensor<3xf32>, %va0: tensor<3xf32>, %ma1: tensor<3xf32>, %va1: tensor<3xf32>,
    %wb: tensor<4xf32>, %bb: tensor<4xf32>, %mb0: tensor<4xf32>, %vb0: tensor<4xf32>, %mb1: tensor<4xf32>, %vb1: tensor<4xf32>) -> tensor<?x4x6x6xf32> {
  %d1 = csc.conv_atom %w1 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %d2 = csc.conv_atom %w2 {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<4x3x3x3xf32> -> !csc.dict<3 -> 4>
  %z = csc.stacked_pursuit %x dicts(%d1, %d2) bn(%wa, %ba, %ma0, %va0, %ma1, %va1, %wb, %bb, %mb0, %vb0, %mb1, %vb1) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox soft>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>, !csc.dict<3 -> 4>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  return %z : tensor<?x4x6x6xf32>
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{csc-unfold-pursuits needs shapes: run csc-infer-shapes first}}
func.func @unranked(%x: tensor<*xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<*xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<*xf32>, !csc.dict<2 -> 3>) -> tensor<*xf32>
  return %z : tensor<*xf32>
}

// -----

// A ranked input with an unranked result (shape inference not run) is refused
// too.
// expected-error @+1 {{csc-unfold-pursuits needs shapes: run csc-infer-shapes first}}
func.func @unranked_result(%x: tensor<?x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<*xf32> {
  %d = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<3x2x3x3xf32> -> !csc.dict<2 -> 3>
  %z = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x2x6x6xf32>, !csc.dict<2 -> 3>) -> tensor<*xf32>
  return %z : tensor<*xf32>
}
