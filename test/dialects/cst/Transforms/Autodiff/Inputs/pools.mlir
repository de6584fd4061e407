// max_pool and avg_pool with overlapping, padded windows (k 3, stride 2,
// padding 1), and global_avg_pool.
func.func @forward(%x: tensor<?x2x7x7xf64>, %labels: tensor<?xi64>,
                   %p: tensor<2xf64> {cst.param = "p"},
                   %q: tensor<2xf64> {cst.param = "q"}) -> tensor<f64> {
  %a = cst.scale %x, %p : (tensor<?x2x7x7xf64>, tensor<2xf64>) -> tensor<?x2x7x7xf64>
  %mx = cst.max_pool %a {kernel = 3 : i64, stride = 2 : i64, padding = 1 : i64} : (tensor<?x2x7x7xf64>) -> tensor<?x2x4x4xf64>
  %b = cst.scale %x, %q : (tensor<?x2x7x7xf64>, tensor<2xf64>) -> tensor<?x2x7x7xf64>
  %av = cst.avg_pool %b {kernel = 3 : i64, stride = 2 : i64, padding = 1 : i64} : (tensor<?x2x7x7xf64>) -> tensor<?x2x4x4xf64>
  %s = cst.axpby %mx, %av {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<?x2x4x4xf64>
  %g = cst.global_avg_pool %a : (tensor<?x2x7x7xf64>) -> tensor<?x2x1x1xf64>
  %l1 = cst.l1_norm %s {weight = 1.0 : f64} : (tensor<?x2x4x4xf64>) -> tensor<f64>
  %l2 = cst.l1_norm %g {weight = 1.0 : f64} : (tensor<?x2x1x1xf64>) -> tensor<f64>
  %l = cst.axpby %l1, %l2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f64>
  return %l : tensor<f64>
}
