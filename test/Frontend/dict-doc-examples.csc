# The dictionary examples of docs/language.md: ML-CSC, MSD-CSC, two
# dilations without identity, and a bottleneck.
# RUN: cscc summary %s | FileCheck %s

model doc_dicts {
  input [16, 8, 8];
  pursuit([conv(64, 3, padding = 1)]);
  pursuit([identity, conv(32, 3, dilation = 2, padding = 2)]);
  pursuit([conv(16, 3, dilation = 1, padding = 1), conv(16, 3, dilation = 3, padding = 3)]);
  pursuit([identity, conv(64, 1) >> conv(16, 3, padding = 1)]);
}

# 64*16*9 = 9216 + 1 + 64.
# CHECK:      0 pursuit0 pursuit/ista [64, 8, 8] 64 9281{{$}}
# 32*64*9 = 18432 + 1 + 96.
# CHECK-NEXT: 1 pursuit1 pursuit/ista [96, 8, 8] 96 18529{{$}}
# 2 * 16*96*9 = 27648 + 1 + 32.
# CHECK-NEXT: 2 pursuit2 pursuit/ista [32, 8, 8] 32 27681{{$}}
# 64*32 + 16*64*9 = 2048 + 9216 = 11264 + 1 + 48.
# CHECK-NEXT: 3 pursuit3 pursuit/ista [48, 8, 8] 48 11313{{$}}
# CHECK-NEXT: total parameters: 66804{{$}}
