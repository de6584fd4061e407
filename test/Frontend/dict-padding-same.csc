# 'padding = same' picks dilation * (kernel - 1) / 2, so a stride-1 block
# keeps the spatial size (and can sit next to an identity block).
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model same_padding {
  input [2, 9, 9];
  pursuit([identity, conv(2, 3, padding = same)]);
  pursuit([identity, conv(2, 5, dilation = 3, padding = same)]);
  pursuit([identity, conv(2, 1, padding = same)]);
  conv(4, 7, dilation = 2, padding = same);     # also for conv layers
  pursuit([conv(2, 3, stride = 2, padding = same)]);
}

# CHECK:      0 pursuit0 pursuit/ista [4, 9, 9]
# CHECK-NEXT: 1 pursuit1 pursuit/ista [6, 9, 9]
# CHECK-NEXT: 2 pursuit2 pursuit/ista [8, 9, 9]
# CHECK-NEXT: 3 conv3 conv [4, 9, 9]
# CHECK-NEXT: 4 pursuit4 pursuit/ista [2, 5, 5]

# MLIR:      csc.conv_atom {{.*}} {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : tensor<2x2x3x3xf32>
# MLIR:      csc.conv_atom {{.*}} {dilation = 3 : i64, padding = 6 : i64, stride = 1 : i64} : tensor<2x4x5x5xf32>
# MLIR:      csc.conv_atom {{.*}} {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<2x6x1x1xf32>
# MLIR:      csc.conv {{.*}} {dilation = 2 : i64, padding = 6 : i64, stride = 1 : i64}
# MLIR:      csc.conv_atom {{.*}} {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : tensor<2x4x3x3xf32>
