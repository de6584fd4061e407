# maxpool(kernel, stride = kernel, padding = 0) and avgpool(...): window
# pooling, channels unchanged, no parameters. The stride defaults to the
# kernel.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model pools {
  input [3, 17, 17];
  maxpool(2);                          # floor(17 / 2) = 8
  avgpool(3, stride = 1);              # 6
  maxpool(3, stride = 2, padding = 1); # (6 + 2 - 3) / 2 + 1 = 3
  avgpool(kernel = 2, padding = 1);    # (3 + 2 - 2) / 2 + 1 = 2
}

# CHECK:      0 maxpool0 maxpool [3, 8, 8] - 0{{$}}
# CHECK-NEXT: 1 avgpool1 avgpool [3, 6, 6] - 0{{$}}
# CHECK-NEXT: 2 maxpool2 maxpool [3, 3, 3] - 0{{$}}
# CHECK-NEXT: 3 avgpool3 avgpool [3, 2, 2] - 0{{$}}
# CHECK-NEXT: total parameters: 0{{$}}

# MLIR:      csc.max_pool %arg0 {kernel = 2 : i64, padding = 0 : i64, stride = 2 : i64} : (tensor<?x3x17x17xf32>) -> tensor<?x3x8x8xf32>
# MLIR-NEXT: csc.avg_pool %{{.*}} {kernel = 3 : i64, padding = 0 : i64, stride = 1 : i64} : (tensor<?x3x8x8xf32>) -> tensor<?x3x6x6xf32>
# MLIR-NEXT: csc.max_pool %{{.*}} {kernel = 3 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x3x6x6xf32>) -> tensor<?x3x3x3xf32>
# MLIR-NEXT: csc.avg_pool %{{.*}} {kernel = 2 : i64, padding = 1 : i64, stride = 2 : i64} : (tensor<?x3x3x3xf32>) -> tensor<?x3x2x2xf32>
