// The hard threshold z 1[|z| > b] (the l0 proximal map) with a learned
// threshold, after a learned scale and bias so that its input gradient
// reaches parameters: dz = dy where |z| > b, 0 elsewhere; db = 0 (the
// output does not move with b away from |z| = b, where it jumps: the
// checker skips coordinates whose finite differences straddle a jump).
func.func @forward(%x: tensor<?x3x4x4xf64>, %labels: tensor<?xi64>,
                   %p: tensor<3xf64> {cst.param = "p"},
                   %b: tensor<3xf64> {cst.param = "b"},
                   %t: tensor<3xf64> {cst.param = "t"}) -> tensor<f64> {
  %a = cst.scale %x, %p : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %d = cst.bias_add %a, %b : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %h = cst.threshold %d, %t {kind = #cst<threshold hard>} : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %m = cst.mul %h, %d : tensor<?x3x4x4xf64>
  %plain = cst.threshold %a {kind = #cst<threshold hard>} : (tensor<?x3x4x4xf64>) -> tensor<?x3x4x4xf64>
  %l1 = cst.l1_norm %m {weight = 1.0 : f64} : (tensor<?x3x4x4xf64>) -> tensor<f64>
  %l2 = cst.l1_norm %plain {weight = 0.5 : f64} : (tensor<?x3x4x4xf64>) -> tensor<f64>
  %l = cst.axpby %l1, %l2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f64>
  return %l : tensor<f64>
}
