// cst.zero_fraction lowers to an exact i64 count of the zeros (one
// reduction over every dimension), divided by the number of elements (a
// dynamic batch read at run time); then it runs: -0 counts as zero, NaN and
// a denormal do not.
// RUN: csc-opt %s --cst-lower-to-linalg | FileCheck %s
// RUN: csc-opt %s --cscc-cst-to-llvm > %t.ll.mlir
// RUN: lib=$(dirname $(dirname $(readlink -f $(which mlir-runner))))/lib && mlir-runner %t.ll.mlir -e main -entry-point-result=void -shared-libs=$lib/libmlir_c_runner_utils.so,$lib/libmlir_runner_utils.so,$lib/libomp.so,%cscc_alloc_lib | FileCheck %s --check-prefix=EXEC

// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ALL4:.*]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ALL2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @codes
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4x5xf32>, %[[V:.*]]: tensor<?x7xf64>)
// The batch of an activation is the function's (its first argument's).
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[G:.*]] = linalg.generic
// CHECK: arith.maximumf
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<i64>)
// CHECK: %[[COUNT:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ALL4]]], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%[[G]] : tensor<?x3x4x5xf32>) outs(%[[INIT]] : tensor<i64>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: i64):
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[EQ:.*]] = arith.cmpf oeq, %[[IN]], %[[C0]] : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.extui %[[EQ]] : i1 to i64
// CHECK-NEXT: %[[SUM:.*]] = arith.addi %[[ACC]], %[[ONE]] : i64
// CHECK-NEXT: linalg.yield %[[SUM]] : i64
// 3 * 4 * 5 = 60 elements per image.
// CHECK: %[[C60:.*]] = arith.constant 60 : index
// CHECK-NEXT: %[[SIZE:.*]] = arith.muli %[[C60]], %[[N]] : index
// CHECK-NEXT: %[[SIZEI:.*]] = arith.index_cast %[[SIZE]] : index to i64
// CHECK-NEXT: %[[SIZEF:.*]] = arith.sitofp %[[SIZEI]] : i64 to f32
// CHECK: linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]]], iterator_types = []} ins(%[[COUNT]] : tensor<i64>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[C:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[CF:.*]] = arith.sitofp %[[C]] : i64 to f32
// CHECK-NEXT: %[[F:.*]] = arith.divf %[[CF]], %[[SIZEF]] : f32
// CHECK-NEXT: linalg.yield %[[F]] : f32
// Another rank, a dynamic size that is not an activation's batch, f64.
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[V]] : tensor<?x7xf64>)
// CHECK: arith.cmpf oeq, %{{.*}}, %{{.*}} : f64
// CHECK: %[[C7:.*]] = arith.constant 7 : index
// CHECK: %[[D0:.*]] = tensor.dim %[[V]], %{{.*}} : tensor<?x7xf64>
// CHECK-NEXT: arith.muli %[[C7]], %[[D0]] : index
// CHECK: arith.divf %{{.*}}, %{{.*}} : f64
// CHECK-NOT: cst.zero_fraction
func.func @codes(%x: tensor<?x3x4x5xf32>, %v: tensor<?x7xf64>) -> (tensor<f32>, tensor<f64>) {
  %g = cst.threshold %x {kind = #cst<threshold relu>} : (tensor<?x3x4x5xf32>) -> tensor<?x3x4x5xf32>
  %z = cst.zero_fraction %g : (tensor<?x3x4x5xf32>) -> tensor<f32>
  %w = cst.zero_fraction %v : (tensor<?x7xf64>) -> tensor<f64>
  return %z, %w : tensor<f32>, tensor<f64>
}

// 7 zeros (0.0 and -0.0) among 16 values, batch 2 made dynamic: 0.4375;
// 5 of 6 in f64: 0.833333.
// EXEC: Unranked Memref {{.*}} rank = 0
// EXEC-NEXT: [0.4375]
// EXEC: Unranked Memref {{.*}} rank = 0
// EXEC-NEXT: [0.833333]
func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefF64(memref<*xf64>) attributes {llvm.emit_c_interface}
func.func @main() {
  %a = arith.constant dense<[[[[0.0, -0.0, 1.0e-40, 2.0]], [[0x7FC00000, 0.0, -3.0, 0.0]]], [[[0.0, 5.0, 0.0, 0.0]], [[1.0, 1.0, 1.0, 1.0]]]]> : tensor<2x2x1x4xf32>
  %d = tensor.cast %a : tensor<2x2x1x4xf32> to tensor<?x2x1x4xf32>
  %z = cst.zero_fraction %d : (tensor<?x2x1x4xf32>) -> tensor<f32>
  %m = bufferization.to_buffer %z : tensor<f32> to memref<f32>
  %u = memref.cast %m : memref<f32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  %b = arith.constant dense<[[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]> : tensor<2x3xf64>
  %w = cst.zero_fraction %b : (tensor<2x3xf64>) -> tensor<f64>
  %n = bufferization.to_buffer %w : tensor<f64> to memref<f64>
  %v = memref.cast %n : memref<f64> to memref<*xf64>
  call @printMemrefF64(%v) : (memref<*xf64>) -> ()
  return
}
