// cst-lower-to-linalg: every tensor-level op but the convolutions becomes
// linalg (generic or named) or tensor slices on tensors.
// RUN: csc-opt %s --split-input-file --cst-lower-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @axpby
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[Y:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[Y]] : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%[[E]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[BETA:.*]] = arith.constant -2.500000e-01 : f32
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant 1.500000e+00 : f32
// CHECK-DAG: %[[BY:.*]] = arith.mulf %[[B]], %[[BETA]] : f32
// CHECK-DAG: %[[AX:.*]] = arith.mulf %[[A]], %[[ALPHA]] : f32
// CHECK: %[[S:.*]] = arith.addf %[[AX]], %[[BY]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @axpby(%x: tensor<?x4x8x8xf32>, %y: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %a = cst.axpby %x, %y {alpha = 1.5 : f64, beta = -0.25 : f64} : tensor<?x4x8x8xf32>
  return %a : tensor<?x4x8x8xf32>
}

// -----

// Scalars (loss terms): a 0-d generic; coefficients 1 need no multiply.
// CHECK-DAG: #[[S:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @axpby_scalar
// CHECK: linalg.generic {indexing_maps = [#[[S]], #[[S]], #[[S]]], iterator_types = []}
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK-NEXT: } -> tensor<f32>
func.func @axpby_scalar(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %a = cst.axpby %x, %y {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f32>
  return %a : tensor<f32>
}

// -----

// beta = 0: alpha x alone (FISTA's first extrapolation from G0 = 0 would be
// one).
// CHECK-LABEL: func.func @axpby_beta0
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[C:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[A]], %[[C]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @axpby_beta0(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %a = cst.axpby %x, %x {alpha = 2.0 : f64, beta = 0.0 : f64} : tensor<?x4x8x8xf32>
  return %a : tensor<?x4x8x8xf32>
}

// -----

// scale by a scalar (map to entry 0) and by a vector (map to the channel),
// bias_add by channel.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ZERO:.*]] = affine_map<(d0, d1, d2, d3) -> (0)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @scale_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[C:.*]]: tensor<1xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK: %[[A:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ZERO]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[C]] : tensor<?x4x8x8xf32>, tensor<1xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[Q:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[P]], %[[Q]] : f32
// CHECK: %[[B:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[ID]]], {{.*}} ins(%[[A]], %[[V]] : tensor<?x4x8x8xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[Q:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[P]], %[[Q]] : f32
// CHECK: %[[D:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[ID]]], {{.*}} ins(%[[B]], %[[V]] : tensor<?x4x8x8xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[Q:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.addf %[[P]], %[[Q]] : f32
// CHECK: return %[[D]]
func.func @scale_bias(%x: tensor<?x4x8x8xf32>, %c: tensor<1xf32>, %v: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %a = cst.scale %x, %c : (tensor<?x4x8x8xf32>, tensor<1xf32>) -> tensor<?x4x8x8xf32>
  %b = cst.scale %a, %v : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %d = cst.bias_add %b, %v : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %d : tensor<?x4x8x8xf32>
}

// -----

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @thresholds
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[B:.*]]: tensor<4xf32>)
// relu with b: max(z - b, 0).
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[ID]]], {{.*}} ins(%[[X]], %[[B]] :
// CHECK-NEXT: ^bb0(%[[Z:.*]]: f32, %[[T:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[Z]], %[[T]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[D]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[M]]
// soft: sign(z) max(|z| - b, 0), exactly 0 at z = 0.
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[ID]]], {{.*}} ins(%[[X]], %[[B]] :
// CHECK-NEXT: ^bb0(%[[Z:.*]]: f32, %[[T:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[Z]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[ABS]], %[[T]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[D]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SG:.*]] = math.copysign %[[M]], %[[Z]] : f32
// CHECK-NEXT: %[[IS0:.*]] = arith.cmpf oeq, %[[Z]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SEL:.*]] = arith.select %[[IS0]], %[[ZERO]], %[[SG]] : f32
// CHECK-NEXT: linalg.yield %[[SEL]]
// relu without b: max(z, 0), the threshold vector not read.
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.*}} ins(%[[X]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[Z:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[Z]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[M]]
// The soft mask: 1 where the output is non-zero; the relu mask: where > 0.
// CHECK: %[[MS:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.*}} ins(%[[S]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[NZ:.*]] = arith.cmpf une, %[[Y]], %[[ZERO]] : f32
// CHECK-NEXT: arith.select %[[NZ]], %[[ONE]], %[[ZERO]] : f32
// CHECK: %[[MR:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[Y]], %[[ZERO]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[ONE]], %[[ZERO]] : f32
// CHECK: return %[[R]], %[[S]], %[[P]], %[[MS]], %[[MR]]
func.func @thresholds(%x: tensor<?x4x8x8xf32>, %b: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %r = cst.threshold %x, %b {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %s = cst.threshold %x, %b {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %p = cst.threshold %x {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %ms = cst.threshold_mask %s {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %mr = cst.threshold_mask %r {kind = #cst<threshold relu>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %r, %s, %p, %ms, %mr : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// hard: z 1[|z| > b], unordered so that a NaN passes; its mask, like soft's,
// is 1 where the output is non-zero. Without b, |z| > 0.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @hard_threshold
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[H:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[ID]]], {{.*}} ins(%[[X]], %[[B]] :
// CHECK-NEXT: ^bb0(%[[Z:.*]]: f32, %[[T:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[Z]] : f32
// CHECK-NEXT: %[[PASS:.*]] = arith.cmpf ugt, %[[ABS]], %[[T]] : f32
// CHECK-NEXT: %[[Y:.*]] = arith.select %[[PASS]], %[[Z]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[Y]]
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.*}} ins(%[[X]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[Z:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[Z]] : f32
// CHECK-NEXT: %[[PASS:.*]] = arith.cmpf ugt, %[[ABS]], %[[ZERO]] : f32
// CHECK-NEXT: arith.select %[[PASS]], %[[Z]], %[[ZERO]] : f32
// CHECK: linalg.generic {{.*}} ins(%[[H]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[NZ:.*]] = arith.cmpf une, %[[Y]], %[[ZERO]] : f32
// CHECK-NEXT: arith.select %[[NZ]], %[[ONE]], %[[ZERO]] : f32
func.func @hard_threshold(%x: tensor<?x4x8x8xf32>, %b: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %h = cst.threshold %x, %b {kind = #cst<threshold hard>} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %p = cst.threshold %x {kind = #cst<threshold hard>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %m = cst.threshold_mask %h {kind = #cst<threshold hard>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %h, %p, %m : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// -----

// f64: the constants take the element type.
// CHECK-LABEL: func.func @soft_f64
// CHECK: ^bb0(%{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK-NEXT: arith.constant 0.000000e+00 : f64
// CHECK: math.copysign {{.*}} : f64
func.func @soft_f64(%x: tensor<?x4x8x8xf64>, %b: tensor<4xf64>) -> tensor<?x4x8x8xf64> {
  %s = cst.threshold %x, %b {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf64>, tensor<4xf64>) -> tensor<?x4x8x8xf64>
  return %s : tensor<?x4x8x8xf64>
}

// -----

// Eval: (x - mean) / sqrt(var + eps) * w + b, per channel, in one generic.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @bn_eval
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[W:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[W]], %[[B]], %[[M]], %[[V]] :
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[w:.*]]: f32, %[[b:.*]]: f32, %[[m:.*]]: f32, %[[v:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[x]], %[[m]] : f32
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT: %[[VE:.*]] = arith.addf %[[v]], %[[EPS]] : f32
// CHECK-NEXT: %[[SD:.*]] = math.sqrt %[[VE]] : f32
// CHECK-NEXT: %[[N:.*]] = arith.divf %[[C]], %[[SD]] : f32
// CHECK-NEXT: %[[NW:.*]] = arith.mulf %[[N]], %[[w]] : f32
// CHECK-NEXT: %[[Y:.*]] = arith.addf %[[NW]], %[[b]] : f32
// CHECK-NEXT: linalg.yield %[[Y]]
func.func @bn_eval(%x: tensor<?x4x8x8xf32>, %w: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %y = cst.batch_norm_eval %x, %w, %b, %m, %v {eps = 1.0e-3 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %y : tensor<?x4x8x8xf32>
}

// -----

// Train: the per-channel sum and the squared deviations reduce over N, H, W
// (count N * 8 * 8); the running statistics move by the momentum 0.25, the
// variance unbiased by count / max(count - 1, 1). Results: output, new
// mean, new var, batch mean, 1 / sqrt(var + eps).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[V1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @bn_train
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[W:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[RM:.*]]: tensor<4xf32>, %[[RV:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[HW:.*]] = arith.constant 6.400000e+01 : f32
// CHECK-DAG: %[[NI:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4x8x8xf32>
// CHECK: %[[NF:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK-NEXT: %[[COUNT:.*]] = arith.mulf %[[NF]], %[[HW]] : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z0:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK-NEXT: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<?x4x8x8xf32>) outs(%[[Z0]] : tensor<4xf32>)
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[V1]], #[[V1]]], iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<4xf32>)
// CHECK: arith.divf %{{.*}}, %[[COUNT]]
// CHECK: %[[ZERO2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z1:.*]] = linalg.fill ins(%[[ZERO2]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK-NEXT: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<?x4x8x8xf32>, tensor<4xf32>) outs(%[[Z1]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[m:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[x]], %[[m]] : f32
// CHECK-NEXT: %[[D2:.*]] = arith.mulf %[[D]], %[[D]] : f32
// CHECK-NEXT: arith.addf %[[acc]], %[[D2]] : f32
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<4xf32>)
// CHECK: arith.divf %{{.*}}, %[[COUNT]]
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[VAR]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[v:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[VE:.*]] = arith.addf %[[v]], %[[EPS]] : f32
// CHECK-NEXT: %[[SD:.*]] = math.sqrt %[[VE]] : f32
// CHECK-NEXT: arith.divf %[[ONE]], %[[SD]] : f32
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], {{.*}} ins(%[[X]], %[[W]], %[[B]], %[[MEAN]], %[[INV]] :
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[w:.*]]: f32, %[[b:.*]]: f32, %[[m:.*]]: f32, %[[i:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[x]], %[[m]] : f32
// CHECK-NEXT: %[[N:.*]] = arith.mulf %[[C]], %[[i]] : f32
// CHECK-NEXT: %[[NW:.*]] = arith.mulf %[[N]], %[[w]] : f32
// CHECK-NEXT: arith.addf %[[NW]], %[[b]] : f32
// CHECK: %[[NM:.*]] = linalg.generic {indexing_maps = [#[[V1]], #[[V1]], #[[V1]]], iterator_types = ["parallel"]} ins(%[[RM]], %[[MEAN]] :
// CHECK-NEXT: ^bb0(%[[r:.*]]: f32, %[[s:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[KEEP:.*]] = arith.constant 7.500000e-01 : f32
// CHECK-NEXT: %[[TAKE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[ST:.*]] = arith.mulf %[[s]], %[[TAKE]] : f32
// CHECK-NEXT: %[[RK:.*]] = arith.mulf %[[r]], %[[KEEP]] : f32
// CHECK-NEXT: arith.addf %[[RK]], %[[ST]] : f32
// CHECK: %[[NV:.*]] = linalg.generic {indexing_maps = [#[[V1]], #[[V1]], #[[V1]]], iterator_types = ["parallel"]} ins(%[[RV]], %[[VAR]] :
// CHECK-NEXT: ^bb0(%[[r:.*]]: f32, %[[s:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[CM1:.*]] = arith.subf %[[COUNT]], %[[ONE]] : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.maximumf %[[CM1]], %[[ONE]] : f32
// CHECK-NEXT: %[[SC:.*]] = arith.mulf %[[s]], %[[COUNT]] : f32
// CHECK-NEXT: %[[U:.*]] = arith.divf %[[SC]], %[[DEN]] : f32
// CHECK-NEXT: %[[KEEP:.*]] = arith.constant 7.500000e-01 : f32
// CHECK-NEXT: %[[TAKE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[UT:.*]] = arith.mulf %[[U]], %[[TAKE]] : f32
// CHECK-NEXT: %[[RK:.*]] = arith.mulf %[[r]], %[[KEEP]] : f32
// CHECK-NEXT: arith.addf %[[RK]], %[[UT]] : f32
// CHECK: return %[[Y]], %[[NM]], %[[NV]], %[[MEAN]], %[[INV]]
func.func @bn_train(%x: tensor<?x4x8x8xf32>, %w: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %y:5 = cst.batch_norm_train %x, %w, %b, %m, %v {eps = 1.0e-3 : f64, momentum = 0.25 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %y#0, %y#1, %y#2, %y#3, %y#4 : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Pooling: linalg's NCHW pooling ops with the stride, on an input padded
// with -inf (max: padding never wins) or 0 (avg, padding counted, then
// divided by k * k = 9).
// CHECK-LABEL: func.func @pools
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[PM:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: tensor.yield %[[NINF]] : f32
// CHECK-NEXT: } : tensor<?x4x8x8xf32> to tensor<?x4x10x10xf32>
// CHECK: %[[NINF2:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[NINF2]] : f32) outs(%{{.*}} : tensor<?x4x5x5xf32>)
// CHECK-NEXT: %[[WIN:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK-NEXT: %[[MAX:.*]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PM]], %[[WIN]] : tensor<?x4x10x10xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<?x4x5x5xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[PA:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: tensor.yield %[[ZERO]] : f32
// CHECK: %[[ZERO2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[SINIT:.*]] = linalg.fill ins(%[[ZERO2]] : f32) outs(%{{.*}} : tensor<?x4x8x8xf32>)
// CHECK-NEXT: %[[WIN3:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[PA]], %[[WIN3]] : tensor<?x4x10x10xf32>, tensor<3x3xf32>) outs(%[[SINIT]] : tensor<?x4x8x8xf32>)
// CHECK: %[[AVG:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[s:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[NINTH:.*]] = arith.constant 0.111111112 : f32
// CHECK-NEXT: arith.mulf %[[s]], %[[NINTH]] : f32
// Without padding the input is pooled as it is.
// CHECK-NOT: tensor.pad
// CHECK: %[[NINF3:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[QINIT:.*]] = linalg.fill ins(%[[NINF3]] : f32) outs(%{{.*}} : tensor<?x4x4x4xf32>)
// CHECK-NEXT: tensor.empty() : tensor<2x2xf32>
// CHECK-NEXT: %[[Q:.*]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[X]], %{{.*}} : tensor<?x4x8x8xf32>, tensor<2x2xf32>) outs(%[[QINIT]] : tensor<?x4x4x4xf32>)
// CHECK: return %[[MAX]], %[[AVG]], %[[Q]]
func.func @pools(%x: tensor<?x4x8x8xf32>) -> (tensor<?x4x5x5xf32>, tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>) {
  %p = cst.max_pool %x {kernel = 2 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x5x5xf32>
  %a = cst.avg_pool %x {kernel = 3 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %q = cst.max_pool %x {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  return %p, %a, %q : tensor<?x4x5x5xf32>, tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>
}

// -----

// Global average: sum over H, W into [N, C], times 1 / 64, back to NCHW.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[NC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @gap
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x4xf32>)
// CHECK-NEXT: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[NC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<?x4x8x8xf32>) outs(%[[INIT]] : tensor<?x4xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: arith.addf %[[acc]], %[[x]] : f32
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?x4xf32>)
// CHECK-NEXT: ^bb0(%[[s:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[INV:.*]] = arith.constant 1.562500e-02 : f32
// CHECK-NEXT: arith.mulf %[[s]], %[[INV]] : f32
// CHECK: %[[R:.*]] = tensor.expand_shape %[[MEAN]] {{\[}}[0], [1, 2, 3]] output_shape [%[[N]], 4, 1, 1] : tensor<?x4xf32> into tensor<?x4x1x1xf32>
// CHECK-NEXT: return %[[R]]
func.func @gap(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x1x1xf32> {
  %g = cst.global_avg_pool %x : (tensor<?x4x8x8xf32>) -> tensor<?x4x1x1xf32>
  return %g : tensor<?x4x1x1xf32>
}

// -----

// Linear: flatten C*H*W = 16, y[n, o] = sum_k x[n, k] W[o, k], starting from
// the broadcast bias (or zeros).
// CHECK-DAG: #[[B2:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[I2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[XK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[WK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[YO:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x2x2xf32>, %[[W:.*]]: tensor<10x16xf32>, %[[B:.*]]: tensor<10xf32>)
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2, 3]] : tensor<?x4x2x2xf32> into tensor<?x16xf32>
// CHECK: %[[BI:.*]] = linalg.generic {indexing_maps = [#[[B2]], #[[I2]]], iterator_types = ["parallel", "parallel"]} ins(%[[B]] : tensor<10xf32>) outs(%{{.*}} : tensor<?x10xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[XK]], #[[WK]], #[[YO]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[F]], %[[W]] : tensor<?x16xf32>, tensor<10x16xf32>) outs(%[[BI]] : tensor<?x10xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[w:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[x]], %[[w]] : f32
// CHECK-NEXT: arith.addf %[[acc]], %[[P]] : f32
// CHECK: %[[Y4:.*]] = tensor.expand_shape %[[Y]] {{\[}}[0], [1, 2, 3]] output_shape [%{{.*}}, 10, 1, 1] : tensor<?x10xf32> into tensor<?x10x1x1xf32>
// Without a bias the accumulator starts at zero.
// CHECK: %[[F2:.*]] = tensor.collapse_shape %[[X]]
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x10xf32>)
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[XK]], #[[WK]], #[[YO]]], {{.*}} ins(%[[F2]], %[[W]] : tensor<?x16xf32>, tensor<10x16xf32>) outs(%[[Z]] : tensor<?x10xf32>)
// CHECK: return %[[Y4]], %{{.*}}
func.func @linear(%x: tensor<?x4x2x2xf32>, %w: tensor<10x16xf32>, %b: tensor<10xf32>) -> (tensor<?x10x1x1xf32>, tensor<?x10x1x1xf32>) {
  %y = cst.linear %x, %w, %b : (tensor<?x4x2x2xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10x1x1xf32>
  %z = cst.linear %x, %w : (tensor<?x4x2x2xf32>, tensor<10x16xf32>) -> tensor<?x10x1x1xf32>
  return %y, %z : tensor<?x10x1x1xf32>, tensor<?x10x1x1xf32>
}

// -----

// Shortcut: every 2nd pixel (a strided extract_slice), inserted into zeros
// with more channels; with as many channels, the slice alone.
// CHECK-LABEL: func.func @shortcut
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK-NEXT: %[[P:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%[[N]], 4, 4, 4] [1, 1, 2, 2] : tensor<?x4x8x8xf32> to tensor<?x4x4x4xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x6x4x4xf32>)
// CHECK-NEXT: %[[Y:.*]] = tensor.insert_slice %[[P]] into %[[Z]][0, 0, 0, 0] [%[[N]], 4, 4, 4] [1, 1, 1, 1] : tensor<?x4x4x4xf32> into tensor<?x6x4x4xf32>
// CHECK: %[[Y2:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%[[N]], 4, 3, 3] [1, 1, 3, 3] : tensor<?x4x8x8xf32> to tensor<?x4x3x3xf32>
// CHECK-NEXT: return %[[Y]], %[[Y2]]
func.func @shortcut(%x: tensor<?x4x8x8xf32>) -> (tensor<?x6x4x4xf32>, tensor<?x4x3x3xf32>) {
  %y = cst.shortcut %x {stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x6x4x4xf32>
  %z = cst.shortcut %x {stride = 3 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x3x3xf32>
  return %y, %z : tensor<?x6x4x4xf32>, tensor<?x4x3x3xf32>
}

// -----

// Concat: each input inserted at its channel offset of one empty tensor;
// slice: an extract_slice of the channels.
// CHECK-LABEL: func.func @views
// CHECK-SAME: (%[[A:.*]]: tensor<?x4x8x8xf32>, %[[B:.*]]: tensor<?x6x8x8xf32>)
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x10x8x8xf32>
// CHECK: %[[C1:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0, 0] [%{{.*}}, 4, 8, 8] [1, 1, 1, 1] : tensor<?x4x8x8xf32> into tensor<?x10x8x8xf32>
// CHECK: %[[C2:.*]] = tensor.insert_slice %[[B]] into %[[C1]][0, 4, 0, 0] [%{{.*}}, 6, 8, 8] [1, 1, 1, 1] : tensor<?x6x8x8xf32> into tensor<?x10x8x8xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[C2]][0, 5, 0, 0] [%{{.*}}, 3, 8, 8] [1, 1, 1, 1] : tensor<?x10x8x8xf32> to tensor<?x3x8x8xf32>
// CHECK-NEXT: return %[[C2]], %[[S]]
func.func @views(%a: tensor<?x4x8x8xf32>, %b: tensor<?x6x8x8xf32>) -> (tensor<?x10x8x8xf32>, tensor<?x3x8x8xf32>) {
  %c = cst.concat %a, %b : (tensor<?x4x8x8xf32>, tensor<?x6x8x8xf32>) -> tensor<?x10x8x8xf32>
  %s = cst.slice %c[5] : (tensor<?x10x8x8xf32>) -> tensor<?x3x8x8xf32>
  return %c, %s : tensor<?x10x8x8xf32>, tensor<?x3x8x8xf32>
}

// -----

// Cross-entropy: the row max, then in one pass sum exp(z - max) and the
// logit of the label, then mean over n of log(sum) + max - z[label].
// l1: weight * sum |x| / N.
// CHECK-DAG: #[[NK:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[N:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[V0:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-LABEL: func.func @losses
// CHECK-SAME: (%[[Z4:.*]]: tensor<?x10x1x1xf32>, %[[L:.*]]: tensor<?xi64>, %[[G:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[NB:.*]] = tensor.dim %[[Z4]]
// CHECK: %[[Z:.*]] = tensor.collapse_shape %[[Z4]] {{\[}}[0], [1, 2, 3]] : tensor<?x10x1x1xf32> into tensor<?x10xf32>
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[M0:.*]] = linalg.fill ins(%[[NINF]] : f32)
// CHECK-NEXT: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[NK]], #[[N]]], iterator_types = ["parallel", "reduction"]} ins(%[[Z]] : tensor<?x10xf32>) outs(%[[M0]] : tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[z:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: arith.maximumf %[[acc]], %[[z]] : f32
// CHECK: %[[ZS:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[S0:.*]] = linalg.fill ins(%[[ZS]] : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK: %[[ZP:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[P0:.*]] = linalg.fill ins(%[[ZP]] : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK-NEXT: %[[PARTS:.*]]:2 = linalg.generic {indexing_maps = [#[[NK]], #[[N]], #[[N]], #[[N]], #[[N]]], iterator_types = ["parallel", "reduction"]} ins(%[[Z]], %[[MAX]], %[[L]] : tensor<?x10xf32>, tensor<?xf32>, tensor<?xi64>) outs(%[[S0]], %[[P0]] : tensor<?xf32>, tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[z:.*]]: f32, %[[m:.*]]: f32, %[[l:.*]]: i64, %[[s:.*]]: f32, %[[p:.*]]: f32):
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[z]], %[[m]] : f32
// CHECK-NEXT: %[[EX:.*]] = math.exp %[[D]] : f32
// CHECK-NEXT: %[[K:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[K64:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK-NEXT: %[[HIT:.*]] = arith.cmpi eq, %[[K64]], %[[l]] : i64
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[PICK:.*]] = arith.select %[[HIT]], %[[z]], %[[ZERO]] : f32
// CHECK-NEXT: %[[S2:.*]] = arith.addf %[[s]], %[[EX]] : f32
// CHECK-NEXT: %[[P2:.*]] = arith.addf %[[p]], %[[PICK]] : f32
// CHECK-NEXT: linalg.yield %[[S2]], %[[P2]] : f32, f32
// CHECK: %[[ZT:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[T0:.*]] = linalg.fill ins(%[[ZT]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: %[[TOT:.*]] = linalg.generic {indexing_maps = [#[[V]], #[[V]], #[[V]], #[[V0]]], iterator_types = ["reduction"]} ins(%[[PARTS]]#0, %[[MAX]], %[[PARTS]]#1 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%[[T0]] : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[s:.*]]: f32, %[[m:.*]]: f32, %[[p:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[LG:.*]] = math.log %[[s]] : f32
// CHECK-NEXT: %[[LM:.*]] = arith.addf %[[LG]], %[[m]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.subf %[[LM]], %[[p]] : f32
// CHECK-NEXT: arith.addf %[[acc]], %[[T]] : f32
// CHECK: %[[NF:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: %[[CE:.*]] = linalg.generic {{.*}} ins(%[[TOT]] : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[t:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.divf %[[t]], %[[NF]] : f32
// CHECK: %[[ZL:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[L0:.*]] = linalg.fill ins(%[[ZL]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: %[[L1:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[ALL]]], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%[[G]] : tensor<?x4x8x8xf32>) outs(%[[L0]] : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[g:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[AB:.*]] = math.absf %[[g]] : f32
// CHECK-NEXT: arith.addf %[[acc]], %[[AB]] : f32
// CHECK: %[[GN:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: %[[PEN:.*]] = linalg.generic {{.*}} ins(%[[L1]] : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[t:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[WT:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[TW:.*]] = arith.mulf %[[t]], %[[WT]] : f32
// CHECK-NEXT: arith.divf %[[TW]], %[[GN]] : f32
// CHECK: return %[[CE]], %[[PEN]]
func.func @losses(%z: tensor<?x10x1x1xf32>, %l: tensor<?xi64>, %g: tensor<?x4x8x8xf32>) -> (tensor<f32>, tensor<f32>) {
  %ce = cst.softmax_cross_entropy %z, %l : (tensor<?x10x1x1xf32>, tensor<?xi64>) -> tensor<f32>
  %p = cst.l1_norm %g {weight = 2.5e-1 : f64} : (tensor<?x4x8x8xf32>) -> tensor<f32>
  return %ce, %p : tensor<f32>, tensor<f32>
}

// -----

// The three convolutions stay for bufferization (library calls).
// CHECK-LABEL: func.func @convs
// CHECK: cst.conv %
// CHECK: cst.conv_transpose %
// CHECK: cst.conv_filter_grad %
// CHECK-NOT: linalg.
func.func @convs(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %g: tensor<?x8x8x8xf32>) -> (tensor<?x8x8x8xf32>, tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) {
  %y = cst.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x8x8xf32>
  %t = cst.conv_transpose %g, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %f = cst.conv_filter_grad %x, %g {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<?x8x8x8xf32>) -> tensor<8x4x3x3xf32>
  return %y, %t, %f : tensor<?x8x8x8xf32>, tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>
}
