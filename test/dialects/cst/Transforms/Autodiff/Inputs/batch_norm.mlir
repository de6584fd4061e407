// batch_norm_train (batch statistics; the loss is not linear in x so that
// the mean and variance terms of the backward pass matter) and, after it,
// batch_norm_eval with running statistics.
func.func @forward(%x: tensor<?x3x4x4xf64>, %labels: tensor<?xi64>,
                   %p: tensor<3xf64> {cst.param = "p"},
                   %w: tensor<3xf64> {cst.param = "bn.weight"},
                   %b: tensor<3xf64> {cst.param = "bn.bias"},
                   %m: tensor<3xf64> {cst.param = "bn.running_mean", cst.state},
                   %v: tensor<3xf64> {cst.param = "bn.running_var", cst.state},
                   %w2: tensor<3xf64> {cst.param = "bn2.weight"},
                   %b2: tensor<3xf64> {cst.param = "bn2.bias"},
                   %m2: tensor<3xf64> {cst.param = "bn2.running_mean", cst.state},
                   %v2: tensor<3xf64> {cst.param = "bn2.running_var", cst.state})
    -> (tensor<f64>, tensor<3xf64>, tensor<3xf64>) {
  %xs = cst.scale %x, %p : (tensor<?x3x4x4xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %y, %nm, %nv, %mean, %istd = cst.batch_norm_train %xs, %w, %b, %m, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x3x4x4xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> (tensor<?x3x4x4xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>)
  %z = cst.batch_norm_eval %y, %w2, %b2, %m2, %v2 {eps = 1.0e-5 : f64} : (tensor<?x3x4x4xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<?x3x4x4xf64>
  %l = cst.l1_norm %z {weight = 1.0 : f64} : (tensor<?x3x4x4xf64>) -> tensor<f64>
  return %l, %nm, %nv : tensor<f64>, tensor<3xf64>, tensor<3xf64>
}
