# --emit=mlir (the default) prints the model in the csc dialect: a module
# named after the model holding func.func @forward, one csc.param per
# learned tensor, dictionaries built from csc.identity / csc.conv_atom /
# csc.vstack, and shapes inferred. --no-infer-shapes leaves the activations
# unranked.
# RUN: cscc --emit=mlir %s | FileCheck %s
# RUN: cscc %s | FileCheck %s
# RUN: cscc %s --no-infer-shapes | FileCheck %s --check-prefix=NOINFER
# The printed module parses back with csc-opt.
# RUN: cscc %s | csc-opt | FileCheck %s

model emitted {
  input [1, 8, 8];
  conv(4, 3, padding = 1);
  g = pursuit([identity, conv(2, 3, padding = 1)], unfold = 1);
  maxpool(2);
  global_avgpool;
  linear(3);
}

# CHECK-LABEL: module @emitted {
# CHECK:       func.func @forward(%arg0: tensor<?x1x8x8xf32>) -> tensor<?x3x1x1xf32>
# CHECK:       %[[C:.*]] = csc.conv %arg0, {{.*}} -> tensor<?x4x8x8xf32>
# CHECK:       %[[I:.*]] = csc.identity : <4 -> 4>
# CHECK-NEXT:  %[[W:.*]] = csc.param "g.dict.1.weight" {init = "kaiming"} : tensor<2x4x3x3xf32>
# CHECK-NEXT:  %[[A:.*]] = csc.conv_atom %[[W]] {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<2x4x3x3xf32> -> <4 -> 2>
# CHECK-NEXT:  %[[D:.*]] = csc.vstack %[[I]], %[[A]] : (!csc.dict<4 -> 4>, !csc.dict<4 -> 2>) -> !csc.dict<4 -> 6>
# CHECK:       %[[G:.*]] = csc.pursuit %[[C]], %[[D]] {{.*}}unfold = 1 : i64} : {{.*}} -> tensor<?x6x8x8xf32>
# CHECK-NEXT:  %[[P:.*]] = csc.max_pool %[[G]] {{.*}} -> tensor<?x6x4x4xf32>
# CHECK-NEXT:  %[[Q:.*]] = csc.global_avg_pool %[[P]] : (tensor<?x6x4x4xf32>) -> tensor<?x6x1x1xf32>
# CHECK:       %[[L:.*]] = csc.linear %[[Q]], {{.*}} -> tensor<?x3x1x1xf32>
# CHECK-NEXT:  return %[[L]] : tensor<?x3x1x1xf32>

# NOINFER: func.func @forward(%arg0: tensor<?x1x8x8xf32>) -> tensor<*xf32>
# NOINFER: csc.conv {{.*}} -> tensor<*xf32>
# NOINFER: csc.pursuit {{.*}} -> tensor<*xf32>
