// Data-parallel collectives at the tensor level (test/Conversion/cuda-replica.test).
func.func @average(%g: tensor<4x3xf32>, %c: tensor<2xf32>, %b: tensor<6xf32>) -> (tensor<4x3xf32>, tensor<2xf32>, tensor<6xf32>) {
  %m = cst.replica_mean %g : tensor<4x3xf32>
  %s = cst.replica_sum %c : tensor<2xf32>
  %p = cst.replica_mean_start %b : tensor<6xf32>
  %w = cst.replica_mean_wait %p : tensor<6xf32>
  return %m, %s, %w : tensor<4x3xf32>, tensor<2xf32>, tensor<6xf32>
}
