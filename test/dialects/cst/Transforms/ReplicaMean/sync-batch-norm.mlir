// Synchronised batch norm (train section `bn_sync = true`):
// cst-sync-batch-norm marks every train-mode batch norm `sync`, the
// backward pass cst-autodiff builds for it inherits the mark, and the
// lowering adds the global batch's count and per-channel sums over the
// replicas (cst.replica_sum: the count, the sum, the centred sum of
// squares) and, backward, averages the two gradient sums that dx uses
// (cst.replica_mean) while returning this replica's dweight and dbias.
// Without the pass nothing is synchronised.
// RUN: csc-opt %s --cst-sync-batch-norm --cst-autodiff | FileCheck %s --check-prefix=MARK
// RUN: csc-opt %s --cst-sync-batch-norm --cst-autodiff --cst-lower-to-linalg | FileCheck %s --check-prefix=LOWER
// RUN: csc-opt %s --cst-autodiff --cst-lower-to-linalg | FileCheck %s --check-prefix=PLAIN

// MARK-LABEL: func.func @train_step(
// MARK: %[[Y:[a-z_0-9]+]], %{{.*}}, %{{.*}}, %[[MEAN:[a-z_0-9]+]], %[[ISTD:[a-z_0-9]+]] = cst.batch_norm_train %arg0, %arg1, %arg2, %arg3, %arg4 {eps = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64, sync}
// MARK: cst.batch_norm_grad %arg0, %{{.*}}, %arg1, %[[MEAN]], %[[ISTD]] {sync}

// LOWER-LABEL: func.func @train_step(
// The count N H W as a tensor<1xf32>, summed over the replicas.
// LOWER: %[[C:.*]] = tensor.from_elements %{{.*}} : tensor<1xf32>
// LOWER: %[[CS:.*]] = cst.replica_sum %[[C]] : tensor<1xf32>
// LOWER-NEXT: %[[COUNT:.*]] = tensor.extract %[[CS]][%{{.*}}] : tensor<1xf32>
// LOWER: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%arg0 : tensor<?x2x3x3xf32>)
// LOWER: cst.replica_sum %[[SUM]] : tensor<2xf32>
// LOWER: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%arg0, %{{.*}} : tensor<?x2x3x3xf32>, tensor<2xf32>)
// LOWER: cst.replica_sum %[[SQ]] : tensor<2xf32>
// LOWER: %[[G:.*]]:2 = linalg.generic
// LOWER: %[[MB:.*]] = cst.replica_mean %[[G]]#0 : tensor<2xf32>
// LOWER-NEXT: %[[MW:.*]] = cst.replica_mean %[[G]]#1 : tensor<2xf32>
// LOWER: linalg.generic {{.*}} ins({{.*}}, %[[MB]], %[[MW]] :
// LOWER: return {{.*}}, %[[G]]#1, %[[G]]#0 :
// PLAIN-NOT: cst.replica
func.func @forward(%x: tensor<?x2x3x3xf32>,
                   %w: tensor<2xf32> {cst.param = "bn.weight"},
                   %b: tensor<2xf32> {cst.param = "bn.bias"},
                   %m: tensor<2xf32> {cst.param = "bn.running_mean", cst.state},
                   %v: tensor<2xf32> {cst.param = "bn.running_var", cst.state})
    -> (tensor<f32>, tensor<2xf32> {cst.new_state = "bn.running_mean"}, tensor<2xf32> {cst.new_state = "bn.running_var"}) {
  %y, %nm, %nv, %mean, %istd = cst.batch_norm_train %x, %w, %b, %m, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<?x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x2x3x3xf32>) -> tensor<f32>
  return %l, %nm, %nv : tensor<f32>, tensor<2xf32>, tensor<2xf32>
}
