# 'penalty l1(NAME, WEIGHT);' adds WEIGHT * ||NAME||_1 to the loss for the
# code that NAME names; several penalties add up with the cross entropy.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

param beta = 0.001;

model penalised {
  input [1, 4, 4];
  g1 = pursuit([conv(4, 3, padding = 1)]);
  g2 = pursuit([identity, conv(2, 3, padding = 1)]);
  global_avgpool;
  linear(3);
  loss cross_entropy;
  penalty l1(g1, 1e-4);
  penalty l1(g2, 2 * beta);
}

# CHECK:      loss: cross_entropy{{$}}
# CHECK-NEXT: penalty: l1(g1, 0.0001){{$}}
# CHECK-NEXT: penalty: l1(g2, 0.002){{$}}
# Penalties add no parameters: 36+1+4, 72+1+6, 18+3.
# CHECK-NEXT: total parameters: 141{{$}}

# MLIR:      %[[G1:.*]] = csc.pursuit %arg0
# MLIR:      %[[G2:.*]] = csc.pursuit %[[G1]]
# MLIR:      %[[CE:.*]] = csc.cross_entropy
# MLIR-NEXT: %[[P1:.*]] = csc.l1_penalty %[[G1]] {weight = 1.000000e-04 : f64} : (tensor<?x4x4x4xf32>) -> tensor<f32>
# MLIR-NEXT: %[[P2:.*]] = csc.l1_penalty %[[G2]] {weight = 2.000000e-03 : f64} : (tensor<?x6x4x4xf32>) -> tensor<f32>
# MLIR-NEXT: %[[T:.*]] = csc.total_loss %[[CE]], %[[P1]], %[[P2]]
# MLIR-NEXT: return {{.*}}, %[[T]]
