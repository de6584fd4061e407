// cst-lower-to-linalg: a cst op that no pattern lowers (here, elementwise
// arithmetic on integers: the ops admit any element type, their lowering
// only floats) is left behind, and the conversion names it.
// RUN: csc-opt %s --split-input-file --cst-lower-to-linalg --verify-diagnostics

func.func @integer_mul(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{failed to legalize operation 'cst.mul' that was explicitly marked illegal}}
  %z = cst.mul %x, %y : tensor<4xi32>
  return %z : tensor<4xi32>
}

// -----

func.func @integer_sign(%x: tensor<?x4x2x2xi64>) -> tensor<?x4x2x2xi64> {
  // expected-error @+1 {{failed to legalize operation 'cst.sign' that was explicitly marked illegal}}
  %s = cst.sign %x : tensor<?x4x2x2xi64>
  return %s : tensor<?x4x2x2xi64>
}
