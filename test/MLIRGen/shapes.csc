# cscc --emit=mlir runs shape inference; --no-infer-shapes shows MLIRGen's
# unranked output, which csc-opt -csc-infer-shapes completes the same way.
# RUN: cscc %s | FileCheck %s
# RUN: cscc --no-infer-shapes %s | FileCheck %s --check-prefix=RAW
# RUN: cscc --no-infer-shapes %s | csc-opt -csc-infer-shapes | FileCheck %s
# RUN: cscc %s -o %t.mlir && csc-opt %t.mlir | FileCheck %s

model shapes {
  input [3, 16, 16];
  c = conv(8, 3, stride = 2, padding = 1);
  r = pursuit([identity, conv(4, 3, dilation = 2, padding = 2)], init = shortcut(c, 12, 1), gram = learned);
  maxpool(2);
  linear(10);
  loss cross_entropy;
}

# CHECK: module @shapes
# CHECK: func.func @forward(%arg0: tensor<?x3x16x16xf32>, %arg1: tensor<?xi64>) -> (tensor<?x10x1x1xf32>, tensor<f32>)
# CHECK: csc.conv {{.*}} -> tensor<?x8x8x8xf32>
# CHECK: csc.shortcut {{.*}} {channels = 12 : i64, stride = 1 : i64} : (tensor<?x8x8x8xf32>) -> tensor<?x12x8x8xf32>
# CHECK: csc.param "r.gram" {init = "zeros", step} : tensor<1xf32>
# CHECK: csc.pursuit {{.*}} init {{.*}} gram {{.*}} -> tensor<?x12x8x8xf32>
# CHECK: csc.max_pool {{.*}} -> tensor<?x12x4x4xf32>
# CHECK: csc.param "linear{{[0-9]*}}.weight" {init = "kaiming"} : tensor<10x192xf32>
# CHECK: csc.linear {{.*}} -> tensor<?x10x1x1xf32>

# RAW: func.func @forward(%arg0: tensor<?x3x16x16xf32>, %arg1: tensor<?xi64>) -> (tensor<*xf32>, tensor<f32>)
# RAW: csc.conv {{.*}} -> tensor<*xf32>
# RAW: csc.pursuit {{.*}} -> tensor<*xf32>
