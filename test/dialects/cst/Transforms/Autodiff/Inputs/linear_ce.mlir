// linear (with bias, on a flattened [N, 2, 3, 3] input) and the softmax
// cross-entropy against the labels.
func.func @forward(%x: tensor<?x2x3x3xf64>, %labels: tensor<?xi64>,
                   %p: tensor<2xf64> {cst.param = "p"},
                   %w: tensor<5x18xf64> {cst.param = "fc.weight"},
                   %b: tensor<5xf64> {cst.param = "fc.bias"})
    -> (tensor<?x5x1x1xf64>, tensor<f64>) {
  %a = cst.scale %x, %p : (tensor<?x2x3x3xf64>, tensor<2xf64>) -> tensor<?x2x3x3xf64>
  %y = cst.linear %a, %w, %b : (tensor<?x2x3x3xf64>, tensor<5x18xf64>, tensor<5xf64>) -> tensor<?x5x1x1xf64>
  %l = cst.softmax_cross_entropy %y, %labels : (tensor<?x5x1x1xf64>, tensor<?xi64>) -> tensor<f64>
  return %y, %l : tensor<?x5x1x1xf64>, tensor<f64>
}
