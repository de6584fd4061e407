# prox = hard (the l0 proximal map z*1[|z| > b]) is accepted by pursuit and
# stack and, like relu and soft, adds no parameters; it reaches the csc
# dialect as its enum, and every threshold of the unfolding is a hard one:
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc --emit=ast %s | FileCheck %s --check-prefix=AST
# A word passed through a block argument works as written in place:
# RUN: cscc summary %s -D use_block=1 | FileCheck %s --check-prefix=BLOCK

param use_block = 0;

block level(p) {
  pursuit([conv(3, 1)], prox = p);
}

model hard {
  input [2, 4, 4];
  if use_block { level(hard); } else { pursuit([conv(3, 1)], prox = hard); }
  pursuit([identity, conv(2, 1)], prox = hard, solver = fista, unfold = 2,
          threshold = conv_channels);
  stack(prox = hard, unfold = 1) {
    [conv(4, 1)];
    [identity, conv(2, 1)];
  }
}

# 3*2 + 1 + 3 = 10; 2*3 + 1 + 2 = 9; (4*5 + 1 + 4) + (2*4 + 1 + 6) = 40.
# CHECK:      0 pursuit0 pursuit/ista [3, 4, 4] 3 10{{$}}
# CHECK-NEXT: 1 pursuit1 pursuit/fistax2 [5, 4, 4] 5 9{{$}}
# CHECK-NEXT: 2 stack2 stack/istax1 [6, 4, 4] 6 40{{$}}
# CHECK-NEXT: total parameters: 59{{$}}

# AST:      Layer level(hard) <17:18>
# AST:      Layer pursuit([conv(3, 1)], prox = hard) <17:40>
# AST:      Layer pursuit([identity, conv(2, 1)], prox = hard, solver = fista, unfold = 2, threshold = conv_channels) <18:3>
# AST:      Layer stack(prox = hard, unfold = 1) <20:3>

# BLOCK:      0 level0.pursuit0 pursuit/ista [3, 4, 4] 3 10{{$}}
# BLOCK-NEXT: 1 pursuit1 pursuit/fistax2 [5, 4, 4] 5 9{{$}}
# BLOCK:      total parameters: 59{{$}}

# RUN: cscc --emit=mlir %s | FileCheck %s --check-prefix=MLIR
# RUN: cscc --emit=cst %s | FileCheck %s --check-prefix=CST
# MLIR-COUNT-3: prox = #csc<prox hard>
# MLIR-NOT: prox = #csc<prox
# 1 + 3 pursuit iterations, and 2 levels x 2 sweeps of the stack.
# CST-COUNT-8: kind = #cst<threshold hard>
# CST-NOT: kind = #cst<threshold
