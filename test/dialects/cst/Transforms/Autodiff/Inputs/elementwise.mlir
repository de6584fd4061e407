// The elementwise ops: scale (per channel and a learned scalar), bias_add,
// axpby, mul, relu and soft thresholds with learned thresholds; each term
// of the loss exercises one.
func.func @forward(%x: tensor<?x3x4x4xf64>, %labels: tensor<?xi64>,
                   %p: tensor<3xf64> {cst.param = "p"},
                   %c: tensor<1xf64> {cst.param = "c"},
                   %b: tensor<3xf64> {cst.param = "b"},
                   %t: tensor<3xf64> {cst.param = "t"},
                   %u: tensor<3xf64> {cst.param = "u"}) -> tensor<f64> {
  %a = cst.scale %x, %p : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %s = cst.scale %a, %c : (tensor<?x3x4x4xf64>, tensor<1xf64>) -> tensor<?x3x4x4xf64>
  %d = cst.bias_add %s, %b : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %e = cst.axpby %d, %a {alpha = 0.5 : f64, beta = -2.0 : f64} : tensor<?x3x4x4xf64>
  %m = cst.mul %e, %a : tensor<?x3x4x4xf64>
  %r = cst.threshold %m, %t {kind = #cst<threshold relu>} : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %q = cst.threshold %e, %u {kind = #cst<threshold soft>} : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %plain = cst.threshold %d {kind = #cst<threshold relu>} : (tensor<?x3x4x4xf64>) -> tensor<?x3x4x4xf64>
  %l1 = cst.l1_norm %r {weight = 1.0 : f64} : (tensor<?x3x4x4xf64>) -> tensor<f64>
  %l2 = cst.l1_norm %q {weight = 0.7 : f64} : (tensor<?x3x4x4xf64>) -> tensor<f64>
  %l3 = cst.l1_norm %plain {weight = 0.3 : f64} : (tensor<?x3x4x4xf64>) -> tensor<f64>
  %l12 = cst.axpby %l1, %l2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f64>
  %l = cst.axpby %l12, %l3 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f64>
  return %l : tensor<f64>
}
