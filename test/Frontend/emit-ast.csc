# --emit=ast prints the parsed syntax tree before elaboration: parameters,
# dictionaries, blocks and models (each with <line:col>), statements nested
# under their loops and conditionals, expressions with binary operations
# parenthesised. Nothing is elaborated: a loop appears once, and -D does not
# change the tree.
# RUN: cscc --emit=ast %s | FileCheck %s --match-full-lines
# RUN: cscc --emit=ast %s -D n=7 | FileCheck %s --match-full-lines
# RUN: cscc summary %s -D n=3 | FileCheck %s --check-prefix=SUM

param n = 2 + 3 * 4;
dict d(s, k = 3) = [identity, conv(8, k, dilation = s, padding = same) >> conv(4, 1)];

block b(c) {
  let x = -c;
  conv(c, 1);
}

model tree {
  input [1, 8, 8];
  for i in 0..n {
    if i % 2 == 0 && !(i > 4) { g = pursuit(d(i + 1), unfold = 1); }
    else if i == 1 { b(3); }
    else { relu; }
  }
  s = stack { [conv(2, 1)]; } global_avgpool;
  loss cross_entropy;
  penalty l1(s, 1e-4);
}

# CHECK:      Module
# CHECK-NEXT:   Param n = (2 + (3 * 4)) <10:7>
# CHECK-NEXT:   Dict d(s, k = 3) = [identity, (conv(8, k, dilation = s, padding = same) >> conv(4, 1))] <11:6>
# CHECK-NEXT:   Block b(c) <13:7>
# CHECK-NEXT:     Let x = -c <14:3>
# CHECK-NEXT:     Layer conv(c, 1) <15:3>
# CHECK-NEXT:   Model tree <18:7>
# CHECK-NEXT:     Input [1, 8, 8] <19:3>
# CHECK-NEXT:     For i in 0 .. n <20:3>
# CHECK-NEXT:       If (((i % 2) == 0) && !(i > 4)) <21:5>
# CHECK-NEXT:         Layer g = pursuit(d((i + 1)), unfold = 1) <21:33>
# CHECK-NEXT:       Else
# CHECK-NEXT:         If (i == 1) <22:10>
# CHECK-NEXT:           Layer b(3) <22:22>
# CHECK-NEXT:         Else
# CHECK-NEXT:           Layer relu <23:12>
# CHECK-NEXT:     Layer s = stack <25:3>
# CHECK-NEXT:       Layer [conv(2, 1)] <25:15>
# CHECK-NEXT:     Layer global_avgpool <25:31>
# CHECK-NEXT:     Loss cross_entropy <26:3>
# CHECK-NEXT:     Penalty l1(s, 1e-4) <27:3>

# The same file elaborated, for comparison (n = 3: i = 0, 1, 2).
# SUM:      0 g.0 pursuit/istax1 [5, 8, 8] 5 110{{$}}
# SUM-NEXT: 1 b0.conv1 conv [3, 8, 8] - 18{{$}}
# SUM-NEXT: 2 g.2 pursuit/istax1 [7, 8, 8] 7 256{{$}}
# SUM-NEXT: 3 s stack/ista [2, 8, 8] 2 17{{$}}
# SUM:      total parameters: 401{{$}}
