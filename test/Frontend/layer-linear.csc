# linear(out, bias = true) is fully connected on the flattened C*H*W:
# out*in weights (+ out biases). Its output is [out, 1, 1].
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model linears {
  input [2, 3, 4];
  linear(5);                     # in = 24
  linear(out = 3, bias = false);
  linear(4, true);
}

# 5*24 + 5 = 125; 3*5 = 15; 4*3 + 4 = 16.
# CHECK:      0 linear0 linear [5, 1, 1] - 125{{$}}
# CHECK-NEXT: 1 linear1 linear [3, 1, 1] - 15{{$}}
# CHECK-NEXT: 2 linear2 linear [4, 1, 1] - 16{{$}}
# CHECK-NEXT: total parameters: 156{{$}}

# MLIR:      csc.param "linear0.weight" {init = "kaiming"} : tensor<5x24xf32>
# MLIR-NEXT: csc.param "linear0.bias" {init = "zeros"} : tensor<5xf32>
# MLIR-NEXT: csc.linear %arg0, %{{.*}} bias %{{.*}} : (tensor<?x2x3x4xf32>, tensor<5x24xf32>, tensor<5xf32>) -> tensor<?x5x1x1xf32>
# MLIR-NEXT: %[[W:.*]] = csc.param "linear1.weight" {init = "kaiming"} : tensor<3x5xf32>
# MLIR-NEXT: csc.linear %{{.*}}, %[[W]] : (tensor<?x5x1x1xf32>, tensor<3x5xf32>) -> tensor<?x3x1x1xf32>
# MLIR:      csc.linear {{.*}} bias {{.*}} -> tensor<?x4x1x1xf32>
