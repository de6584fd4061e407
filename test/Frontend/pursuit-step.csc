# step = scalar (one learned c), channel (one per code channel) or none
# (fixed c = 1, no step operand).
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model steps {
  input [2, 4, 4];
  s = pursuit([identity, conv(3, 1)], step = scalar);   # 5 channels
  c = pursuit([identity, conv(3, 1)], step = channel);  # 8 channels
  n = pursuit([identity, conv(3, 1)], step = none);     # 11 channels
}

# filters 3*2 = 6, + step 1 + threshold 5.
# CHECK:      0 s pursuit/ista [5, 4, 4] 5 12{{$}}
# filters 3*5 = 15, + step 8 + threshold 8.
# CHECK-NEXT: 1 c pursuit/ista [8, 4, 4] 8 31{{$}}
# filters 3*8 = 24, + threshold 11.
# CHECK-NEXT: 2 n pursuit/ista [11, 4, 4] 11 35{{$}}
# CHECK-NEXT: total parameters: 78{{$}}

# MLIR:      csc.param "s.step" {init = "ones", step} : tensor<1xf32>
# MLIR:      csc.param "c.step" {init = "ones", step} : tensor<8xf32>
# MLIR-NOT:  "n.step"
# MLIR:      %[[T:.*]] = csc.param "n.threshold"
# MLIR-NEXT: csc.pursuit %{{.*}}, %{{.*}} threshold %[[T]] {
