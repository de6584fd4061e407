# An 'identity' block passes the signal into the code: it adds C_in code
# channels and no filters. With threshold = conv_channels its channels get no
# learned threshold.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model identities {
  input [5, 6, 6];
  pursuit([identity]);                              # 5 channels
  pursuit([identity, conv(3, 3, padding = 1)]);     # 5 + 3
  pursuit([conv(2, 1), identity, identity]);        # 2 + 8 + 8
  pursuit([identity, conv(4, 1)], threshold = conv_channels);   # 18 + 4
}

# step 1 + threshold 5.
# CHECK:      0 pursuit0 pursuit/ista [5, 6, 6] 5 6{{$}}
# 3*5*9 = 135 + 1 + 8.
# CHECK-NEXT: 1 pursuit1 pursuit/ista [8, 6, 6] 8 144{{$}}
# 2*8 = 16 + 1 + 18.
# CHECK-NEXT: 2 pursuit2 pursuit/ista [18, 6, 6] 18 35{{$}}
# 4*18 = 72 + 1 + 4 (conv channels only).
# CHECK-NEXT: 3 pursuit3 pursuit/ista [22, 6, 6] 22 77{{$}}
# CHECK-NEXT: total parameters: 262{{$}}

# MLIR:      %[[I0:.*]] = csc.identity : <5 -> 5>
# MLIR-NEXT: csc.vstack %[[I0]] : (!csc.dict<5 -> 5>) -> !csc.dict<5 -> 5>
# MLIR:      csc.vstack {{.*}} : (!csc.dict<5 -> 5>, !csc.dict<5 -> 3>) -> !csc.dict<5 -> 8>
# MLIR:      csc.vstack {{.*}} : (!csc.dict<8 -> 2>, !csc.dict<8 -> 8>, !csc.dict<8 -> 8>) -> !csc.dict<8 -> 18>
# MLIR:      csc.param "pursuit3.threshold" {init = "zeros"} : tensor<4xf32>
