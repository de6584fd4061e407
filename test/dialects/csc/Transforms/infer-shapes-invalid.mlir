// Shapes that do not fit are errors that name both shapes.
// RUN: csc-opt %s -split-input-file -csc-infer-shapes -verify-diagnostics

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  // expected-error @+1 {{needs its dictionary built by csc dictionary ops to know the code's size}}
  %0 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  // expected-error @+1 {{does not fit a 2x2 signal: kernel 3 with dilation 4 spans 9 pixels, padding 1}}
  %a = csc.conv_atom %w {dilation = 4 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<8x4x3x3xf32> -> !csc.dict<4 -> 8>
  %d = csc.vstack %a : (!csc.dict<4 -> 8>) -> !csc.dict<4 -> 8>
  %0 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x2x2xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  %id = csc.identity : !csc.dict<4 -> 4>
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  %a = csc.conv_atom %w {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<8x4x3x3xf32> -> !csc.dict<4 -> 8>
  // expected-error @+1 {{block 1 produces a 6x6 code, block 0 a 8x8; the blocks of a dictionary must agree}}
  %d = csc.vstack %id, %a : (!csc.dict<4 -> 4>, !csc.dict<4 -> 8>) -> !csc.dict<4 -> 12>
  %0 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 12>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %g0: tensor<?x8x4x4xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  %a = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<8x4x3x3xf32> -> !csc.dict<4 -> 8>
  %d = csc.vstack %a : (!csc.dict<4 -> 8>) -> !csc.dict<4 -> 8>
  // expected-error @+1 {{has a warm start of shape tensor<?x8x4x4> but its code is tensor<?x8x8x8>}}
  %0 = csc.pursuit %x, %d init %g0 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<?x8x4x4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  %a = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : tensor<8x4x3x3xf32> -> !csc.dict<4 -> 8>
  %d = csc.vstack %a : (!csc.dict<4 -> 8>) -> !csc.dict<4 -> 8>
  // expected-error @+1 {{dictionary 0 maps 8x8 to 4x4; every level of a stacked pursuit keeps the spatial size}}
  %0 = csc.stacked_pursuit %x dicts(%d) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x5x5xf32>
  // expected-error @+1 {{kernel 5 with dilation 1 and padding 0 does not fit the input tensor<?x4x2x2>}}
  %0 = csc.conv %x, %w {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x4x2x2xf32>, tensor<8x4x5x5xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>) {
  // expected-error @+1 {{window 3 does not fit the input tensor<?x4x2x2>}}
  %0 = csc.max_pool %x {kernel = 3 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x4x2x2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x2x2xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<10x4xf32>
  // expected-error @+1 {{input tensor<?x4x2x2> has 16 features, the weight tensor<10x4> reads 4}}
  %0 = csc.linear %x, %w : (tensor<?x4x2x2xf32>, tensor<10x4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x10x2x2xf32>, %l: tensor<?xi64>) {
  // expected-error @+1 {{expects logits N x K x 1 x 1, got tensor<?x10x2x2>; end the model with global_avg_pool or linear}}
  %0 = csc.cross_entropy %x, %l : (tensor<?x10x2x2xf32>, tensor<?xi64>) -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{expects an NCHW input (rank 4), got tensor<?x10>}}
  %0 = csc.relu %x : (tensor<?x10xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<*xf32>) {
  // expected-error @+1 {{needs a ranked input (run after the producer's shape is known)}}
  %0 = csc.global_avg_pool %x : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func private @opaque() -> tensor<*xf32>

func.func @f() {
  // An op without a shape rule cannot feed a model.
  // expected-error @+1 {{result shape could not be inferred; the op has no shape rule or reads an unshaped value}}
  %0 = func.call @opaque() : () -> tensor<*xf32>
  return
}
