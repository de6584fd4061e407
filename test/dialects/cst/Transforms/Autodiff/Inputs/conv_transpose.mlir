// cst.conv_transpose alone (the adjoint of a strided, padded convolution).
func.func @forward(%x: tensor<?x4x5x5xf64>, %labels: tensor<?xi64>,
                   %p: tensor<4xf64> {cst.param = "p"},
                   %w: tensor<4x2x3x3xf64> {cst.param = "w"}) -> tensor<f64> {
  %xs = cst.scale %x, %p : (tensor<?x4x5x5xf64>, tensor<4xf64>) -> tensor<?x4x5x5xf64>
  %y = cst.conv_transpose %xs, %w {stride = 2 : i64, dilation = 1 : i64, padding = 1 : i64} : (tensor<?x4x5x5xf64>, tensor<4x2x3x3xf64>) -> tensor<?x2x10x10xf64>
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x2x10x10xf64>) -> tensor<f64>
  return %l : tensor<f64>
}
