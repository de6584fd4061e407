// Every csc op and type prints and parses back to the same text.
// RUN: csc-opt %s | csc-opt | FileCheck %s

// CHECK-LABEL: func.func @dictionaries
func.func @dictionaries() -> !csc.dict<4 -> 14> {
  // CHECK: csc.identity : <4 -> 4>
  %id = csc.identity : !csc.dict<4 -> 4>
  // CHECK: %[[W:.*]] = csc.param "p.dict.1.0.weight" {init = "authors"} : tensor<6x4x3x3xf32>
  %w = csc.param "p.dict.1.0.weight" {init = "authors"} : tensor<6x4x3x3xf32>
  // CHECK: csc.conv_atom %[[W]] {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<6x4x3x3xf32> -> <4 -> 6>
  %f = csc.conv_atom %w {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<6x4x3x3xf32> -> !csc.dict<4 -> 6>
  %w2 = csc.param "p.dict.1.1.weight" {init = "kaiming"} : tensor<10x6x1x1xf32>
  %g = csc.conv_atom %w2 {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<10x6x1x1xf32> -> !csc.dict<6 -> 10>
  // CHECK: csc.compose %{{.*}}, %{{.*}} : <4 -> 6>, <6 -> 10> -> <4 -> 10>
  %fg = csc.compose %f, %g : !csc.dict<4 -> 6>, !csc.dict<6 -> 10> -> !csc.dict<4 -> 10>
  // CHECK: csc.vstack %{{.*}}, %{{.*}} : (!csc.dict<4 -> 4>, !csc.dict<4 -> 10>) -> !csc.dict<4 -> 14>
  %d = csc.vstack %id, %fg : (!csc.dict<4 -> 4>, !csc.dict<4 -> 10>) -> !csc.dict<4 -> 14>
  return %d : !csc.dict<4 -> 14>
}

// CHECK-LABEL: func.func @pursuit
func.func @pursuit(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 14>, %g0: tensor<?x14x8x8xf32>) -> tensor<*xf32> {
  %c = csc.param "p.step" {init = "ones", step} : tensor<14xf32>
  // CHECK: csc.param "p.step" {init = "ones", step} : tensor<14xf32>
  %b = csc.param "p.threshold" {init = "zeros"} : tensor<10xf32>
  %g = csc.param "p.gram" {init = "zeros"} : tensor<1xf32>
  %bw = csc.param "p.bn.weight" {init = "ones"} : tensor<14xf32>
  %bb = csc.param "p.bn.bias" {init = "zeros"} : tensor<14xf32>
  %m0 = csc.param "p.bn.0.running_mean" {init = "zeros", state} : tensor<14xf32>
  %v0 = csc.param "p.bn.0.running_var" {init = "ones", state} : tensor<14xf32>
  // CHECK: csc.pursuit %{{.*}}, %{{.*}} step %{{.*}} threshold %{{.*}} init %{{.*}} gram %{{.*}} bn(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram learned>, keep_init = false, prox = #csc<prox soft>, solver = #csc<solver fista>, unfold = 0 : i64}
  %z = csc.pursuit %x, %d step %c threshold %b init %g0 gram %g bn(%bw, %bb, %m0, %v0) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram learned>, keep_init = false, prox = #csc<prox soft>, solver = #csc<solver fista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 14>, tensor<14xf32>, tensor<10xf32>, tensor<?x14x8x8xf32>, tensor<1xf32>, tensor<14xf32>, tensor<14xf32>, tensor<14xf32>, tensor<14xf32>) -> tensor<*xf32>
  // A pursuit with nothing optional.
  // CHECK: csc.pursuit %{{.*}}, %{{.*}} {bn = #csc<bn none>, {{.*}}} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 14>) -> tensor<?x14x8x8xf32>
  %z2 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 3 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 14>) -> tensor<?x14x8x8xf32>
  return %z : tensor<*xf32>
}

// CHECK-LABEL: func.func @stacked
func.func @stacked(%x: tensor<?x4x8x8xf32>, %d1: !csc.dict<4 -> 8>, %d2: !csc.dict<8 -> 16>) -> tensor<?x16x8x8xf32> {
  %c1 = csc.param "s.0.step" {init = "ones"} : tensor<1xf32>
  %c2 = csc.param "s.1.step" {init = "ones"} : tensor<1xf32>
  %b1 = csc.param "s.0.threshold" {init = "zeros"} : tensor<8xf32>
  %b2 = csc.param "s.1.threshold" {init = "zeros"} : tensor<16xf32>
  // CHECK: csc.stacked_pursuit %{{.*}} dicts(%{{.*}}, %{{.*}}) steps(%{{.*}}, %{{.*}}) thresholds(%{{.*}}, %{{.*}}) {{{.*}}solver = #csc<solver fista>, unfold = 2 : i64}
  %z = csc.stacked_pursuit %x dicts(%d1, %d2) steps(%c1, %c2) thresholds(%b1, %b2) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 2 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, !csc.dict<8 -> 16>, tensor<1xf32>, tensor<1xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32>
  return %z : tensor<?x16x8x8xf32>
}

// CHECK-LABEL: func.func @layers
func.func @layers(%x: tensor<?x3x32x32xf32>, %labels: tensor<?xi64>) -> (tensor<*xf32>, tensor<f32>) {
  %w = csc.param "conv1.weight" {init = "kaiming"} : tensor<16x3x3x3xf32>
  %bias = csc.param "conv1.bias" {init = "zeros"} : tensor<16xf32>
  // CHECK: csc.conv %{{.*}}, %{{.*}} bias %{{.*}} {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64}
  %y = csc.conv %x, %w bias %bias {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<*xf32>
  %g = csc.param "bn1.weight" {init = "ones"} : tensor<16xf32>
  %be = csc.param "bn1.bias" {init = "zeros"} : tensor<16xf32>
  %m = csc.param "bn1.running_mean" {init = "zeros", state} : tensor<16xf32>
  %v = csc.param "bn1.running_var" {init = "ones", state} : tensor<16xf32>
  // CHECK: csc.batch_norm {{.*}} {eps = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64}
  %n = csc.batch_norm %y, %g, %be, %m, %v {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<*xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<*xf32>
  // CHECK: csc.relu
  %r = csc.relu %n : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: csc.max_pool %{{.*}} {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64}
  %p = csc.max_pool %r {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: csc.avg_pool
  %a = csc.avg_pool %p {kernel = 3 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: csc.shortcut %{{.*}} {channels = 32 : i64, stride = 2 : i64}
  %s = csc.shortcut %a {channels = 32 : i64, stride = 2 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: csc.global_avg_pool
  %gp = csc.global_avg_pool %s : (tensor<*xf32>) -> tensor<*xf32>
  %lw = csc.param "fc.weight" {init = "kaiming"} : tensor<10x32xf32>
  %lb = csc.param "fc.bias" {init = "zeros"} : tensor<10xf32>
  // CHECK: csc.linear %{{.*}}, %{{.*}} bias %{{.*}} : (tensor<*xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<*xf32>
  %logits = csc.linear %gp, %lw bias %lb : (tensor<*xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<*xf32>
  // CHECK: csc.cross_entropy %{{.*}}, %{{.*}} : (tensor<*xf32>, tensor<?xi64>) -> tensor<f32>
  %ce = csc.cross_entropy %logits, %labels : (tensor<*xf32>, tensor<?xi64>) -> tensor<f32>
  // CHECK: csc.l1_penalty %{{.*}} {weight = 1.000000e-03 : f64}
  %l1 = csc.l1_penalty %r {weight = 1.0e-3 : f64} : (tensor<*xf32>) -> tensor<f32>
  // CHECK: csc.total_loss %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %loss = csc.total_loss %ce, %l1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %logits, %loss : tensor<*xf32>, tensor<f32>
}
