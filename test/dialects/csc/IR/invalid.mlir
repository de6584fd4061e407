// Every verifier of the csc dialect rejects what it must, with its message.
// RUN: csc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{a dictionary needs at least one signal and one code channel, got 0 -> 4}}
func.func private @f(!csc.dict<0 -> 4>)

// -----

func.func @f() {
  // expected-error @+1 {{'csc.param' op needs a non-empty name}}
  %0 = csc.param "" {init = "zeros"} : tensor<4xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{has unknown init "glorot"; expected kaiming, authors, zeros or ones}}
  %0 = csc.param "w" {init = "glorot"} : tensor<4xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = csc.param "w" {init = "zeros"} : tensor<?xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{maps 4 channels to 8; an identity block keeps the channel count}}
  %0 = csc.identity : !csc.dict<4 -> 8>
  return
}

// -----

func.func @f() {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x5xf32>
  // expected-error @+1 {{expects a filter [out, in, k, k], got tensor<8x4x3x5>}}
  %0 = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<8x4x3x5xf32> -> !csc.dict<4 -> 8>
  return
}

// -----

func.func @f() {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  // expected-error @+1 {{has a filter tensor<8x4x3x3> that maps 4 to 8 channels, but its type says 4 -> 6}}
  %0 = csc.conv_atom %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<8x4x3x3xf32> -> !csc.dict<4 -> 6>
  return
}

// -----

func.func @f() {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  // expected-error @+1 {{attribute 'dilation' failed to satisfy constraint}}
  %0 = csc.conv_atom %w {dilation = 0 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<8x4x3x3xf32> -> !csc.dict<4 -> 8>
  return
}

// -----

func.func @f(%a: !csc.dict<4 -> 8>, %b: !csc.dict<6 -> 10>) {
  // expected-error @+1 {{composes 4 -> 8 with 6 -> 10: the channels do not chain}}
  %0 = csc.compose %a, %b : !csc.dict<4 -> 8>, !csc.dict<6 -> 10> -> !csc.dict<4 -> 10>
  return
}

// -----

func.func @f(%a: !csc.dict<4 -> 8>, %b: !csc.dict<8 -> 10>) {
  // expected-error @+1 {{result must be 4 -> 10}}
  %0 = csc.compose %a, %b : !csc.dict<4 -> 8>, !csc.dict<8 -> 10> -> !csc.dict<4 -> 12>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{needs at least one block}}
  %0 = csc.vstack : () -> !csc.dict<4 -> 4>
  return
}

// -----

func.func @f(%a: !csc.dict<4 -> 4>, %b: !csc.dict<6 -> 10>) {
  // expected-error @+1 {{block 1 reads 6 signal channels, the dictionary 4}}
  %0 = csc.vstack %a, %b : (!csc.dict<4 -> 4>, !csc.dict<6 -> 10>) -> !csc.dict<4 -> 14>
  return
}

// -----

func.func @f(%a: !csc.dict<4 -> 4>, %b: !csc.dict<4 -> 10>) {
  // expected-error @+1 {{blocks produce 14 code channels, the result type says 12}}
  %0 = csc.vstack %a, %b : (!csc.dict<4 -> 4>, !csc.dict<4 -> 10>) -> !csc.dict<4 -> 12>
  return
}

// -----

func.func @f(%x: tensor<?x3x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  // expected-error @+1 {{input has 3 channels, the dictionary reads 4}}
  %0 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x3x8x8xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  %c = csc.param "c" {init = "ones"} : tensor<3xf32>
  // expected-error @+1 {{expects step of shape 1 or 8, got tensor<3>}}
  %0 = csc.pursuit %x, %d step %c {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  %b = csc.param "b" {init = "zeros"} : tensor<9xf32>
  // expected-error @+1 {{expects a threshold of at most 8 channels, got tensor<9>}}
  %0 = csc.pursuit %x, %d threshold %b {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<9xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>, %g0: tensor<?x8x8x8xf32>) {
  // expected-error @+1 {{with gram = "learned" and a warm start needs a gram coefficient}}
  %0 = csc.pursuit %x, %d init %g0 {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram learned>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<?x8x8x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  %g = csc.param "g" {init = "zeros"} : tensor<1xf32>
  // expected-error @+1 {{has a gram coefficient but gram is not "learned" with a warm start}}
  %0 = csc.pursuit %x, %d gram %g {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram learned>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<1xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  %w = csc.param "w" {init = "ones"} : tensor<8xf32>
  %b = csc.param "b" {init = "zeros"} : tensor<8xf32>
  %m = csc.param "m" {init = "zeros", state} : tensor<8xf32>
  %v = csc.param "v" {init = "ones", state} : tensor<8xf32>
  // Two iterations need two sets of running statistics (docs/design.md §2b).
  // expected-error @+1 {{with bn = "prox", bn_affine = "shared" and unfold = 1 expects 6 batch-norm tensors, got 4}}
  %0 = csc.pursuit %x, %d bn(%w, %b, %m, %v) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  %w = csc.param "w" {init = "ones"} : tensor<8xf32>
  %b = csc.param "b" {init = "zeros"} : tensor<7xf32>
  %m = csc.param "m" {init = "zeros", state} : tensor<8xf32>
  %v = csc.param "v" {init = "ones", state} : tensor<8xf32>
  // expected-error @+1 {{expects batch-norm tensors of shape 8, got tensor<7>}}
  %0 = csc.pursuit %x, %d bn(%w, %b, %m, %v) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<8xf32>, tensor<7xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  // A kind is an enum attribute, not a string.
  // expected-error @+1 {{attribute 'prox' failed to satisfy constraint: proximal map of a pursuit}}
  %0 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = "soft", solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  // expected-error @+2 {{expected ::mlir::csc::Prox to be one of: relu, soft, hard}}
  // expected-error @+1 {{failed to parse Csc_ProxAttr parameter 'value'}}
  %0 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox firm>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  // expected-error @+1 {{attribute 'unfold' failed to satisfy constraint}}
  %0 = csc.pursuit %x, %d {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = -1 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x5x8x8xf32>, %d1: !csc.dict<4 -> 8>) {
  // expected-error @+1 {{input has 5 channels, the first dictionary reads 4}}
  %0 = csc.stacked_pursuit %x dicts(%d1) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x5x8x8xf32>, !csc.dict<4 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d1: !csc.dict<4 -> 8>, %d2: !csc.dict<6 -> 8>) {
  // expected-error @+1 {{dictionary 1 reads 6 channels but dictionary 0 codes 8}}
  %0 = csc.stacked_pursuit %x dicts(%d1, %d2) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, !csc.dict<6 -> 8>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d1: !csc.dict<4 -> 8>, %d2: !csc.dict<8 -> 8>) {
  %c = csc.param "c" {init = "ones"} : tensor<1xf32>
  // expected-error @+1 {{expects 0 or 2 steps, got 1}}
  %0 = csc.stacked_pursuit %x dicts(%d1, %d2) steps(%c) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, !csc.dict<8 -> 8>, tensor<1xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d1: !csc.dict<4 -> 8>) {
  %b = csc.param "b" {init = "zeros"} : tensor<8xf32>
  %b2 = csc.param "b2" {init = "zeros"} : tensor<8xf32>
  // expected-error @+1 {{expects 0 or 1 thresholds, got 2}}
  %0 = csc.stacked_pursuit %x dicts(%d1) thresholds(%b, %b2) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d1: !csc.dict<4 -> 8>) {
  %c = csc.param "c" {init = "ones"} : tensor<8xf32>
  // expected-error @+1 {{expects a scalar step of shape 1, got tensor<8>}}
  %0 = csc.stacked_pursuit %x dicts(%d1) steps(%c) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d1: !csc.dict<4 -> 8>) {
  %b = csc.param "b" {init = "zeros"} : tensor<4xf32>
  // expected-error @+1 {{expects a threshold of shape 8, got tensor<4>}}
  %0 = csc.stacked_pursuit %x dicts(%d1) thresholds(%b) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d1: !csc.dict<4 -> 8>, %d2: !csc.dict<8 -> 8>) {
  %w = csc.param "w" {init = "ones"} : tensor<8xf32>
  // expected-error @+1 {{has 3 batch-norm tensors, not a multiple of the 2 levels}}
  %0 = csc.stacked_pursuit %x dicts(%d1, %d2) bn(%w, %w, %w) {bn = #csc<bn prox>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, !csc.dict<8 -> 8>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3xf32>
  // expected-error @+1 {{expects a filter [out, in, k, k], got tensor<8x4x3>}}
  %0 = csc.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x3x8x8xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  // expected-error @+1 {{input has 3 channels, the filter tensor<8x4x3x3> reads 4}}
  %0 = csc.conv %x, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x3x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<8x4x3x3xf32>
  %b = csc.param "b" {init = "zeros"} : tensor<4xf32>
  // expected-error @+1 {{expects a bias of shape 8, got tensor<4>}}
  %0 = csc.conv %x, %w bias %b {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  %w = csc.param "w" {init = "ones"} : tensor<4x1xf32>
  %b = csc.param "b" {init = "zeros"} : tensor<4xf32>
  // expected-error @+1 {{expects a per-channel weight, got tensor<4x1>}}
  %0 = csc.batch_norm %x, %w, %b, %b, %b {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  %w = csc.param "w" {init = "ones"} : tensor<4xf32>
  %m = csc.param "m" {init = "zeros"} : tensor<5xf32>
  // expected-error @+1 {{expects per-channel tensors of shape 4, got tensor<5>}}
  %0 = csc.batch_norm %x, %w, %w, %m, %w {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x3x8x8xf32>) {
  %w = csc.param "w" {init = "ones"} : tensor<4xf32>
  // expected-error @+1 {{input has 3 channels, the batch norm 4}}
  %0 = csc.batch_norm %x, %w, %w, %w, %w {eps = 1.0e-5 : f64, momentum = 0.1 : f64} : (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  %w = csc.param "w" {init = "ones"} : tensor<4xf32>
  // expected-error @+1 {{needs eps > 0}}
  %0 = csc.batch_norm %x, %w, %w, %w, %w {eps = 0.0 : f64, momentum = 0.1 : f64} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{padding 2 is more than half the kernel 3}}
  %0 = csc.max_pool %x {kernel = 3 : i64, padding = 2 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{padding 3 is more than half the kernel 2}}
  %0 = csc.avg_pool %x {kernel = 2 : i64, padding = 3 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x1x1xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<10xf32>
  // expected-error @+1 {{expects a weight [out, in], got tensor<10>}}
  %0 = csc.linear %x, %w : (tensor<?x4x1x1xf32>, tensor<10xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x1x1xf32>) {
  %w = csc.param "w" {init = "kaiming"} : tensor<10x4xf32>
  %b = csc.param "b" {init = "zeros"} : tensor<4xf32>
  // expected-error @+1 {{expects a bias of shape 10, got tensor<4>}}
  %0 = csc.linear %x, %w bias %b : (tensor<?x4x1x1xf32>, tensor<10x4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f(%x: tensor<?x16x8x8xf32>) {
  // expected-error @+1 {{cannot shrink 16 channels to 8; a shortcut only pads channels}}
  %0 = csc.shortcut %x {channels = 8 : i64, stride = 2 : i64} : (tensor<?x16x8x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{needs at least one loss term}}
  %0 = csc.total_loss : () -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<?x4x8x8xf32>, %d: !csc.dict<4 -> 8>) {
  %w = csc.param "w" {init = "ones"} : tensor<8xf32>
  // bn = analysis normalises D^T X once, whatever the unfold count.
  // expected-error @+1 {{with bn = "analysis", bn_affine = "shared" and unfold = 2 expects 4 batch-norm tensors, got 8}}
  %0 = csc.pursuit %x, %d bn(%w, %w, %w, %w, %w, %w, %w, %w) {bn = #csc<bn analysis>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 2 : i64} : (tensor<?x4x8x8xf32>, !csc.dict<4 -> 8>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  return
}
