# Composition 'A >> B' (double sparsity): D^T X = B(A(X)); the block gives
# the code channels of B and holds the filters of both. Chains are
# left-to-right and may sit next to identity blocks.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

dict bottleneck(mid, out) = [identity, conv(mid, 1) >> conv(out, 3, padding = 1)];

model composed {
  input [8, 8, 8];
  pursuit(bottleneck(4, 2));                                 # 8 + 2
  pursuit([conv(6, 1) >> conv(5, 3, stride = 2, padding = 1) >> conv(3, 1)]);
}

# 4*8 + 2*4*9 = 32 + 72 = 104 + 1 + 10.
# CHECK:      0 pursuit0 pursuit/ista [10, 8, 8] 10 115{{$}}
# 6*10 + 5*6*9 + 3*5 = 60 + 270 + 15 = 345 + 1 + 3; the strided conv halves
# the size.
# CHECK-NEXT: 1 pursuit1 pursuit/ista [3, 4, 4] 3 349{{$}}
# CHECK-NEXT: total parameters: 464{{$}}

# MLIR:      %[[A:.*]] = csc.conv_atom {{.*}} : tensor<4x8x1x1xf32> -> <8 -> 4>
# MLIR:      %[[B:.*]] = csc.conv_atom {{.*}} : tensor<2x4x3x3xf32> -> <4 -> 2>
# MLIR-NEXT: %[[AB:.*]] = csc.compose %[[A]], %[[B]] : <8 -> 4>, <4 -> 2> -> <8 -> 2>
# MLIR-NEXT: csc.vstack %{{.*}}, %[[AB]] : (!csc.dict<8 -> 8>, !csc.dict<8 -> 2>) -> !csc.dict<8 -> 10>
# MLIR:      %[[C1:.*]] = csc.compose {{.*}} : <10 -> 6>, <6 -> 5> -> <10 -> 5>
# MLIR:      %[[C2:.*]] = csc.compose %[[C1]], {{.*}} : <10 -> 5>, <5 -> 3> -> <10 -> 3>
# MLIR-NEXT: csc.vstack %[[C2]] : (!csc.dict<10 -> 3>) -> !csc.dict<10 -> 3>
