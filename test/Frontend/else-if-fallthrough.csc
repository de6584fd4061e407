# The final 'else' of an 'else if' chain runs when no condition holds.
# RUN: cscc summary %s -D mode=7 | FileCheck %s

param mode = 0;

model chain {
  input [1, 2, 2];
  if mode == 0 { conv(10, 1); }
  else if mode == 1 { conv(11, 1); }
  else { conv(13, 1); }
}

# CHECK:      0 conv0 conv [13, 2, 2] - 26{{$}}
# CHECK-NEXT: total parameters: 26{{$}}
