# 'for I in A..B { ... }' runs with I = A, A+1, ..., B-1; it is empty when
# B <= A. Bounds are expressions; loops nest. The loop variable is local to
# the loop body.
# RUN: cscc summary %s | FileCheck %s

param n = 3;

model loops {
  input [1, 8, 8];
  for i in 0..n { conv(i + 1, 1); }       # 1, 2, 3 channels
  for i in 5..5 { conv(99, 1); }          # empty
  for i in 2..1 { conv(99, 1); }          # empty
  for i in n - 1..n + 1 {                 # i = 2, 3
    for j in 0..i { conv(10 * i + j, 1); }  # 20 21, 30 31 32
  }
  for i in -2..0 { conv(i + 50, 1); }     # 48, 49
}

# CHECK:      0 conv0 conv [1, 8, 8]
# CHECK-NEXT: 1 conv1 conv [2, 8, 8]
# CHECK-NEXT: 2 conv2 conv [3, 8, 8]
# CHECK-NEXT: 3 conv3 conv [20, 8, 8]
# CHECK-NEXT: 4 conv4 conv [21, 8, 8]
# CHECK-NEXT: 5 conv5 conv [30, 8, 8]
# CHECK-NEXT: 6 conv6 conv [31, 8, 8]
# CHECK-NEXT: 7 conv7 conv [32, 8, 8]
# CHECK-NEXT: 8 conv8 conv [48, 8, 8]
# CHECK-NEXT: 9 conv9 conv [49, 8, 8]
# CHECK-NEXT: total parameters:
