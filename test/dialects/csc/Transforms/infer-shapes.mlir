// csc-infer-shapes gives every activation its NCHW type and updates the
// function's results.
// RUN: csc-opt %s -csc-infer-shapes | FileCheck %s

// CHECK-LABEL: func.func @model
// CHECK-SAME: -> (tensor<?x10x1x1xf32>, tensor<f32>)
func.func @model(%x: tensor<?x3x32x32xf32>, %labels: tensor<?xi64>) -> (tensor<*xf32>, tensor<f32>) {
  %w = csc.param "conv1.weight" {init = "kaiming"} : tensor<16x3x3x3xf32>
  // (32 + 2 - 2 - 1) / 2 + 1 = 16
  // CHECK: csc.conv {{.*}} -> tensor<?x16x16x16xf32>
  %y = csc.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  // A dilated conv: (16 + 0 - 2*4 - 1) / 1 + 1 = 8
  %w2 = csc.param "conv2.weight" {init = "kaiming"} : tensor<16x16x5x5xf32>
  // CHECK: csc.conv {{.*}} -> tensor<?x16x8x8xf32>
  %y2 = csc.conv %y, %w2 {dilation = 2 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<*xf32>, tensor<16x16x5x5xf32>) -> tensor<*xf32>
  %g = csc.param "bn.weight" {init = "ones"} : tensor<16xf32>
  // CHECK: csc.batch_norm {{.*}} -> tensor<?x16x8x8xf32>
  %n = csc.batch_norm %y2, %g, %g, %g, %g {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<*xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<*xf32>
  // CHECK: csc.relu {{.*}} -> tensor<?x16x8x8xf32>
  %r = csc.relu %n : (tensor<*xf32>) -> tensor<*xf32>

  // A dictionary [identity, conv(8, 3, dilation = 2, padding = 2) >> conv(4, 1)]:
  // 16 + 4 code channels, size kept.
  %id = csc.identity : !csc.dict<16 -> 16>
  %fw = csc.param "p.dict.1.0.weight" {init = "kaiming"} : tensor<8x16x3x3xf32>
  %f = csc.conv_atom %fw {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<8x16x3x3xf32> -> !csc.dict<16 -> 8>
  %gw = csc.param "p.dict.1.1.weight" {init = "kaiming"} : tensor<4x8x1x1xf32>
  %gg = csc.conv_atom %gw {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<4x8x1x1xf32> -> !csc.dict<8 -> 4>
  %fg = csc.compose %f, %gg : !csc.dict<16 -> 8>, !csc.dict<8 -> 4> -> !csc.dict<16 -> 4>
  %d = csc.vstack %id, %fg : (!csc.dict<16 -> 16>, !csc.dict<16 -> 4>) -> !csc.dict<16 -> 20>
  // CHECK: csc.pursuit {{.*}} -> tensor<?x20x8x8xf32>
  %z = csc.pursuit %r, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 2 : i64} : (tensor<*xf32>, !csc.dict<16 -> 20>) -> tensor<*xf32>

  // A strided dictionary halves the size; its warm start is the option-A
  // shortcut of the previous code (ceil(8 / 2) = 4, channels padded to 24).
  %sw = csc.param "q.dict.0.weight" {init = "kaiming"} : tensor<24x20x3x3xf32>
  %s = csc.conv_atom %sw {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : tensor<24x20x3x3xf32> -> !csc.dict<20 -> 24>
  %sd = csc.vstack %s : (!csc.dict<20 -> 24>) -> !csc.dict<20 -> 24>
  // CHECK: csc.shortcut {{.*}} -> tensor<?x24x4x4xf32>
  %g0 = csc.shortcut %z {channels = 24 : i64, stride = 2 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: csc.pursuit {{.*}} init {{.*}} -> tensor<?x24x4x4xf32>
  %z2 = csc.pursuit %z, %sd init %g0 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram off>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<*xf32>, !csc.dict<20 -> 24>, tensor<*xf32>) -> tensor<*xf32>

  // A stacked pursuit keeps the size and ends with the top code.
  %a1 = csc.identity : !csc.dict<24 -> 24>
  %a2w = csc.param "s.0.dict.1.weight" {init = "kaiming"} : tensor<8x24x3x3xf32>
  %a2 = csc.conv_atom %a2w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<8x24x3x3xf32> -> !csc.dict<24 -> 8>
  %l1 = csc.vstack %a1, %a2 : (!csc.dict<24 -> 24>, !csc.dict<24 -> 8>) -> !csc.dict<24 -> 32>
  %b1 = csc.identity : !csc.dict<32 -> 32>
  %b2w = csc.param "s.1.dict.1.weight" {init = "kaiming"} : tensor<8x32x3x3xf32>
  %b2 = csc.conv_atom %b2w {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<8x32x3x3xf32> -> !csc.dict<32 -> 8>
  %l2 = csc.vstack %b1, %b2 : (!csc.dict<32 -> 32>, !csc.dict<32 -> 8>) -> !csc.dict<32 -> 40>
  // CHECK: csc.stacked_pursuit {{.*}} -> tensor<?x40x4x4xf32>
  %t = csc.stacked_pursuit %z2 dicts(%l1, %l2) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver fista>, unfold = 1 : i64} : (tensor<*xf32>, !csc.dict<24 -> 32>, !csc.dict<32 -> 40>) -> tensor<*xf32>

  // CHECK: csc.max_pool {{.*}} -> tensor<?x40x2x2xf32>
  %p = csc.max_pool %t {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  // (2 + 2 - 3) / 1 + 1 = 2
  // CHECK: csc.avg_pool {{.*}} -> tensor<?x40x2x2xf32>
  %ap = csc.avg_pool %p {kernel = 3 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: csc.linear {{.*}} -> tensor<?x10x1x1xf32>
  %lw = csc.param "fc.weight" {init = "kaiming"} : tensor<10x160xf32>
  %logits = csc.linear %ap, %lw : (tensor<*xf32>, tensor<10x160xf32>) -> tensor<*xf32>
  // CHECK: csc.global_avg_pool {{.*}} -> tensor<?x40x1x1xf32>
  %gap = csc.global_avg_pool %ap : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: csc.cross_entropy {{.*}} -> tensor<f32>
  %ce = csc.cross_entropy %logits, %labels : (tensor<*xf32>, tensor<?xi64>) -> tensor<f32>
  // CHECK: csc.l1_penalty {{.*}} -> tensor<f32>
  %pen = csc.l1_penalty %z {weight = 0.01 : f64} : (tensor<*xf32>) -> tensor<f32>
  // CHECK: csc.total_loss {{.*}} -> tensor<f32>
  %loss = csc.total_loss %ce, %pen : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: return {{.*}} : tensor<?x10x1x1xf32>, tensor<f32>
  return %logits, %loss : tensor<*xf32>, tensor<f32>
}

// f64 models keep their element type.
// CHECK-LABEL: func.func @double
// CHECK: csc.relu {{.*}} -> tensor<?x2x4x4xf64>
func.func @double(%x: tensor<?x2x4x4xf64>) -> tensor<*xf64> {
  %r = csc.relu %x : (tensor<?x2x4x4xf64>) -> tensor<*xf64>
  return %r : tensor<*xf64>
}
