# A stack's body runs the same statements as a model's body (one
# interpreter): 'let', 'for' and 'if' work as there. In particular 'if'
# opens no scope, so a name defined in the branch taken stays visible after
# it, in a stack as in a model (docs/language.md). Each dictionary sees the
# names visible where it is listed.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc summary %s -D wide=0 | FileCheck %s --check-prefix=NARROW

param wide = 1;

model body {
  input [2, 4, 4];
  if wide { let w = 4; } else { let w = 2; }
  s = stack {
    if wide { let k = 3; } else { let k = 1; }
    [conv(k, 1)];                       # 2 -> k
    let k = k + 1;
    for i in 0..2 { [identity, conv(k + i, 1)]; }
  }
  conv(w, 1);
}

# wide: k = 3: 3*2 + 1 + 3 = 10; k = 4: 4*3 + 1 + 7 = 20; k + 1 = 5:
# 5*7 + 1 + 12 = 48.
# CHECK:      0 s stack/ista [12, 4, 4] 12 78{{$}}
# CHECK-NEXT: 1 conv1 conv [4, 4, 4] - 52{{$}}

# narrow: k = 1: 2 + 1 + 1 = 4; k = 2: 2 + 1 + 3 = 6; 3: 3*3 + 1 + 6 = 16.
# NARROW:      0 s stack/ista [6, 4, 4] 6 26{{$}}
# NARROW-NEXT: 1 conv1 conv [2, 4, 4] - 14{{$}}
