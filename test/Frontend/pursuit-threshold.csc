# threshold = channel (one learned b per code channel), conv_channels (only
# the channels of conv blocks; identity channels get 0) or none.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

dict d = [identity, conv(3, 1), conv(1, 1) >> conv(2, 1)];

model thresholds {
  input [2, 4, 4];
  a = pursuit(d, threshold = channel);        # 2 + 3 + 2 = 7 channels
  b = pursuit(d, threshold = conv_channels);  # 7 + 5 = 12
  c = pursuit(d, threshold = none);           # 12 + 5 = 17
}

# filters 3*2 + 1*2 + 2*1 = 10, + step 1 + threshold 7.
# CHECK:      0 a pursuit/ista [7, 4, 4] 7 18{{$}}
# filters 3*7 + 7 + 2 = 30, + 1 + threshold 5 (conv channels).
# CHECK-NEXT: 1 b pursuit/ista [12, 4, 4] 12 36{{$}}
# filters 3*12 + 12 + 2 = 50, + 1.
# CHECK-NEXT: 2 c pursuit/ista [17, 4, 4] 17 51{{$}}
# CHECK-NEXT: total parameters: 105{{$}}

# MLIR:      csc.param "a.threshold" {init = "zeros"} : tensor<7xf32>
# MLIR:      csc.param "b.threshold" {init = "zeros"} : tensor<5xf32>
# MLIR-NOT:  "c.threshold"
# MLIR:      %[[S:.*]] = csc.param "c.step"
# MLIR-NEXT: csc.pursuit %{{.*}}, %{{.*}} step %[[S]] {
