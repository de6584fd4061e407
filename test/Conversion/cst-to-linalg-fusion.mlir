// After cst-lower-to-linalg, linalg-fuse-elementwise-ops merges the chain
// scale -> bias_add -> soft threshold into one loop nest reading x once.
// The canonicalization first folds the `tensor.dim` of each intermediate
// result (which the lowering uses for the batch size of the next op's output)
// to the input's, so each producer has one use; see
// cst-to-linalg-fusion-direct.mlir for the pass order without it.
// RUN: csc-opt %s --cst-lower-to-linalg --canonicalize --linalg-fuse-elementwise-ops | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ZERO:.*]] = affine_map<(d0, d1, d2, d3) -> (0)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @fuse
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[C:.*]]: tensor<1xf32>, %[[V:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ZERO]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[C]], %[[V]], %[[B]] : tensor<?x4x8x8xf32>, tensor<1xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[x:.*]]: f32, %[[c:.*]]: f32, %[[v:.*]]: f32, %[[b:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.mulf %[[x]], %[[c]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.addf %[[S]], %[[v]] : f32
// CHECK-NEXT: %[[A:.*]] = math.absf %[[Z]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[A]], %[[b]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[D]], %{{.*}} : f32
// CHECK-NEXT: %[[SG:.*]] = math.copysign %[[M]], %[[Z]] : f32
// CHECK-NEXT: %[[E:.*]] = arith.cmpf oeq, %[[Z]], %{{.*}} : f32
// CHECK-NEXT: %[[Y:.*]] = arith.select %[[E]], %{{.*}}, %[[SG]] : f32
// CHECK-NEXT: linalg.yield %[[Y]] : f32
// CHECK-NEXT: } -> tensor<?x4x8x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @fuse(%x: tensor<?x4x8x8xf32>, %c: tensor<1xf32>, %v: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %a = cst.scale %x, %c : (tensor<?x4x8x8xf32>, tensor<1xf32>) -> tensor<?x4x8x8xf32>
  %d = cst.bias_add %a, %v : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %t = cst.threshold %d, %b {kind = #cst<threshold soft>} : (tensor<?x4x8x8xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %t : tensor<?x4x8x8xf32>
}
