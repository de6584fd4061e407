# 'input [C, H, W];' declares one sample (the batch is implicit); its entries
# are expressions. It is the function argument of the compiled model, and
# 'input' names it as a tensor in the model body.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

param side = 6;

model inputs {
  input [1 + 2, side * 2, side + 1];
  conv(4, 3);
  shortcut(input, 5, 2);
}

# CHECK:      model inputs: input [3, 12, 7]{{$}}
# CHECK:      0 conv0 conv [4, 10, 5] - 112{{$}}
# CHECK-NEXT: 1 shortcut1 shortcut [5, 6, 4] - 0{{$}}

# MLIR:      func.func @forward(%arg0: tensor<?x3x12x7xf32>) -> tensor<?x5x6x4xf32>
# MLIR:      csc.shortcut %arg0 {channels = 5 : i64, stride = 2 : i64} : (tensor<?x3x12x7xf32>) -> tensor<?x5x6x4xf32>
