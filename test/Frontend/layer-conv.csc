# conv(out, kernel, dilation = 1, stride = 1, padding = 0, bias = true,
# init = kaiming): out*in*k*k weights plus 'out' biases unless bias = false.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model convs {
  input [3, 15, 15];
  conv(8, 3);                                          # 13x13
  conv(4, 3, 2, 2, 1);                                 # positional: 6x6
  conv(6, 1, bias = false);
  conv(5, kernel = 3, padding = 1, init = authors, bias = true);
  conv(2, 2, stride = 2, dilation = 2, padding = 2);   # (6+4-2-1)/2+1 = 4
}

# 8*3*9 + 8 = 224; 4*8*9 + 4 = 292; 6*4 = 24; 5*6*9 + 5 = 275; 2*5*4 + 2 = 42.
# CHECK:      0 conv0 conv [8, 13, 13] - 224{{$}}
# CHECK-NEXT: 1 conv1 conv [4, 6, 6] - 292{{$}}
# CHECK-NEXT: 2 conv2 conv [6, 6, 6] - 24{{$}}
# CHECK-NEXT: 3 conv3 conv [5, 6, 6] - 275{{$}}
# CHECK-NEXT: 4 conv4 conv [2, 4, 4] - 42{{$}}
# CHECK-NEXT: total parameters: 857{{$}}

# MLIR:      csc.param "conv0.weight" {init = "kaiming"} : tensor<8x3x3x3xf32>
# MLIR-NEXT: csc.param "conv0.bias" {init = "zeros"} : tensor<8xf32>
# MLIR-NEXT: csc.conv %arg0, %{{.*}} bias %{{.*}} {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x3x15x15xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x13x13xf32>
# MLIR:      csc.conv {{.*}} {dilation = 2 : i64, padding = 1 : i64, stride = 2 : i64} {{.*}} -> tensor<?x4x6x6xf32>
# MLIR:      %[[W:.*]] = csc.param "conv2.weight" {init = "kaiming"} : tensor<6x4x1x1xf32>
# MLIR-NEXT: csc.conv %{{.*}}, %[[W]] {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x4x6x6xf32>, tensor<6x4x1x1xf32>) -> tensor<?x6x6x6xf32>
# MLIR:      csc.param "conv3.weight" {init = "authors"} : tensor<5x6x3x3xf32>
# MLIR:      csc.conv {{.*}} {dilation = 2 : i64, padding = 2 : i64, stride = 2 : i64} {{.*}} -> tensor<?x2x4x4xf32>
