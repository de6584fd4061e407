# init = NAME warm-starts a pursuit from a named tensor of the code's shape
# (Res-CSC). gram = on / off / learned sets the coefficient of D^T D G0
# (learned adds one parameter), keep_init = true / false keeps the + G0 term.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model warm {
  input [4, 6, 6];
  g0 = pursuit([conv(4, 3, padding = 1)]);
  a = pursuit([conv(4, 3, padding = 1)], init = g0);
  b = pursuit([conv(4, 3, padding = 1)], init = g0, gram = off);
  c = pursuit([conv(4, 3, padding = 1)], init = a, gram = learned);
  d = pursuit([conv(4, 3, padding = 1)], init = b, gram = learned, keep_init = false);
  e = pursuit([conv(4, 3, padding = 1)], init = input, gram = on, keep_init = true);
}

# Every layer: 4*4*9 = 144 + 1 + 4 = 149; gram = learned adds 1.
# CHECK:      0 g0 pursuit/ista [4, 6, 6] 4 149{{$}}
# CHECK-NEXT: 1 a pursuit/ista [4, 6, 6] 4 149{{$}}
# CHECK-NEXT: 2 b pursuit/ista [4, 6, 6] 4 149{{$}}
# CHECK-NEXT: 3 c pursuit/ista [4, 6, 6] 4 150{{$}}
# CHECK-NEXT: 4 d pursuit/ista [4, 6, 6] 4 150{{$}}
# CHECK-NEXT: 5 e pursuit/ista [4, 6, 6] 4 149{{$}}
# CHECK-NEXT: total parameters: 896{{$}}

# MLIR:      %[[G0:.*]] = csc.pursuit %arg0, {{.*}}gram = #csc<gram on>, keep_init = true
# MLIR:      %[[A:.*]] = csc.pursuit %[[G0]], %{{.*}} init %[[G0]] {{{.*}}gram = #csc<gram on>, keep_init = true
# MLIR:      %[[B:.*]] = csc.pursuit %[[A]], %{{.*}} init %[[G0]] {{{.*}}gram = #csc<gram off>, keep_init = true
# MLIR:      %[[GC:.*]] = csc.param "c.gram" {init = "zeros", step} : tensor<1xf32>
# MLIR-NEXT: %[[C:.*]] = csc.pursuit %[[B]], %{{.*}} init %[[A]] gram %[[GC]] {{{.*}}gram = #csc<gram learned>, keep_init = true
# MLIR:      csc.param "d.gram"
# MLIR-NEXT: %[[D:.*]] = csc.pursuit %[[C]], %{{.*}} init %[[B]] gram %{{.*}} {{{.*}}gram = #csc<gram learned>, keep_init = false
# MLIR:      csc.pursuit %[[D]], %{{.*}} init %arg0 {{{.*}}gram = #csc<gram on>, keep_init = true
