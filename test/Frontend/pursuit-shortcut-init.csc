# init = shortcut(NAME, channels, stride) warm-starts from NAME subsampled by
# 'stride' and zero-padded to 'channels' (ResNet option A), for a pursuit
# whose code is smaller and wider than NAME. The shortcut has no parameters.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model warm_shortcut {
  input [4, 8, 8];
  x = conv(4, 3, padding = 1);
  pursuit([conv(8, 3, stride = 2, padding = 1)], init = shortcut(x, 8, 2), gram = learned);
  pursuit([conv(8, 3, padding = 1)], init = shortcut(input, 8, 2));
}

# conv: 4*4*9 + 4 = 148. Pursuits: 8*4*9 = 288 + 1 + 8 + 1 (gram), and
# 8*8*9 = 576 + 1 + 8.
# CHECK:      0 x conv [4, 8, 8] - 148{{$}}
# CHECK-NEXT: 1 pursuit1 pursuit/ista [8, 4, 4] 8 298{{$}}
# CHECK-NEXT: 2 pursuit2 pursuit/ista [8, 4, 4] 8 585{{$}}
# CHECK-NEXT: total parameters: 1031{{$}}

# MLIR:      %[[X:.*]] = csc.conv %arg0
# MLIR:      %[[S:.*]] = csc.shortcut %[[X]] {channels = 8 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x8x4x4xf32>
# MLIR:      %[[P:.*]] = csc.pursuit %[[X]], %{{.*}} init %[[S]] gram %{{.*}} {{{.*}}gram = #csc<gram learned>
# MLIR:      %[[S2:.*]] = csc.shortcut %arg0 {channels = 8 : i64, stride = 2 : i64} : (tensor<?x4x8x8xf32>) -> tensor<?x8x4x4xf32>
# MLIR-NEXT: csc.pursuit %[[P]], %{{.*}} init %[[S2]]
