# The complete model of docs/language.md, verbatim, with its parameter count
# worked out by hand from the rules of the "Parameter counts" section.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

# A small MSD-CSC for 28x28 grey images (Fashion-MNIST).
param d = 6;        # dictionary layers
param w = 16;       # new code channels per layer
param unfold = 1;   # ISTA unfoldings per layer

# MSD dictionary: D^T X = concat(X, F X), F a dilated 3x3 convolution.
dict msd(s) = [identity, conv(w, 3, dilation = s, padding = s)];

model msd_csc_small {
  input [1, 28, 28];
  conv(16, 3, padding = 1); bn; relu;
  for i in 0..d {
    pursuit(msd(i % 3 + 1), unfold = unfold, bn = prox);
    if i == d / 2 - 1 { maxpool(2); }
  }
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

train {
  data = fashion_mnist;
  optimizer = sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 5e-4);
  schedule = cosine;
  epochs = 3;
  batch = 128;
  seed = 1;
}

# Pursuit layer i reads C = 16 + 16 i channels and has K = C + 16:
# 16 * C * 9 filters + 1 step + K thresholds + 2 K batch-norm parameters.
# CHECK:      parameters: d=6 w=16 unfold=1{{$}}
# CHECK:      0 conv0 conv [16, 28, 28] - 160{{$}}
# CHECK-NEXT: 1 bn1 bn [16, 28, 28] - 32{{$}}
# CHECK-NEXT: 2 relu2 relu [16, 28, 28] - 0{{$}}
# CHECK-NEXT: 3 pursuit3 pursuit/istax1 [32, 28, 28] 32 2401{{$}}
# CHECK-NEXT: 4 pursuit4 pursuit/istax1 [48, 28, 28] 48 4753{{$}}
# CHECK-NEXT: 5 pursuit5 pursuit/istax1 [64, 28, 28] 64 7105{{$}}
# CHECK-NEXT: 6 maxpool6 maxpool [64, 14, 14] - 0{{$}}
# CHECK-NEXT: 7 pursuit7 pursuit/istax1 [80, 14, 14] 80 9457{{$}}
# CHECK-NEXT: 8 pursuit8 pursuit/istax1 [96, 14, 14] 96 11809{{$}}
# CHECK-NEXT: 9 pursuit9 pursuit/istax1 [112, 14, 14] 112 14161{{$}}
# CHECK-NEXT: 10 global_avgpool10 global_avgpool [112, 1, 1] - 0{{$}}
# CHECK-NEXT: 11 linear11 linear [10, 1, 1] - 1130{{$}}
# CHECK-NEXT: loss: cross_entropy{{$}}
# CHECK-NEXT: total parameters: 51008{{$}}

# Dilations cycle 1, 2, 3, 1, 2, 3.
# MLIR: csc.conv_atom {{.*}}{dilation = 1 : i64, padding = 1 : i64{{.*}} -> <16 -> 16>
# MLIR: csc.conv_atom {{.*}}{dilation = 2 : i64, padding = 2 : i64{{.*}} -> <32 -> 16>
# MLIR: csc.conv_atom {{.*}}{dilation = 3 : i64, padding = 3 : i64{{.*}} -> <48 -> 16>
# MLIR: csc.conv_atom {{.*}}{dilation = 1 : i64, padding = 1 : i64{{.*}} -> <64 -> 16>
# MLIR: csc.conv_atom {{.*}}{dilation = 2 : i64, padding = 2 : i64{{.*}} -> <80 -> 16>
# MLIR: csc.conv_atom {{.*}}{dilation = 3 : i64, padding = 3 : i64{{.*}} -> <96 -> 16>
