# 'stack(...) { DICT; DICT; ... }' is a stacked pursuit: level i's signal is
# level i-1's code, its output is the top code. The body lists dictionaries
# (literal or named) and may use 'for', 'if' and 'let'. Parameters add up
# per level: filters + step 1 + threshold K_i. A stack without options may
# drop the parentheses.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

param k = 2;
dict level(i) = [identity, conv(k, 3, dilation = i + 1, padding = same)];

model stacked {
  input [3, 8, 8];
  s = stack(unfold = 1) {
    [conv(4, 3, padding = 1)];              # 3 -> 4
    for i in 0..2 { level(i); }             # 4 -> 6 -> 8
    let big = 1;
    if big { [identity, conv(3, 1)]; }      # 8 -> 11
    else { [conv(1, 1)]; }
  }
  t = stack { [conv(5, 1)]; }
}

# level 1: 4*3*9 = 108 + 1 + 4 = 113; level 2: 2*4*9 = 72 + 1 + 6 = 79;
# level 3: 2*6*9 = 108 + 1 + 8 = 117; level 4: 3*8 = 24 + 1 + 11 = 36.
# CHECK:      0 s stack/istax1 [11, 8, 8] 11 345{{$}}
# 5*11 = 55 + 1 + 5.
# CHECK-NEXT: 1 t stack/ista [5, 8, 8] 5 61{{$}}
# CHECK-NEXT: total parameters: 406{{$}}

# MLIR:      -> !csc.dict<3 -> 4>
# MLIR:      csc.conv_atom {{.*}} {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<2x4x3x3xf32> -> <4 -> 2>
# MLIR:      -> !csc.dict<4 -> 6>
# MLIR:      csc.conv_atom {{.*}} {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<2x6x3x3xf32> -> <6 -> 2>
# MLIR:      -> !csc.dict<6 -> 8>
# MLIR:      -> !csc.dict<8 -> 11>
# MLIR:      %[[S:.*]] = csc.stacked_pursuit %arg0 dicts(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) steps({{.*}}) thresholds({{.*}}) {bn = #csc<bn none>, bn_affine = #csc<bn_affine shared>, prox = #csc<prox relu>, solver = #csc<solver ista>, unfold = 1 : i64} : (tensor<?x3x8x8xf32>, !csc.dict<3 -> 4>, !csc.dict<4 -> 6>, !csc.dict<6 -> 8>, !csc.dict<8 -> 11>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<4xf32>, tensor<6xf32>, tensor<8xf32>, tensor<11xf32>) -> tensor<?x11x8x8xf32>
# MLIR:      csc.stacked_pursuit %[[S]] dicts(%{{.*}}) steps(%{{.*}}) thresholds(%{{.*}}) {{.*}}unfold = 0 : i64} : {{.*}} -> tensor<?x5x8x8xf32>
