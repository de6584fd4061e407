# Blocks calling blocks: prefixes nest (outer.inner.layer). Inside a block
# 'input' is the tensor entering that block; a tensor can be passed as an
# argument; the name given to a call refers to the block's output
# afterwards. A block argument-free call may omit the parentheses.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

block inner(ch) {
  conv(ch, 1);
  out = shortcut(input, ch + 2, 1);   # input of 'inner', not of 'outer'
}

block outer(ch, skip) {
  conv(ch, 1);
  inner(ch);
  i2 = inner(ch + 2);
  shortcut(skip, 10, 2);
}

block finish() { global_avgpool; }

model nested {
  input [2, 8, 8];
  first = conv(3, 1);
  o = outer(4, first);
  after = shortcut(o, 12, 1);
  finish;
}

# CHECK:      0 first conv [3, 8, 8] - 9{{$}}
# CHECK-NEXT: 1 o.conv1 conv [4, 8, 8] - 16{{$}}
# CHECK-NEXT: 2 o.inner0.conv2 conv [4, 8, 8] - 20{{$}}
# CHECK-NEXT: 3 o.inner0.out shortcut [6, 8, 8] - 0{{$}}
# CHECK-NEXT: 4 o.i2.conv4 conv [6, 8, 8] - 42{{$}}
# CHECK-NEXT: 5 o.i2.out shortcut [8, 8, 8] - 0{{$}}
# CHECK-NEXT: 6 o.shortcut6 shortcut [10, 4, 4] - 0{{$}}
# CHECK-NEXT: 7 after shortcut [12, 4, 4] - 0{{$}}
# CHECK-NEXT: 8 finish0.global_avgpool8 global_avgpool [12, 1, 1] - 0{{$}}
# CHECK-NEXT: total parameters: 87{{$}}

# MLIR:      %[[FIRST:.*]] = csc.conv %arg0
# MLIR:      %[[C1:.*]] = csc.conv %[[FIRST]]
# MLIR:      csc.conv %[[C1]]
# MLIR-NEXT: %[[OUT0:.*]] = csc.shortcut %[[C1]] {channels = 6 : i64, stride = 1 : i64}
# MLIR:      csc.conv %[[OUT0]]
# MLIR-NEXT: csc.shortcut %[[OUT0]] {channels = 8 : i64, stride = 1 : i64}
# MLIR-NEXT: %[[S6:.*]] = csc.shortcut %[[FIRST]] {channels = 10 : i64, stride = 2 : i64}
# MLIR-NEXT: csc.shortcut %[[S6]] {channels = 12 : i64, stride = 1 : i64}
