// cst.conv alone (stride 2, dilation 2, padding 2): the scale p in front
// makes its input gradient matter.
func.func @forward(%x: tensor<?x3x9x9xf64>, %labels: tensor<?xi64>,
                   %p: tensor<3xf64> {cst.param = "p"},
                   %w: tensor<4x3x3x3xf64> {cst.param = "w"}) -> tensor<f64> {
  %xs = cst.scale %x, %p : (tensor<?x3x9x9xf64>, tensor<3xf64>) -> tensor<?x3x9x9xf64>
  %y = cst.conv %xs, %w {stride = 2 : i64, dilation = 2 : i64, padding = 2 : i64} : (tensor<?x3x9x9xf64>, tensor<4x3x3x3xf64>) -> tensor<?x4x5x5xf64>
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x4x5x5xf64>) -> tensor<f64>
  return %l : tensor<f64>
}
