# Without 'loss' the summary has no loss line and the compiled function takes
# only the images and returns only the output.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model without_loss {
  input [1, 4, 4];
  global_avgpool;
  linear(10);
}

# CHECK:     linear1 linear [10, 1, 1]
# CHECK-NOT: loss
# CHECK:     total parameters: 20{{$}}

# MLIR:      func.func @forward(%arg0: tensor<?x1x4x4xf32>) -> tensor<?x10x1x1xf32>
# MLIR-NOT:  csc.cross_entropy
# MLIR:      return {{.*}} : tensor<?x10x1x1xf32>
