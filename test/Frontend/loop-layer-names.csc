# A named layer inside a loop gets one name per iteration (g.0, g.1, ...),
# with one index per enclosing loop. Inside the iteration the plain name
# refers to that iteration's layer.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model loop_names {
  input [2, 4, 4];
  for i in 0..2 {
    g = conv(2, 1);                # reads the current tensor (s.0 in round 2)
    for j in 0..2 { h = conv(2, 1); }
    s = shortcut(g, 3 + i, 1);     # reads g.0, then g.1
  }
  conv(2, 1);                      # an unnamed layer keeps its index name
}

# CHECK:      0 g.0 conv [2, 4, 4] - 6{{$}}
# CHECK-NEXT: 1 h.0.0 conv [2, 4, 4] - 6{{$}}
# CHECK-NEXT: 2 h.0.1 conv [2, 4, 4] - 6{{$}}
# CHECK-NEXT: 3 s.0 shortcut [3, 4, 4] - 0{{$}}
# CHECK-NEXT: 4 g.1 conv [2, 4, 4] - 8{{$}}
# CHECK-NEXT: 5 h.1.0 conv [2, 4, 4] - 6{{$}}
# CHECK-NEXT: 6 h.1.1 conv [2, 4, 4] - 6{{$}}
# CHECK-NEXT: 7 s.1 shortcut [4, 4, 4] - 0{{$}}
# CHECK-NEXT: 8 conv8 conv [2, 4, 4] - 10{{$}}
# CHECK-NEXT: total parameters: 48{{$}}

# The shortcut of each iteration reads that iteration's 'g'.
# MLIR:      csc.param "g.0.weight"
# MLIR:      %[[G0:.*]] = csc.conv %arg0
# MLIR:      csc.param "h.0.0.weight"
# MLIR:      csc.param "h.0.1.weight"
# MLIR:      csc.shortcut %[[G0]] {channels = 3 : i64, stride = 1 : i64}
# MLIR:      csc.param "g.1.weight"
# MLIR:      %[[G1:.*]] = csc.conv
# MLIR:      csc.param "h.1.1.bias"
# MLIR:      csc.shortcut %[[G1]] {channels = 4 : i64, stride = 1 : i64}
# MLIR:      csc.param "conv8.weight" {{.*}} : tensor<2x4x1x1xf32>
