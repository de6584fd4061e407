# relu: elementwise, shape-preserving, no parameters; with or without an
# empty argument list.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model relus {
  input [2, 3, 5];
  relu;
  relu();
}

# CHECK:      0 relu0 relu [2, 3, 5] - 0{{$}}
# CHECK-NEXT: 1 relu1 relu [2, 3, 5] - 0{{$}}
# CHECK-NEXT: total parameters: 0{{$}}

# MLIR:      %[[R:.*]] = csc.relu %arg0 : (tensor<?x2x3x5xf32>) -> tensor<?x2x3x5xf32>
# MLIR-NEXT: csc.relu %[[R]] : (tensor<?x2x3x5xf32>) -> tensor<?x2x3x5xf32>
