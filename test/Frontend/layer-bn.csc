# bn and bn(eps = 1e-5, momentum = 0.1): batch norm with 2C parameters; its
# running mean and variance are state.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model batch_norm {
  input [3, 4, 4];
  bn;
  conv(7, 1);
  bn(eps = 1e-3, momentum = 0.25);
  bn(momentum = 0);
}

# CHECK:      0 bn0 bn [3, 4, 4] - 6{{$}}
# CHECK-NEXT: 1 conv1 conv [7, 4, 4] - 28{{$}}
# CHECK-NEXT: 2 bn2 bn [7, 4, 4] - 14{{$}}
# CHECK-NEXT: 3 bn3 bn [7, 4, 4] - 14{{$}}
# CHECK-NEXT: total parameters: 62{{$}}

# MLIR:      csc.param "bn0.weight" {init = "ones"} : tensor<3xf32>
# MLIR-NEXT: csc.param "bn0.bias" {init = "zeros"} : tensor<3xf32>
# MLIR-NEXT: csc.param "bn0.running_mean" {init = "zeros", state} : tensor<3xf32>
# MLIR-NEXT: csc.param "bn0.running_var" {init = "ones", state} : tensor<3xf32>
# MLIR-NEXT: csc.batch_norm %arg0, {{.*}} {eps = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64} : (tensor<?x3x4x4xf32>, {{.*}}) -> tensor<?x3x4x4xf32>
# MLIR:      csc.batch_norm {{.*}} {eps = 1.000000e-03 : f64, momentum = 2.500000e-01 : f64} : (tensor<?x7x4x4xf32>,
# MLIR:      csc.batch_norm {{.*}} {eps = 1.000000e-05 : f64, momentum = 0.000000e+00 : f64}
