# 'if COND { ... } else { ... }' with 'else if' chains; any nonzero number is
# true. Only the taken branch is elaborated.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc summary %s -D mode=0 | FileCheck %s --check-prefix=MODE0
# RUN: cscc summary %s -D mode=2 | FileCheck %s --check-prefix=MODE2

param mode = 1;

model conditionals {
  input [1, 4, 4];
  if mode == 0 {
    conv(10, 1);
  } else if mode == 1 {
    conv(11, 1);
  } else if mode == 2 {
    conv(12, 1);
  } else {
    conv(13, 1);
  }
  if mode { relu; }                 # no else
  if 0 { conv(99, 1); } else { bn; }
  for i in 0..4 {
    if i % 2 == 1 && i > 1 { maxpool(2); }
  }
}

# CHECK:      0 conv0 conv [11, 4, 4]
# CHECK-NEXT: 1 relu1 relu [11, 4, 4]
# CHECK-NEXT: 2 bn2 bn [11, 4, 4]
# CHECK-NEXT: 3 maxpool3 maxpool [11, 2, 2]
# CHECK-NEXT: total parameters: 44{{$}}

# MODE0:      0 conv0 conv [10, 4, 4]
# MODE0-NEXT: 1 bn1 bn [10, 4, 4]
# MODE0-NEXT: 2 maxpool2 maxpool [10, 2, 2]
# MODE0-NEXT: total parameters: 40{{$}}

# MODE2:      0 conv0 conv [12, 4, 4]
# MODE2-NEXT: 1 relu1 relu [12, 4, 4]
