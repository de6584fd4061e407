// cst-lower-to-linalg on the backward-pass ops: elementwise generics,
// reductions with reduction iterators, tensor slices and pads, and the
// pooling adjoints as gathers (linalg cannot scatter), but max pooling
// over windows that tile the input: one vectorisable generic over its
// taps. Their values are
// checked against PyTorch in cst-grad-numeric-*.test.
// RUN: csc-opt %s --split-input-file --cst-lower-to-linalg | FileCheck %s
// A mul (or sign) feeding reduce_channels fuses into the reduction, in the
// order of cscc's CPU pipeline (the whole file as one module: @fuse is last).
// RUN: csc-opt %s --pass-pipeline='builtin.module(cst-lower-to-linalg,canonicalize,linalg-fuse-elementwise-ops,canonicalize,cse)' | FileCheck %s --check-prefix=FUSE

// mul: x * y; sign: 1 above 0, -1 below, else 0 (at +-0 and NaN, as PyTorch).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @mul_sign
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[Y:.*]]: tensor<?x4x8x8xf32>, %[[S:.*]]: tensor<4xf32>)
// CHECK: %[[M:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[Y]] : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[a:.*]]: f32, %[[b:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[a]], %[[b]] : f32
// CHECK-NEXT: linalg.yield %[[P]]
// CHECK: %[[SG:.*]] = linalg.generic {indexing_maps = [#[[V]], #[[V]]], iterator_types = ["parallel"]} ins(%[[S]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[v:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[MONE:.*]] = arith.constant -1.000000e+00 : f32
// CHECK-NEXT: %[[POS:.*]] = arith.cmpf ogt, %[[v]], %[[ZERO]] : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.cmpf olt, %[[v]], %[[ZERO]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[NEG]], %[[MONE]], %[[ZERO]] : f32
// CHECK-NEXT: %[[R2:.*]] = arith.select %[[POS]], %[[ONE]], %[[R]] : f32
// CHECK-NEXT: linalg.yield %[[R2]]
// CHECK: return %[[M]], %[[SG]]
func.func @mul_sign(%x: tensor<?x4x8x8xf32>, %y: tensor<?x4x8x8xf32>, %v: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>) {
  %m = cst.mul %x, %y : tensor<?x4x8x8xf32>
  %s = cst.sign %v : tensor<4xf32>
  return %m, %s : tensor<?x4x8x8xf32>, tensor<4xf32>
}

// -----

// embed: the input at channels [2, 5) of 7, zeros around (a pad).
// CHECK-LABEL: func.func @embed
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[P:.*]] = tensor.pad %[[X]] low[0, 2, 0, 0] high[0, 2, 0, 0]
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: tensor.yield %[[ZERO]] : f32
// CHECK-NEXT: } : tensor<?x3x8x8xf32> to tensor<?x7x8x8xf32>
// CHECK-NEXT: return %[[P]]
func.func @embed(%x: tensor<?x3x8x8xf32>) -> tensor<?x7x8x8xf32> {
  %e = cst.embed %x[2] : (tensor<?x3x8x8xf32>) -> tensor<?x7x8x8xf32>
  return %e : tensor<?x7x8x8xf32>
}

// -----

// reduce_channels: per channel, a reduction over N, H, W into zeros (scale
// 1 needs no multiply); into one entry, every dimension reduced, the
// product with `other` summed, then times the scale.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[ONE:.*]] = affine_map<(d0, d1, d2, d3) -> (0)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @reduce_channels
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[Y:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<?x4x8x8xf32>) outs(%[[Z]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[acc]], %[[x]] : f32
// CHECK-NEXT: linalg.yield %[[A]]
// CHECK: %[[ZERO1:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z1:.*]] = linalg.fill ins(%[[ZERO1]] : f32) outs(%{{.*}} : tensor<1xf32>)
// CHECK-NEXT: %[[T:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ONE]]], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%[[X]], %[[Y]] : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%[[Z1]] : tensor<1xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[y:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[x]], %[[y]] : f32
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[acc]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[A]]
// CHECK: %[[TS:.*]] = linalg.generic {indexing_maps = [#[[V]], #[[V]]], iterator_types = ["parallel"]} ins(%[[T]] : tensor<1xf32>)
// CHECK-NEXT: ^bb0(%[[t:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: arith.mulf %[[t]], %[[HALF]] : f32
// CHECK: return %[[R]], %[[TS]]
func.func @reduce_channels(%x: tensor<?x4x8x8xf32>, %y: tensor<?x4x8x8xf32>) -> (tensor<4xf32>, tensor<1xf32>) {
  %r = cst.reduce_channels %x {scale = 1.0 : f64} : (tensor<?x4x8x8xf32>) -> tensor<4xf32>
  %s = cst.reduce_channels %x, %y {scale = 0.5 : f64} : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<1xf32>
  return %r, %s : tensor<4xf32>, tensor<1xf32>
}

// -----

// batch_norm_grad: dbias = sum dy and dweight = sum dy x_hat in one
// reduction (x_hat = (x - mean) inv_std), then
// dx = weight inv_std / M (M dy - dbias - x_hat dweight), M = N * 64.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @bn_grad
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[DY:.*]]: tensor<?x4x8x8xf32>, %[[W:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xf32>)
// CHECK: %[[HW:.*]] = arith.constant 6.400000e+01 : f32
// CHECK: %[[NF:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK-NEXT: %[[CNT:.*]] = arith.mulf %[[NF]], %[[HW]] : f32
// CHECK: %[[Z0:.*]] = linalg.fill
// CHECK: %[[Z1:.*]] = linalg.fill
// CHECK-NEXT: %[[S:.*]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[X]], %[[DY]], %[[M]], %[[I]] : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) outs(%[[Z0]], %[[Z1]] : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[dy:.*]]: f32, %[[m:.*]]: f32, %[[i:.*]]: f32, %[[db:.*]]: f32, %[[dw:.*]]: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[x]], %[[m]] : f32
// CHECK-NEXT: %[[XH:.*]] = arith.mulf %[[C]], %[[i]] : f32
// CHECK-NEXT: %[[DB:.*]] = arith.addf %[[db]], %[[dy]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[dy]], %[[XH]] : f32
// CHECK-NEXT: %[[DW:.*]] = arith.addf %[[dw]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[DB]], %[[DW]] : f32, f32
// CHECK: %[[DX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[DY]], %[[W]], %[[M]], %[[I]], %[[S]]#0, %[[S]]#1 :
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[dy:.*]]: f32, %[[w:.*]]: f32, %[[m:.*]]: f32, %[[i:.*]]: f32, %[[db:.*]]: f32, %[[dw:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[x]], %[[m]] : f32
// CHECK-NEXT: %[[XH:.*]] = arith.mulf %[[C]], %[[i]] : f32
// CHECK-NEXT: %[[MDY:.*]] = arith.mulf %[[CNT]], %[[dy]] : f32
// CHECK-NEXT: %[[T1:.*]] = arith.subf %[[MDY]], %[[db]] : f32
// CHECK-NEXT: %[[XD:.*]] = arith.mulf %[[XH]], %[[dw]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.subf %[[T1]], %[[XD]] : f32
// CHECK-NEXT: %[[WI:.*]] = arith.mulf %[[w]], %[[i]] : f32
// CHECK-NEXT: %[[K:.*]] = arith.divf %[[WI]], %[[CNT]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[K]], %[[T]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// Results: dx, dweight, dbias.
// CHECK: return %[[DX]], %[[S]]#1, %[[S]]#0
func.func @bn_grad(%x: tensor<?x4x8x8xf32>, %dy: tensor<?x4x8x8xf32>, %w: tensor<4xf32>, %m: tensor<4xf32>, %i: tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) {
  %g:3 = cst.batch_norm_grad %x, %dy, %w, %m, %i : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  return %g#0, %g#1, %g#2 : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// max_pool_grad with windows that tile the input (k = 2, s = 2, p = 0):
// x and dx as [N, C, OH, 2, OW, 2], one generic iterated (n, c, oh, a, b,
// ow) (ow innermost: vectorisable), y and dy at (n, c, oh, ow), and the
// window's taps before this one, (0, 0), (0, 1), (1, 0), as inputs with
// constant indices: dy goes where x is the window's first maximum in
// row-major order (tap index a * 2 + b; an earlier equal tap takes it).
// CHECK-DAG: #[[TAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5, d4)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-DAG: #[[T00:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, 0, d5, 0)>
// CHECK-DAG: #[[T01:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, 0, d5, 1)>
// CHECK-DAG: #[[T10:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, 1, d5, 0)>
// CHECK-LABEL: func.func @max_pool_grad
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[Y:.*]]: tensor<?x4x4x4xf32>, %[[DY:.*]]: tensor<?x4x4x4xf32>)
// CHECK: %[[XT:.*]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [%{{.*}}, 4, 4, 2, 4, 2] : tensor<?x4x8x8xf32> into tensor<?x4x4x2x4x2xf32>
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[TAP]], #[[WIN]], #[[WIN]], #[[T00]], #[[T01]], #[[T10]], #[[TAP]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[XT]], %[[Y]], %[[DY]], %[[XT]], %[[XT]], %[[XT]] : {{.*}}) outs(%{{.*}} : tensor<?x4x4x2x4x2xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[m:.*]]: f32, %[[g:.*]]: f32, %[[x00:.*]]: f32, %[[x01:.*]]: f32, %[[x10:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[WINS:.*]] = arith.cmpf oeq, %[[x]], %[[m]] : f32
// CHECK: arith.cmpf oeq, %[[x00]], %[[m]] : f32
// CHECK: arith.cmpf oeq, %[[x01]], %[[m]] : f32
// CHECK: arith.cmpf oeq, %[[x10]], %[[m]] : f32
// CHECK: %[[FIRST:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : i1
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.select %[[FIRST]], %[[g]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
// CHECK-NOT: tensor.extract
// CHECK: %[[DX:.*]] = tensor.collapse_shape %[[G]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<?x4x4x2x4x2xf32> into tensor<?x4x8x8xf32>
// CHECK-NEXT: return %[[DX]]
func.func @max_pool_grad(%x: tensor<?x4x8x8xf32>, %y: tensor<?x4x4x4xf32>, %dy: tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32> {
  %g = cst.max_pool_grad %x, %y, %dy {kernel = 2 : i64, stride = 2 : i64, padding = 0 : i64} : (tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32>
  return %g : tensor<?x4x8x8xf32>
}

// -----

// An odd size: the windows cover rows and columns 0..5 of 7; the tiled
// generic runs on that slice, and the last row and column get zeros.
// CHECK-LABEL: func.func @max_pool_grad_odd
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x7x7xf32>,
// CHECK: %[[XS:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%{{.*}}, 4, 6, 6] [1, 1, 1, 1] : tensor<?x4x7x7xf32> to tensor<?x4x6x6xf32>
// CHECK: tensor.expand_shape %[[XS]]
// CHECK: %[[G:.*]] = linalg.generic
// CHECK: %[[DX:.*]] = tensor.collapse_shape %[[G]]
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x4x7x7xf32>)
// CHECK: %[[FULL:.*]] = tensor.insert_slice %[[DX]] into %[[Z]][0, 0, 0, 0] [%{{.*}}, 4, 6, 6] [1, 1, 1, 1] : tensor<?x4x6x6xf32> into tensor<?x4x7x7xf32>
// CHECK-NEXT: return %[[FULL]]
func.func @max_pool_grad_odd(%x: tensor<?x4x7x7xf32>, %y: tensor<?x4x3x3xf32>, %dy: tensor<?x4x3x3xf32>) -> tensor<?x4x7x7xf32> {
  %g = cst.max_pool_grad %x, %y, %dy {kernel = 2 : i64, stride = 2 : i64, padding = 0 : i64} : (tensor<?x4x7x7xf32>, tensor<?x4x3x3xf32>, tensor<?x4x3x3xf32>) -> tensor<?x4x7x7xf32>
  return %g : tensor<?x4x7x7xf32>
}

// -----

// Overlapping, padded windows (k = 3, s = 2, p = 1): a gather, a generic
// over dx reading, per tap, y, dy and the window's earlier taps of x at
// clamped indices (tensor.extract).
// CHECK-LABEL: func.func @max_pool_grad_overlapping
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x7x7xf32>, %[[Y:.*]]: tensor<?x4x4x4xf32>, %[[DY:.*]]: tensor<?x4x4x4xf32>)
// CHECK: %[[G:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<?x4x7x7xf32>) outs(%{{.*}} : tensor<?x4x7x7xf32>)
// CHECK-COUNT-9: tensor.extract %[[Y]]
// CHECK: return %[[G]]
func.func @max_pool_grad_overlapping(%x: tensor<?x4x7x7xf32>, %y: tensor<?x4x4x4xf32>, %dy: tensor<?x4x4x4xf32>) -> tensor<?x4x7x7xf32> {
  %g = cst.max_pool_grad %x, %y, %dy {kernel = 3 : i64, stride = 2 : i64, padding = 1 : i64} : (tensor<?x4x7x7xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x7x7xf32>
  return %g : tensor<?x4x7x7xf32>
}

// -----

// avg_pool_grad (k = 3, s = 1, p = 1): a generic over dx with no input; per
// tap the window o = h + 1 - kh (valid in [0, 7]), dy there / 9 added where
// valid; nine taps.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @avg_pool_grad
// CHECK-SAME: (%[[DY:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[N0:.*]] = tensor.dim %[[DY]]
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[N0]]) : tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[G:.*]] = linalg.generic {indexing_maps = [#[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%[[E]] : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%{{.*}}: f32):
// CHECK-NEXT: %[[N:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[C:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[H:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[W:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[HP1:.*]] = arith.addi %[[H]], %[[ONE]] : index
// CHECK-NOT: arith.remsi
// CHECK-NOT: arith.divsi
// CHECK: %[[K2:.*]] = arith.constant 9.000000e+00 : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[D:.*]] = tensor.extract %[[DY]][%[[N]], %[[C]], %{{.*}}, %{{.*}}] : tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[PART:.*]] = arith.divf %[[D]], %[[K2]] : f32
// CHECK-NEXT: %[[OK:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ZERO]], %[[PART]] : f32
// CHECK-NEXT: %[[ACC:.*]] = arith.select %[[OK]], %[[S]], %[[ZERO]] : f32
// CHECK-COUNT-8: tensor.extract %[[DY]]
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
// CHECK: return %[[G]]
func.func @avg_pool_grad(%dy: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %g = cst.avg_pool_grad %dy {kernel = 3 : i64, stride = 1 : i64, padding = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %g : tensor<?x4x8x8xf32>
}

// -----

// global_avg_pool_grad: dy[n, c, 0, 0] / 64 broadcast over H and W.
// CHECK-DAG: #[[NC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @gap_grad
// CHECK-SAME: (%[[DY:.*]]: tensor<?x4x1x1xf32>)
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[NC]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[DY]] : tensor<?x4x1x1xf32>) outs(%{{.*}} : tensor<?x4x8x8xf32>)
// CHECK-NEXT: ^bb0(%[[d:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[HW:.*]] = arith.constant 6.400000e+01 : f32
// CHECK-NEXT: %[[R:.*]] = arith.divf %[[d]], %[[HW]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: return %[[G]]
func.func @gap_grad(%dy: tensor<?x4x1x1xf32>) -> tensor<?x4x8x8xf32> {
  %g = cst.global_avg_pool_grad %dy : (tensor<?x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %g : tensor<?x4x8x8xf32>
}

// -----

// linear_grad_input: dx[n, i] = sum_o dy[n, o] W[o, i], expanded to
// [N, 4, 2, 2]; linear_grad_weight: dW[o, i] = sum_n dy[n, o] x[n, i].
// CHECK-DAG: #[[NO:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OI:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[NI:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[DYW:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-LABEL: func.func @linear_grads
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x2x2xf32>, %[[DY:.*]]: tensor<?x10x1x1xf32>, %[[W:.*]]: tensor<10x16xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK: %[[DYF:.*]] = tensor.collapse_shape %[[DY]] {{\[}}[0], [1, 2, 3]] : tensor<?x10x1x1xf32> into tensor<?x10xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x16xf32>)
// CHECK-NEXT: %[[DXF:.*]] = linalg.generic {indexing_maps = [#[[NO]], #[[OI]], #[[NI]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[DYF]], %[[W]] : tensor<?x10xf32>, tensor<10x16xf32>) outs(%[[Z]] : tensor<?x16xf32>)
// CHECK-NEXT: ^bb0(%[[d:.*]]: f32, %[[w:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[d]], %[[w]] : f32
// CHECK-NEXT: arith.addf %[[acc]], %[[P]] : f32
// CHECK: %[[DX:.*]] = tensor.expand_shape %[[DXF]] {{\[}}[0], [1, 2, 3]] output_shape [%[[N]], 4, 2, 2] : tensor<?x16xf32> into tensor<?x4x2x2xf32>
// CHECK: %[[XF:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2, 3]] : tensor<?x4x2x2xf32> into tensor<?x16xf32>
// CHECK: %[[DYF2:.*]] = tensor.collapse_shape %[[DY]]
// CHECK: %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<10x16xf32>)
// CHECK-NEXT: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[DYW]], #[[OI]], #[[NI]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[DYF2]], %[[XF]] : tensor<?x10xf32>, tensor<?x16xf32>) outs(%[[Z2]] : tensor<10x16xf32>)
// CHECK-NEXT: ^bb0(%[[d:.*]]: f32, %[[x:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[d]], %[[x]] : f32
// CHECK-NEXT: arith.addf %[[acc]], %[[P]] : f32
// CHECK: return %[[DX]], %[[DW]]
func.func @linear_grads(%x: tensor<?x4x2x2xf32>, %dy: tensor<?x10x1x1xf32>, %w: tensor<10x16xf32>) -> (tensor<?x4x2x2xf32>, tensor<10x16xf32>) {
  %gx = cst.linear_grad_input %dy, %w : (tensor<?x10x1x1xf32>, tensor<10x16xf32>) -> tensor<?x4x2x2xf32>
  %gw = cst.linear_grad_weight %x, %dy : (tensor<?x4x2x2xf32>, tensor<?x10x1x1xf32>) -> tensor<10x16xf32>
  return %gx, %gw : tensor<?x4x2x2xf32>, tensor<10x16xf32>
}

// -----

// shortcut_grad: dy's first 4 channels (a slice) inserted at every 2nd
// pixel of zeros (a strided insert_slice); with as many channels no slice;
// with stride 1 and more channels, the slice alone.
// CHECK-LABEL: func.func @shortcut_grad
// CHECK-SAME: (%[[DY:.*]]: tensor<?x6x4x4xf32>, %[[DZ:.*]]: tensor<?x4x3x3xf32>, %[[DS:.*]]: tensor<?x5x8x8xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[DY]]
// CHECK-NEXT: %[[P:.*]] = tensor.extract_slice %[[DY]][0, 0, 0, 0] [%[[N]], 4, 4, 4] [1, 1, 1, 1] : tensor<?x6x4x4xf32> to tensor<?x4x4x4xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x4x8x8xf32>)
// CHECK-NEXT: %[[G:.*]] = tensor.insert_slice %[[P]] into %[[Z]][0, 0, 0, 0] [%[[N]], 4, 4, 4] [1, 1, 2, 2] : tensor<?x4x4x4xf32> into tensor<?x4x8x8xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x4x8x8xf32>)
// CHECK-NEXT: %[[H:.*]] = tensor.insert_slice %[[DZ]] into %[[Z2]][0, 0, 0, 0] [%[[N]], 4, 3, 3] [1, 1, 3, 3] : tensor<?x4x3x3xf32> into tensor<?x4x8x8xf32>
// CHECK-NEXT: %[[S:.*]] = tensor.extract_slice %[[DS]][0, 0, 0, 0] [%[[N]], 2, 8, 8] [1, 1, 1, 1] : tensor<?x5x8x8xf32> to tensor<?x2x8x8xf32>
// CHECK-NEXT: return %[[G]], %[[H]], %[[S]]
func.func @shortcut_grad(%dy: tensor<?x6x4x4xf32>, %dz: tensor<?x4x3x3xf32>, %ds: tensor<?x5x8x8xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x2x8x8xf32>) {
  %g = cst.shortcut_grad %dy {stride = 2 : i64} : (tensor<?x6x4x4xf32>) -> tensor<?x4x8x8xf32>
  %h = cst.shortcut_grad %dz {stride = 3 : i64} : (tensor<?x4x3x3xf32>) -> tensor<?x4x8x8xf32>
  %s = cst.shortcut_grad %ds {stride = 1 : i64} : (tensor<?x5x8x8xf32>) -> tensor<?x2x8x8xf32>
  return %g, %h, %s : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<?x2x8x8xf32>
}

// -----

// softmax_cross_entropy_grad: the row max, sum exp(z - max), then
// (exp(z - max) / sum - [k == label]) * dloss / N; l1_norm_grad:
// dloss * 0.25 / N * sign(x).
// CHECK-DAG: #[[NK:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[S2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[S4:.*]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-LABEL: func.func @losses_grad
// CHECK-SAME: (%[[Z4:.*]]: tensor<?x10x1x1xf32>, %[[L:.*]]: tensor<?xi64>, %[[D:.*]]: tensor<f32>, %[[X:.*]]: tensor<?x4x8x8xf32>)
// CHECK: %[[NB:.*]] = tensor.dim %[[Z4]]
// CHECK: %[[Z:.*]] = tensor.collapse_shape %[[Z4]] {{\[}}[0], [1, 2, 3]] : tensor<?x10x1x1xf32> into tensor<?x10xf32>
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[NK]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[Z]] : tensor<?x10xf32>)
// CHECK-NEXT: ^bb0(%[[z:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: arith.maximumf %[[acc]], %[[z]] : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[NK]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[Z]], %[[MAX]] : tensor<?x10xf32>, tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[z:.*]]: f32, %[[m:.*]]: f32, %[[acc:.*]]: f32):
// CHECK-NEXT: %[[DIF:.*]] = arith.subf %[[z]], %[[m]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[DIF]] : f32
// CHECK-NEXT: arith.addf %[[acc]], %[[E]] : f32
// CHECK: %[[NF:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: %[[GZ:.*]] = linalg.generic {indexing_maps = [#[[NK]], #[[ROW]], #[[ROW]], #[[ROW]], #[[S2]], #[[NK]]], iterator_types = ["parallel", "parallel"]} ins(%[[Z]], %[[MAX]], %[[SUM]], %[[L]], %[[D]] : tensor<?x10xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xi64>, tensor<f32>)
// CHECK-NEXT: ^bb0(%[[z:.*]]: f32, %[[m:.*]]: f32, %[[s:.*]]: f32, %[[l:.*]]: i64, %[[d:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[DIF:.*]] = arith.subf %[[z]], %[[m]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[DIF]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.divf %[[E]], %[[s]] : f32
// CHECK-NEXT: %[[K:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[K64:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK-NEXT: %[[HIT:.*]] = arith.cmpi eq, %[[K64]], %[[l]] : i64
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[PM1:.*]] = arith.subf %[[P]], %[[ONE]] : f32
// CHECK-NEXT: %[[SEL:.*]] = arith.select %[[HIT]], %[[PM1]], %[[P]] : f32
// CHECK-NEXT: %[[DN:.*]] = arith.divf %[[d]], %[[NF]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[SEL]], %[[DN]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: %[[GZ4:.*]] = tensor.expand_shape %[[GZ]] {{\[}}[0], [1, 2, 3]] output_shape [%[[NB]], 10, 1, 1] : tensor<?x10xf32> into tensor<?x10x1x1xf32>
// CHECK: %[[NF2:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: %[[GX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[S4]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[D]] : tensor<?x4x8x8xf32>, tensor<f32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[d:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[WT:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[DW:.*]] = arith.mulf %[[d]], %[[WT]] : f32
// CHECK-NEXT: %[[COEF:.*]] = arith.divf %[[DW]], %[[NF2]] : f32
// CHECK: %[[NEG:.*]] = arith.cmpf olt, %[[x]], %{{.*}} : f32
// CHECK-NEXT: %[[SN:.*]] = arith.select %[[NEG]], %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: %[[SG:.*]] = arith.select %{{.*}}, %{{.*}}, %[[SN]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %[[COEF]], %[[SG]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: return %[[GZ4]], %[[GX]]
func.func @losses_grad(%z: tensor<?x10x1x1xf32>, %l: tensor<?xi64>, %d: tensor<f32>, %x: tensor<?x4x8x8xf32>) -> (tensor<?x10x1x1xf32>, tensor<?x4x8x8xf32>) {
  %gz = cst.softmax_cross_entropy_grad %z, %l, %d : (tensor<?x10x1x1xf32>, tensor<?xi64>, tensor<f32>) -> tensor<?x10x1x1xf32>
  %gx = cst.l1_norm_grad %x, %d {weight = 0.25 : f64} : (tensor<?x4x8x8xf32>, tensor<f32>) -> tensor<?x4x8x8xf32>
  return %gz, %gx : tensor<?x10x1x1xf32>, tensor<?x4x8x8xf32>
}

// -----

// The fusion: mul -> reduce_channels and sign -> reduce_channels (with
// other) each become one reduction reading the inputs once.
// FUSE-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// FUSE-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// FUSE-DAG: #[[ONE:.*]] = affine_map<(d0, d1, d2, d3) -> (0)>
// FUSE-LABEL: func.func @fuse
// FUSE-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[Y:.*]]: tensor<?x4x8x8xf32>)
// FUSE-NOT: linalg.generic
// FUSE: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[X]], %[[Y]] : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%{{.*}} : tensor<4xf32>)
// FUSE-NEXT: ^bb0(%[[x:.*]]: f32, %[[y:.*]]: f32, %[[acc:.*]]: f32):
// FUSE-NEXT: %[[P:.*]] = arith.mulf %[[x]], %[[y]] : f32
// FUSE-NEXT: %[[A:.*]] = arith.addf %[[acc]], %[[P]] : f32
// FUSE-NEXT: linalg.yield %[[A]]
// FUSE-NOT: linalg.generic
// FUSE: %[[T:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ONE]]], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%[[X]], %[[Y]] : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) outs(%{{.*}} : tensor<1xf32>)
// FUSE-NEXT: ^bb0(%[[x:.*]]: f32, %[[y:.*]]: f32, %[[acc:.*]]: f32):
// FUSE: %[[NEG:.*]] = arith.cmpf olt, %[[x]], %{{.*}} : f32
// FUSE-NEXT: %[[SN:.*]] = arith.select %[[NEG]], %{{.*}}, %{{.*}} : f32
// FUSE-NEXT: %[[SG:.*]] = arith.select %{{.*}}, %{{.*}}, %[[SN]] : f32
// FUSE-NEXT: %[[P:.*]] = arith.mulf %[[SG]], %[[y]] : f32
// FUSE-NEXT: %[[A:.*]] = arith.addf %[[acc]], %[[P]] : f32
// FUSE-NEXT: linalg.yield %[[A]]
// The scale stays a generic of its own on the one-entry result.
// FUSE: %[[TS:.*]] = linalg.generic {{.*}} ins(%[[T]] : tensor<1xf32>)
// FUSE-NOT: linalg.generic
// FUSE: return %[[R]], %[[TS]]
func.func @fuse(%x: tensor<?x4x8x8xf32>, %y: tensor<?x4x8x8xf32>) -> (tensor<4xf32>, tensor<1xf32>) {
  %m = cst.mul %x, %y : tensor<?x4x8x8xf32>
  %r = cst.reduce_channels %m {scale = 1.0 : f64} : (tensor<?x4x8x8xf32>) -> tensor<4xf32>
  %s = cst.sign %x : tensor<?x4x8x8xf32>
  %t = cst.reduce_channels %s, %y {scale = 0.5 : f64} : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<1xf32>
  return %r, %t : tensor<4xf32>, tensor<1xf32>
}
