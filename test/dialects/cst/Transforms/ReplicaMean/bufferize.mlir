// One-Shot Bufferize turns cst.replica_mean into a copy and a call of the
// host runtime's cscc_replica_mean_{f32,f64} on the copy as a 1-D buffer
// (rank 0 and rank 2 alike), declared once with the C interface, its
// buffer marked read-write.
// RUN: csc-opt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s --check-prefix=BUF
// The call survives the CPU target's lowering to LLVM (the JIT resolves
// the C-interface wrapper the runtime defines).
// RUN: csc-opt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --finalize-memref-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// LLVM-DAG: llvm.func @_mlir_ciface_cscc_replica_mean_f32(!llvm.ptr
// LLVM-DAG: llvm.call @_mlir_ciface_cscc_replica_mean_f32({{.*}}) : (!llvm.ptr) -> ()
// LLVM-DAG: llvm.call @_mlir_ciface_cscc_replica_mean_f64({{.*}}) : (!llvm.ptr) -> ()
// LLVM-DAG: llvm.call @cscc_replica_mean_f32({{.*}}) : (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()


// BUF-DAG: func.func private @cscc_replica_mean_f32(memref<?xf32> {bufferization.access = "read-write"}) attributes {llvm.emit_c_interface}
// BUF-DAG: func.func private @cscc_replica_mean_f64(memref<?xf64> {bufferization.access = "read-write"}) attributes {llvm.emit_c_interface}
// BUF-LABEL: func.func @buffers(
// BUF-SAME: %[[A:.*]]: memref<2x3xf32>, %[[S:.*]]: memref<f64>)
// BUF: %[[CA:.*]] = memref.alloc() {{.*}} : memref<2x3xf32>
// BUF: memref.copy %[[A]], %[[CA]]
// BUF: %[[FA:.*]] = memref.collapse_shape %[[CA]] {{\[}}[0, 1]] : memref<2x3xf32> into memref<6xf32>
// BUF: %[[VA:.*]] = memref.cast %[[FA]] : memref<6xf32> to memref<?xf32>
// BUF: call @cscc_replica_mean_f32(%[[VA]])
// BUF: %[[CS:.*]] = memref.alloc() {{.*}} : memref<f64>
// BUF: memref.copy %[[S]], %[[CS]]
// BUF: %[[FS:.*]] = memref.expand_shape %[[CS]] [] output_shape [1] : memref<f64> into memref<1xf64>
// BUF: %[[VS:.*]] = memref.cast %[[FS]] : memref<1xf64> to memref<?xf64>
// BUF: call @cscc_replica_mean_f64(%[[VS]])
// BUF: return %[[CA]], %[[CS]]
func.func @buffers(%a: tensor<2x3xf32>, %s: tensor<f64>) -> (tensor<2x3xf32>, tensor<f64>) {
  %ma = cst.replica_mean %a : tensor<2x3xf32>
  %ms = cst.replica_mean %s : tensor<f64>
  return %ma, %ms : tensor<2x3xf32>, tensor<f64>
}
