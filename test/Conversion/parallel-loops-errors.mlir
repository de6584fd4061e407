// cscc-parallel-loops runs after bufferization: a linalg op on tensors is
// an error that names the pass and what it expects (the op is left alone).
// RUN: csc-opt --pass-pipeline='builtin.module(func.func(cscc-parallel-loops))' --verify-diagnostics %s

func.func @on_tensors(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{cscc-parallel-loops expects linalg ops on buffers}}
  %r = linalg.add ins(%x, %x : tensor<4x8xf32>, tensor<4x8xf32>) outs(%y : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
