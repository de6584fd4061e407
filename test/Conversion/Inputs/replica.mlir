// Data-parallel collectives at the tensor level (test/Conversion/cuda-replica.test).
func.func @average(%g: tensor<4x3xf32>, %c: tensor<2xf32>) -> (tensor<4x3xf32>, tensor<2xf32>) {
  %m = cst.replica_mean %g : tensor<4x3xf32>
  %s = cst.replica_sum %c : tensor<2xf32>
  return %m, %s : tensor<4x3xf32>, tensor<2xf32>
}
