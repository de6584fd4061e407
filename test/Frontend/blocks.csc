# 'block NAME(ARGS) { ... }' is a reusable piece of network; a call expands
# its statements in place. Arguments may be positional or named and may
# have defaults; a word argument (such as a prox name) is passed through.
# Layers inside get the call's name as a prefix: NAMEk, k counting every
# call of that block so far, or the name the call is given ('s = unit(...)').
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

block unit(ch, stride = 1, p = relu) {
  conv(ch, 3, stride = stride, padding = 1);
  y = pursuit([conv(ch, 1)], prox = p, unfold = 1);
}

block tail() {
  global_avgpool;
  linear(3);
}

model blocks {
  input [2, 8, 8];
  unit(4);
  s = unit(stride = 2, ch = 6, p = soft);
  unit(6, 1);
  tail();
}

# CHECK:      0 unit0.conv0 conv [4, 8, 8] - 76{{$}}
# CHECK-NEXT: 1 unit0.y pursuit/istax1 [4, 8, 8] 4 21{{$}}
# CHECK-NEXT: 2 s.conv2 conv [6, 4, 4] - 222{{$}}
# CHECK-NEXT: 3 s.y pursuit/istax1 [6, 4, 4] 6 43{{$}}
# CHECK-NEXT: 4 unit2.conv4 conv [6, 4, 4] - 330{{$}}
# CHECK-NEXT: 5 unit2.y pursuit/istax1 [6, 4, 4] 6 43{{$}}
# CHECK-NEXT: 6 tail0.global_avgpool6 global_avgpool [6, 1, 1] - 0{{$}}
# CHECK-NEXT: 7 tail0.linear7 linear [3, 1, 1] - 21{{$}}
# CHECK-NEXT: total parameters: 756{{$}}

# The word argument reaches the pursuit of the second call only.
# MLIR:      csc.pursuit {{.*}}prox = #csc<prox relu>
# MLIR-NEXT: csc.param "s.conv2.weight"
# MLIR:      csc.pursuit {{.*}}prox = #csc<prox soft>
# MLIR-NEXT: csc.param "unit2.conv4.weight"
# MLIR:      csc.pursuit {{.*}}prox = #csc<prox relu>
