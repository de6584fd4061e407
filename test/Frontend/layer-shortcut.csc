# shortcut(NAME, channels, stride): the parameter-free ResNet shortcut
# (option A) applied to the named tensor, not the current one: subsample by
# 'stride' (ceil(H / stride)), zero-pad to 'channels'.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model shortcuts {
  input [3, 9, 9];
  x = conv(4, 1);
  conv(2, 1);
  shortcut(x, 4, 1);          # identity-like
  shortcut(x, 10, 2);         # [10, 5, 5]
  s = shortcut(input, 3, 3);  # [3, 3, 3]
  conv(1, 1);                 # consumes the last shortcut
}

# CHECK:      0 x conv [4, 9, 9] - 16{{$}}
# CHECK-NEXT: 1 conv1 conv [2, 9, 9] - 10{{$}}
# CHECK-NEXT: 2 shortcut2 shortcut [4, 9, 9] - 0{{$}}
# CHECK-NEXT: 3 shortcut3 shortcut [10, 5, 5] - 0{{$}}
# CHECK-NEXT: 4 s shortcut [3, 3, 3] - 0{{$}}
# CHECK-NEXT: 5 conv5 conv [1, 3, 3] - 4{{$}}
# CHECK-NEXT: total parameters: 30{{$}}

# MLIR:      %[[X:.*]] = csc.conv %arg0
# MLIR:      csc.shortcut %[[X]] {channels = 4 : i64, stride = 1 : i64} : (tensor<?x4x9x9xf32>) -> tensor<?x4x9x9xf32>
# MLIR-NEXT: csc.shortcut %[[X]] {channels = 10 : i64, stride = 2 : i64} : (tensor<?x4x9x9xf32>) -> tensor<?x10x5x5xf32>
# MLIR-NEXT: %[[S:.*]] = csc.shortcut %arg0 {channels = 3 : i64, stride = 3 : i64} : (tensor<?x3x9x9xf32>) -> tensor<?x3x3x3xf32>
# MLIR:      csc.conv %[[S]]
