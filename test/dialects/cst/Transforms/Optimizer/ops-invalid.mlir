// The verifiers of cst.sgd_update and cst.adam_update.
// RUN: csc-opt %s --split-input-file --verify-diagnostics

func.func @nesterov_without_buffer(%p: tensor<4xf32>, %h: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cst.sgd_update' op nesterov needs a momentum buffer}}
  %r = cst.sgd_update %p, %p hyper(%h) {nesterov} : (tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @buffer_without_result(%p: tensor<4xf32>, %h: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cst.sgd_update' op has a momentum buffer but no new buffer result}}
  %r = cst.sgd_update %p, %p momentum_buffer(%p) hyper(%h) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @result_without_buffer(%p: tensor<4xf32>, %h: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cst.sgd_update' op returns a new momentum buffer but has no momentum buffer operand}}
  %r:2 = cst.sgd_update %p, %p hyper(%h) : (tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %r#0 : tensor<4xf32>
}

// -----

func.func @grad_type(%p: tensor<4xf32>, %g: tensor<5xf32>, %h: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cst.sgd_update' op grad has type 'tensor<5xf32>', expected the parameter's 'tensor<4xf32>'}}
  %r = cst.sgd_update %p, %g hyper(%h) : (tensor<4xf32>, tensor<5xf32>, tensor<8xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @hyper_size(%p: tensor<4xf32>, %h: tensor<7xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cst.sgd_update' op expects hyper of type 'tensor<8xf32>', got 'tensor<7xf32>'}}
  %r = cst.sgd_update %p, %p hyper(%h) : (tensor<4xf32>, tensor<4xf32>, tensor<7xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @hyper_type(%p: tensor<4xf32>, %h: tensor<8xf64>) -> tensor<4xf32> {
  // expected-error @+1 {{'cst.sgd_update' op expects hyper of type 'tensor<8xf32>', got 'tensor<8xf64>'}}
  %r = cst.sgd_update %p, %p hyper(%h) : (tensor<4xf32>, tensor<4xf32>, tensor<8xf64>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @dynamic(%p: tensor<?xf32>, %h: tensor<8xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'cst.sgd_update' op expects a parameter of static shape, got [?]}}
  %r = cst.sgd_update %p, %p hyper(%h) : (tensor<?xf32>, tensor<?xf32>, tensor<8xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

func.func @integer(%p: tensor<4xi32>, %h: tensor<8xf32>) -> tensor<4xi32> {
  // expected-error @+1 {{'cst.sgd_update' op expects a float parameter, got 'tensor<4xi32>'}}
  %r = cst.sgd_update %p, %p hyper(%h) : (tensor<4xi32>, tensor<4xi32>, tensor<8xf32>) -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

func.func @adam_state(%p: tensor<2x3xf64>, %m: tensor<3x2xf64>, %h: tensor<8xf64>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'cst.adam_update' op exp_avg_sq has type 'tensor<3x2xf64>', expected the parameter's 'tensor<2x3xf64>'}}
  %r:3 = cst.adam_update %p, %p, %p, %m hyper(%h) : (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<3x2xf64>, tensor<8xf64>) -> (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>)
  return %r#0 : tensor<2x3xf64>
}

// -----

func.func @adam_result(%p: tensor<2x3xf64>, %h: tensor<8xf64>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'cst.adam_update' op new_exp_avg has type 'tensor<2x3xf32>', expected the parameter's 'tensor<2x3xf64>'}}
  %r:3 = cst.adam_update %p, %p, %p, %p hyper(%h) : (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<2x3xf64>, tensor<8xf64>) -> (tensor<2x3xf64>, tensor<2x3xf32>, tensor<2x3xf64>)
  return %r#0 : tensor<2x3xf64>
}

// -----

func.func @sgd_lr_scale(%p: tensor<2xf64>, %h: tensor<8xf64>) -> tensor<2xf64> {
  // expected-error @+1 {{'cst.sgd_update' op expects a positive finite lr_scale, got 0}}
  %r = cst.sgd_update %p, %p hyper(%h) {lr_scale = 0.0 : f64} : (tensor<2xf64>, tensor<2xf64>, tensor<8xf64>) -> tensor<2xf64>
  return %r : tensor<2xf64>
}

// -----

func.func @adam_lr_scale(%p: tensor<2xf64>, %h: tensor<8xf64>) -> tensor<2xf64> {
  // expected-error @+1 {{'cst.adam_update' op expects a positive finite lr_scale, got -1}}
  %r:3 = cst.adam_update %p, %p, %p, %p hyper(%h) {lr_scale = -1.0 : f64} : (tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<8xf64>) -> (tensor<2xf64>, tensor<2xf64>, tensor<2xf64>)
  return %r#0 : tensor<2xf64>
}
