# Integer expressions: + - * / % with the usual precedence, parentheses,
# unary minus and '!', comparisons, && and ||, min/max, true/false. Each
# value below becomes the channel count of a 1x1 conv, which the summary
# shows in the conv's output shape.
# RUN: cscc summary %s | FileCheck %s

param p = 2 + 3 * 4;            # 14: '*' before '+'
param r = 1.5;

model expressions {
  input [1, 2, 2];
  conv(p, 1);                   # 14
  conv((2 + 3) * 4, 1);         # 20
  conv(20 - 4 - 3, 1);          # 13: left-associative
  conv(100 / 10 / 2, 1);        # 5: left-associative
  conv(17 % 5 + 7 / 2, 1);      # 2 + 3 = 5
  conv(-7 / 2 + 10, 1);         # -3 + 10 = 7: division rounds toward zero
  conv(-7 % 3 + 10, 1);         # -1 + 10 = 9: remainder takes the sign of -7
  conv(- -3, 1);                # 3
  conv(min(4, 9) + max(4, 9), 1);                     # 13
  conv(1 + (3 < 4) + (4 <= 4) + (5 > 4) + (4 >= 5), 1);  # 1+1+1+1+0 = 4
  conv(1 + (3 == 3) + (3 != 3) + !0 + !7, 1);            # 1+1+0+1+0 = 3
  conv(1 + (1 || 0 && 0), 1);   # && binds tighter than ||: 1 + 1 = 2
  conv(1 + (0 && 1 || 1), 1);   # 2
  conv(true + true + false, 1); # 2
  conv(1 + 2 * 3 - 4 / 2 % 3, 1);   # 1 + 6 - (2 % 3) = 5
  conv(r * 4, 1);               # 6.0 is an integer value
  conv(10 - 2 - -2 * 3, 1);     # 14
}

# CHECK:      parameters: p=14 r=1.5{{$}}
# CHECK:      0 conv0 conv [14, 2, 2] -
# CHECK-NEXT: 1 conv1 conv [20, 2, 2] -
# CHECK-NEXT: 2 conv2 conv [13, 2, 2] -
# CHECK-NEXT: 3 conv3 conv [5, 2, 2] -
# CHECK-NEXT: 4 conv4 conv [5, 2, 2] -
# CHECK-NEXT: 5 conv5 conv [7, 2, 2] -
# CHECK-NEXT: 6 conv6 conv [9, 2, 2] -
# CHECK-NEXT: 7 conv7 conv [3, 2, 2] -
# CHECK-NEXT: 8 conv8 conv [13, 2, 2] -
# CHECK-NEXT: 9 conv9 conv [4, 2, 2] -
# CHECK-NEXT: 10 conv10 conv [3, 2, 2] -
# CHECK-NEXT: 11 conv11 conv [2, 2, 2] -
# CHECK-NEXT: 12 conv12 conv [2, 2, 2] -
# CHECK-NEXT: 13 conv13 conv [2, 2, 2] -
# CHECK-NEXT: 14 conv14 conv [5, 2, 2] -
# CHECK-NEXT: 15 conv15 conv [6, 2, 2] -
# CHECK-NEXT: 16 conv16 conv [14, 2, 2] -
