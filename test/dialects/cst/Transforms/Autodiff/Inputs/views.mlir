// Channel views and shapes: concat, slice, embed, shortcut (stride 2, two
// zero channels appended) and a per-channel threshold assembled with
// tensor.insert_slice (as a stacked code's thresholds are).
func.func @forward(%x: tensor<?x2x4x4xf64>, %labels: tensor<?xi64>,
                   %p: tensor<2xf64> {cst.param = "p"},
                   %q: tensor<2xf64> {cst.param = "q"},
                   %t: tensor<2xf64> {cst.param = "t"}) -> tensor<f64> {
  %a = cst.scale %x, %p : (tensor<?x2x4x4xf64>, tensor<2xf64>) -> tensor<?x2x4x4xf64>
  %b = cst.scale %x, %q : (tensor<?x2x4x4xf64>, tensor<2xf64>) -> tensor<?x2x4x4xf64>
  %cat = cst.concat %a, %b : (tensor<?x2x4x4xf64>, tensor<?x2x4x4xf64>) -> tensor<?x4x4x4xf64>
  %mid = cst.slice %cat[1] : (tensor<?x4x4x4xf64>) -> tensor<?x2x4x4xf64>
  %emb = cst.embed %mid[3] : (tensor<?x2x4x4xf64>) -> tensor<?x5x4x4xf64>
  %zeros = arith.constant dense<0.25> : tensor<5xf64>
  %tt = tensor.insert_slice %t into %zeros[2] [2] [1] : tensor<2xf64> into tensor<5xf64>
  %th = cst.threshold %emb, %tt {kind = #cst<threshold soft>} : (tensor<?x5x4x4xf64>, tensor<5xf64>) -> tensor<?x5x4x4xf64>
  %sc = cst.shortcut %cat {stride = 2 : i64} : (tensor<?x4x4x4xf64>) -> tensor<?x6x2x2xf64>
  %l1 = cst.l1_norm %th {weight = 1.0 : f64} : (tensor<?x5x4x4xf64>) -> tensor<f64>
  %l2 = cst.l1_norm %sc {weight = 1.0 : f64} : (tensor<?x6x2x2xf64>) -> tensor<f64>
  %l = cst.axpby %l1, %l2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f64>
  return %l : tensor<f64>
}
