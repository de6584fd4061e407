// The VJP each op builds, one function per case (cst-autodiff entry=...).
// RUN: csc-opt %s --cst-autodiff=entry=bn_train | FileCheck %s --check-prefix=BN
// RUN: csc-opt %s --cst-autodiff=entry=views | FileCheck %s --check-prefix=VIEWS
// RUN: csc-opt %s --cst-autodiff=entry=soft | FileCheck %s --check-prefix=SOFT
// RUN: csc-opt %s --cst-autodiff=entry=hard | FileCheck %s --check-prefix=HARD
// RUN: csc-opt %s --cst-autodiff=entry=pools | FileCheck %s --check-prefix=POOLS
// RUN: csc-opt %s --cst-autodiff=entry=bn_eval | FileCheck %s --check-prefix=EVAL

// Train-mode batch norm: its backward reads the batch mean and 1/std the
// forward returned; the running statistics get no gradient and the updated
// ones are still returned.
// BN-LABEL: func.func @train_step(
// BN-SAME: -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> {cst.grad = "bn.weight"}, tensor<2xf32> {cst.grad = "bn.bias"})
// BN: %[[Y:[a-z_0-9]+]], %[[NM:[a-z_0-9]+]], %[[NV:[a-z_0-9]+]], %[[MEAN:[a-z_0-9]+]], %[[ISTD:[a-z_0-9]+]] = cst.batch_norm_train %arg0, %arg1, %arg2, %arg3, %arg4
// BN: %[[D:.*]] = cst.l1_norm_grad %[[Y]]
// BN: %[[DX:.*]], %[[DW:.*]], %[[DB:.*]] = cst.batch_norm_grad %arg0, %[[D]], %arg1, %[[MEAN]], %[[ISTD]]
// BN: return %{{.*}}, %[[NM]], %[[NV]], %[[DW]], %[[DB]]
func.func @bn_train(%x: tensor<?x2x3x3xf32>,
                    %w: tensor<2xf32> {cst.param = "bn.weight"},
                    %b: tensor<2xf32> {cst.param = "bn.bias"},
                    %m: tensor<2xf32> {cst.param = "bn.running_mean", cst.state},
                    %v: tensor<2xf32> {cst.param = "bn.running_var", cst.state})
    -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>) {
  %y, %nm, %nv, %mean, %istd = cst.batch_norm_train %x, %w, %b, %m, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<?x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x2x3x3xf32>) -> tensor<f32>
  return %l, %nm, %nv : tensor<f32>, tensor<2xf32>, tensor<2xf32>
}

// Channel views: a concatenation's inputs get slices of its gradient, a
// slice's input gets the gradient embedded into zeros, and a value used
// twice (a, through the concat and directly) gets the sum. A per-channel
// threshold assembled with tensor.insert_slice gets the matching
// extract_slice.
// VIEWS-LABEL: func.func @train_step(
// VIEWS: %[[CAT:.*]] = cst.concat %[[A:[0-9]+]], %[[B:[0-9]+]]
// VIEWS: %[[DCAT:.*]] = cst.mul
// VIEWS: %[[DT:.*]] = cst.reduce_channels %[[DCAT]] {scale = -1.000000e+00 : f64} : (tensor<?x3x2x2xf32>) -> tensor<3xf32>
// VIEWS: tensor.extract_slice %[[DT]][1] [2] [1] : tensor<3xf32> to tensor<2xf32>
// VIEWS: cst.slice %[[DCAT]][0] : {{.*}} -> tensor<?x1x2x2xf32>
// VIEWS: %[[DS:.*]] = cst.slice %[[DCAT]][1] : {{.*}} -> tensor<?x2x2x2xf32>
// VIEWS: %[[EMB:.*]] = cst.embed %[[DS]][1] : (tensor<?x2x2x2xf32>) -> tensor<?x3x2x2xf32>
// VIEWS: cst.axpby %[[EMB]], %{{.*}}
func.func @views(%x: tensor<?x3x2x2xf32>,
                 %s: tensor<1xf32> {cst.param = "s"},
                 %t: tensor<2xf32> {cst.param = "t"}) -> tensor<f32> {
  %xs = cst.scale %x, %s : (tensor<?x3x2x2xf32>, tensor<1xf32>) -> tensor<?x3x2x2xf32>
  %a = cst.slice %xs[0] : (tensor<?x3x2x2xf32>) -> tensor<?x1x2x2xf32>
  %b = cst.slice %xs[1] : (tensor<?x3x2x2xf32>) -> tensor<?x2x2x2xf32>
  %cat = cst.concat %a, %b : (tensor<?x1x2x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x3x2x2xf32>
  %zeros = arith.constant dense<0.0> : tensor<3xf32>
  %tt = tensor.insert_slice %t into %zeros[1] [2] [1] : tensor<2xf32> into tensor<3xf32>
  %th = cst.threshold %cat, %tt {kind = #cst<threshold relu>} : (tensor<?x3x2x2xf32>, tensor<3xf32>) -> tensor<?x3x2x2xf32>
  %l1 = cst.l1_norm %th {weight = 1.0 : f64} : (tensor<?x3x2x2xf32>) -> tensor<f32>
  %l2 = cst.l1_norm %a {weight = 0.5 : f64} : (tensor<?x1x2x2xf32>) -> tensor<f32>
  %l = cst.axpby %l1, %l2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f32>
  return %l : tensor<f32>
}

// Soft threshold: d/db = -sign(y) (not the mask).
// SOFT-LABEL: func.func @train_step(
// SOFT: cst.l1_norm_grad %[[Y:[0-9]+]]
// SOFT: %[[M:.*]] = cst.threshold_mask %[[Y]] {kind = #cst<threshold soft>}
// SOFT: %[[DZ:.*]] = cst.mul %{{.*}}, %[[M]]
// SOFT: %[[SG:.*]] = cst.sign %[[Y]]
// SOFT: cst.reduce_channels %[[DZ]], %[[SG]] {scale = -1.000000e+00 : f64}
func.func @soft(%x: tensor<?x2x2x2xf64>, %b: tensor<2xf64> {cst.param = "b"}) -> tensor<f64> {
  %y = cst.threshold %x, %b {kind = #cst<threshold soft>} : (tensor<?x2x2x2xf64>, tensor<2xf64>) -> tensor<?x2x2x2xf64>
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x2x2x2xf64>) -> tensor<f64>
  return %l : tensor<f64>
}

// Hard threshold: dz is masked like soft's; d/db is 0 (nothing reduced).
// HARD-LABEL: func.func @train_step(
// HARD: cst.l1_norm_grad %[[Y:[0-9]+]]
// HARD: %[[M:.*]] = cst.threshold_mask %[[Y]] {kind = #cst<threshold hard>}
// HARD: cst.mul %{{.*}}, %[[M]]
// HARD-NOT: cst.reduce_channels
// HARD: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf64>
// HARD-NOT: cst.reduce_channels
// HARD: return %{{.*}}, %[[ZERO]] :
func.func @hard(%x: tensor<?x2x2x2xf64>, %b: tensor<2xf64> {cst.param = "b"}) -> tensor<f64> {
  %y = cst.threshold %x, %b {kind = #cst<threshold hard>} : (tensor<?x2x2x2xf64>, tensor<2xf64>) -> tensor<?x2x2x2xf64>
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x2x2x2xf64>) -> tensor<f64>
  return %l : tensor<f64>
}

// Pools and the shortcut: each has its own backward op, reading the
// forward input and output where it needs them (max pool), nothing else.
// POOLS-LABEL: func.func @train_step(
// POOLS: %[[P:.*]] = cst.max_pool %[[S:[0-9]+]]
// POOLS: cst.shortcut_grad %{{.*}} {stride = 2 : i64} : (tensor<?x4x2x2xf32>) -> tensor<?x2x4x4xf32>
// POOLS: cst.avg_pool_grad %{{.*}} {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x2x2x2xf32>) -> tensor<?x2x4x4xf32>
// POOLS: cst.max_pool_grad %[[S2:[0-9]+]], %[[P]], %{{.*}} {kernel = 3 : i64, padding = 1 : i64, stride = 1 : i64}
func.func @pools(%x: tensor<?x2x4x4xf32>, %s: tensor<2xf32> {cst.param = "s"}) -> tensor<f32> {
  %xs = cst.scale %x, %s : (tensor<?x2x4x4xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %p = cst.max_pool %xs {kernel = 3 : i64, stride = 1 : i64, padding = 1 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %q = cst.avg_pool %p {kernel = 2 : i64, stride = 2 : i64, padding = 0 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32>
  %r = cst.shortcut %p {stride = 2 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x4x2x2xf32>
  %l1 = cst.l1_norm %q {weight = 1.0 : f64} : (tensor<?x2x2x2xf32>) -> tensor<f32>
  %l2 = cst.l1_norm %r {weight = 1.0 : f64} : (tensor<?x4x2x2xf32>) -> tensor<f32>
  %l = cst.axpby %l1, %l2 {alpha = 1.0 : f64, beta = 1.0 : f64} : tensor<f32>
  return %l : tensor<f32>
}

// Eval-mode batch norm is affine per channel: its VJP is itself a
// batch_norm_eval of the gradient (zero mean and bias).
// EVAL-LABEL: func.func @train_step(
// EVAL: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// EVAL: cst.batch_norm_eval %{{.*}}, %arg1, %[[Z]], %[[Z]], %arg4
// EVAL: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<2xf32>
// EVAL: %[[XHAT:.*]] = cst.batch_norm_eval %{{[0-9]+}}, %[[ONE]], %[[Z]], %arg3, %arg4
// EVAL: cst.reduce_channels %{{.*}}, %[[XHAT]]
func.func @bn_eval(%x: tensor<?x2x3x3xf32>,
                   %w: tensor<2xf32> {cst.param = "bn.weight"},
                   %b: tensor<2xf32> {cst.param = "bn.bias"},
                   %m: tensor<2xf32> {cst.param = "bn.running_mean", cst.state},
                   %v: tensor<2xf32> {cst.param = "bn.running_var", cst.state}) -> tensor<f32> {
  %xs = cst.scale %x, %w : (tensor<?x2x3x3xf32>, tensor<2xf32>) -> tensor<?x2x3x3xf32>
  %y = cst.batch_norm_eval %xs, %w, %b, %m, %v {eps = 1.0e-5 : f64} : (tensor<?x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x3x3xf32>
  %l = cst.l1_norm %y {weight = 1.0 : f64} : (tensor<?x2x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
