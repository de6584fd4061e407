# 'let NAME = EXPR;' binds a local number. It is visible in the statements
# after it, in nested loops and conditionals, and it may shadow a parameter.
# A 'let' inside a loop body is fresh in every iteration.
# RUN: cscc summary %s | FileCheck %s

param w = 3;

model lets {
  input [1, 4, 4];
  let a = w * 2;          # 6
  conv(a, 1);
  let w = 5;              # shadows the parameter from here on
  conv(w + a, 1);         # 11
  for i in 0..2 {
    let b = a + i * 10;   # 6, then 16
    conv(b, 1);
  }
  let half = 0.5;         # a real binding
  conv(half * 8, 1);      # 4
}

# CHECK:      parameters: w=3{{$}}
# CHECK:      0 conv0 conv [6, 4, 4] - 12{{$}}
# CHECK-NEXT: 1 conv1 conv [11, 4, 4] - 77{{$}}
# CHECK-NEXT: 2 conv2 conv [6, 4, 4] - 72{{$}}
# CHECK-NEXT: 3 conv3 conv [16, 4, 4] - 112{{$}}
# CHECK-NEXT: 4 conv4 conv [4, 4, 4] - 68{{$}}
