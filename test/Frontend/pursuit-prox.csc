# prox = relu (non-negative soft threshold) or soft (two-sided); the choice
# adds no parameters.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model proxes {
  input [2, 4, 4];
  pursuit([conv(3, 1)], prox = relu);
  pursuit([conv(3, 1)], prox = soft);
}

# 3*2 + 1 + 3 = 10; 3*3 + 1 + 3 = 13.
# CHECK:      0 pursuit0 pursuit/ista [3, 4, 4] 3 10{{$}}
# CHECK-NEXT: 1 pursuit1 pursuit/ista [3, 4, 4] 3 13{{$}}
# CHECK-NEXT: total parameters: 23{{$}}

# MLIR:     csc.pursuit {{.*}}prox = #csc<prox relu>
# MLIR:     csc.pursuit {{.*}}prox = #csc<prox soft>
