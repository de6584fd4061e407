# global_avgpool averages over H and W: [C, H, W] -> [C, 1, 1].
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model gap {
  input [6, 7, 5];
  global_avgpool;
}

# CHECK:      0 global_avgpool0 global_avgpool [6, 1, 1] - 0{{$}}
# CHECK-NEXT: total parameters: 0{{$}}

# MLIR: csc.global_avg_pool %arg0 : (tensor<?x6x7x5xf32>) -> tensor<?x6x1x1xf32>
