// The verifiers of cst.replica_mean_start and cst.replica_mean_wait: a
// started mean is taken by exactly one wait, and a wait takes only a
// start's result.
// RUN: csc-opt %s --split-input-file --verify-diagnostics

func.func @two_uses(%g: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'cst.replica_mean_start' op result must have exactly one use, a cst.replica_mean_wait}}
  %p = cst.replica_mean_start %g : tensor<4xf32>
  %m = cst.replica_mean_wait %p : tensor<4xf32>
  return %m, %p : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @never_waited(%g: tensor<4xf32>) {
  // expected-error @+1 {{'cst.replica_mean_start' op result must have exactly one use, a cst.replica_mean_wait}}
  %p = cst.replica_mean_start %g : tensor<4xf32>
  return
}

// -----

func.func @wait_without_start(%g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cst.replica_mean_wait' op operand must be a cst.replica_mean_start's result}}
  %m = cst.replica_mean_wait %g : tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

func.func @integers(%g: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'cst.replica_mean_start' op expects a float tensor, got 'tensor<4xi32>'}}
  %p = cst.replica_mean_start %g : tensor<4xi32>
  %m = cst.replica_mean_wait %p : tensor<4xi32>
  return %m : tensor<4xi32>
}
