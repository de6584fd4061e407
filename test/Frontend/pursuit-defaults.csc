# pursuit(DICT) with no options: prox = relu, solver = ista, unfold = 0,
# gram = on, keep_init = true, step = scalar, threshold = channel, bn = none,
# bn_affine = shared. Parameters: the filters + 1 step + K thresholds.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model defaults {
  input [3, 8, 8];
  g = pursuit([identity, conv(5, 3, padding = 1)]);
}

# 5*3*9 = 135 + 1 + 8.
# CHECK:      # name kind output code params
# CHECK-NEXT: 0 g pursuit/ista [8, 8, 8] 8 144{{$}}
# CHECK-NEXT: total parameters: 144{{$}}

# MLIR:      %[[W:.*]] = csc.param "g.dict.1.weight" {init = "kaiming"} : tensor<5x3x3x3xf32>
# MLIR:      %[[S:.*]] = csc.param "g.step" {init = "ones", step} : tensor<1xf32>
# MLIR-NEXT: %[[T:.*]] = csc.param "g.threshold" {init = "zeros"} : tensor<8xf32>
# MLIR-NEXT: csc.pursuit %arg0, %{{.*}} step %[[S]] threshold %[[T]] {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, gram = #csc<gram on>, keep_init = true, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 0 : i64} : (tensor<?x3x8x8xf32>, !csc.dict<3 -> 8>, tensor<1xf32>, tensor<8xf32>) -> tensor<?x8x8x8xf32>
