// Every diagnostic of cst-optimizer.
// RUN: csc-opt %s --split-input-file --cst-optimizer --verify-diagnostics
// RUN: not csc-opt %s --split-input-file --cst-optimizer=optimizer=rmsprop 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not csc-opt %s --split-input-file --cst-optimizer='optimizer=adam nesterov=true' 2>&1 | FileCheck %s --check-prefix=NESTEROV
// RUN: not csc-opt %s --split-input-file --cst-optimizer='momentum=false nesterov=true' 2>&1 | FileCheck %s --check-prefix=NESTEROV

// RUN: not csc-opt %s --split-input-file --cst-optimizer=step-lr-scale=0 2>&1 | FileCheck %s --check-prefix=SCALE
// RUN: not csc-opt %s --split-input-file --cst-optimizer=step-lr-scale=-0.5 2>&1 | FileCheck %s --check-prefix=SCALE

// UNKNOWN: error: cst-optimizer: unknown optimizer 'rmsprop'; expected sgd or adam
// NESTEROV: error: cst-optimizer: nesterov=true needs optimizer=sgd with momentum=true
// SCALE: error: cst-optimizer: step-lr-scale must be positive and finite, got {{0.000000e\+00|-5.000000e-01}}

// expected-error @+1 {{cst-optimizer: no function @train_step to update; build it from @forward with cst-autodiff first}}
module {
  func.func @forward(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
    return %x : tensor<?x1x4x4xf32>
  }
}

// -----

// expected-error @+1 {{cst-optimizer: no function @train_step to update}}
module {
  func.func private @train_step(%w: tensor<2xf32> {cst.param = "w"}) -> (tensor<2xf32> {cst.grad = "w"})
}

// -----

// expected-error @+1 {{cst-optimizer: @train_step returns no gradient (no result has cst.grad); build it with cst-autodiff}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: gradient result #1 of 'v' has no parameter: no argument of @train_step has cst.param = "v"}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}) -> (tensor<2xf32> {cst.grad = "w"}, tensor<2xf32> {cst.grad = "v"}) {
  return %w, %w : tensor<2xf32>, tensor<2xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: gradient result #0 of 'rm': argument #1 is a running statistic (cst.state), not a learned parameter}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}, %rm: tensor<2xf32> {cst.param = "rm", cst.state}) -> (tensor<2xf32> {cst.grad = "rm"}) {
  return %w : tensor<2xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: two gradients of 'w' (results #0 and #1)}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}) -> (tensor<2xf32> {cst.grad = "w"}, tensor<2xf32> {cst.grad = "w"}) {
  return %w, %w : tensor<2xf32>, tensor<2xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: gradient result #0 of 'w' has type 'tensor<3xf32>' but the parameter has type 'tensor<2xf32>'}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}, %v: tensor<3xf32>) -> (tensor<3xf32> {cst.grad = "w"}) {
  return %v : tensor<3xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: result #0 has a cst.grad that is not a string: 1 : i64}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}) -> (tensor<2xf32> {cst.grad = 1}) {
  return %w : tensor<2xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: parameter 'w' has type 'tensor<?xf32>'; expected a float tensor of static shape}}
func.func @train_step(%w: tensor<?xf32> {cst.param = "w"}) -> (tensor<?xf32> {cst.grad = "w"}) {
  return %w : tensor<?xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: parameters of element types 'f32' and 'f64' ('v'); the hyperparameters have one type}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}, %v: tensor<2xf64> {cst.param = "v"}) -> (tensor<2xf32> {cst.grad = "w"}, tensor<2xf64> {cst.grad = "v"}) {
  return %w, %v : tensor<2xf32>, tensor<2xf64>
}

// -----

// expected-error @+1 {{cst-optimizer: @train_step already has optimiser arguments (argument #1); cst-optimizer runs once, on cst-autodiff's train step}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}, %h: tensor<8xf32> {cst.hyper = #cst<optimizer sgd>}) -> (tensor<2xf32> {cst.grad = "w"}) {
  return %w : tensor<2xf32>
}

// -----

// expected-error @+1 {{cst-optimizer: @train_update exists already}}
func.func @train_step(%w: tensor<2xf32> {cst.param = "w"}) -> (tensor<2xf32> {cst.grad = "w"}) {
  return %w : tensor<2xf32>
}
func.func @train_update() {
  return
}
