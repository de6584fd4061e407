# solver = ista / fista and unfold = N (iterations after the first step).
# The summary kind shows solver and unfold ("pursuit/fistax2"); unfolding
# shares the dictionary, so the parameter count does not change.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR
# RUN: cscc summary %s -D n=5 | FileCheck %s --check-prefix=N5

param n = 2;

model solvers {
  input [2, 4, 4];
  pursuit([conv(3, 1)], unfold = 0);
  pursuit([conv(2, 1)], unfold = 1);
  pursuit([conv(3, 1)], solver = fista, unfold = n);
  pursuit([conv(2, 1)], solver = ista, unfold = 3);
  pursuit([conv(3, 1)], solver = fista);
}

# 6+1+3 = 10; 6+1+2 = 9; 6+1+3 = 10; 6+1+2 = 9; 6+1+3 = 10.
# CHECK:      0 pursuit0 pursuit/ista [3, 4, 4] 3 10{{$}}
# CHECK-NEXT: 1 pursuit1 pursuit/istax1 [2, 4, 4] 2 9{{$}}
# CHECK-NEXT: 2 pursuit2 pursuit/fistax2 [3, 4, 4] 3 10{{$}}
# CHECK-NEXT: 3 pursuit3 pursuit/istax3 [2, 4, 4] 2 9{{$}}
# CHECK-NEXT: 4 pursuit4 pursuit/fista [3, 4, 4] 3 10{{$}}
# CHECK-NEXT: total parameters: 48{{$}}

# N5: 2 pursuit2 pursuit/fistax5 [3, 4, 4] 3 10{{$}}
# N5: total parameters: 48{{$}}

# MLIR:     csc.pursuit {{.*}}solver = #csc<solver ista>, unfold = 0 : i64}
# MLIR:     csc.pursuit {{.*}}solver = #csc<solver ista>, unfold = 1 : i64}
# MLIR:     csc.pursuit {{.*}}solver = #csc<solver fista>, unfold = 2 : i64}
# MLIR:     csc.pursuit {{.*}}solver = #csc<solver ista>, unfold = 3 : i64}
# MLIR:     csc.pursuit {{.*}}solver = #csc<solver fista>, unfold = 0 : i64}
