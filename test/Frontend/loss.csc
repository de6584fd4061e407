# 'loss cross_entropy;' adds the training loss on the final logits: the
# summary reports it, and the compiled function takes the labels as a second
# argument and returns the loss next to the logits.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model with_loss {
  input [1, 4, 4];
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

# CHECK:      1 linear1 linear [10, 1, 1] - 20{{$}}
# CHECK-NEXT: loss: cross_entropy{{$}}
# CHECK-NEXT: total parameters: 20{{$}}

# MLIR:      func.func @forward(%arg0: tensor<?x1x4x4xf32>, %arg1: tensor<?xi64>) -> (tensor<?x10x1x1xf32>, tensor<f32>)
# MLIR:      %[[LOGITS:.*]] = csc.linear
# MLIR-NEXT: %[[LOSS:.*]] = csc.cross_entropy %[[LOGITS]], %arg1 : (tensor<?x10x1x1xf32>, tensor<?xi64>) -> tensor<f32>
# MLIR-NEXT: return %[[LOGITS]], %[[LOSS]] : tensor<?x10x1x1xf32>, tensor<f32>
