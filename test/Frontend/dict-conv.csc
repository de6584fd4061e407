# A conv block of a dictionary: conv(out, kernel, dilation = 1, stride = 1,
# padding = 0, init = kaiming), arguments positional or named. Its code has
# 'out' channels; its filters are out*in*k*k weights (no bias).
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

model conv_blocks {
  input [3, 17, 17];
  pursuit([conv(8, 3)]);                                    # 15x15
  pursuit([conv(4, 3, 2, 1, 2)]);                           # positional: 15x15
  pursuit([conv(6, kernel = 3, stride = 2, padding = 1)]);  # 8x8
  pursuit([conv(5, 2, dilation = 3, init = authors)]);      # 8 - 3 = 5
}

# 8*3*9 = 216 + 1 + 8.
# CHECK:      0 pursuit0 pursuit/ista [8, 15, 15] 8 225{{$}}
# 4*8*9 = 288 + 1 + 4.
# CHECK-NEXT: 1 pursuit1 pursuit/ista [4, 15, 15] 4 293{{$}}
# 6*4*9 = 216 + 1 + 6.
# CHECK-NEXT: 2 pursuit2 pursuit/ista [6, 8, 8] 6 223{{$}}
# 5*6*4 = 120 + 1 + 5.
# CHECK-NEXT: 3 pursuit3 pursuit/ista [5, 5, 5] 5 126{{$}}
# CHECK-NEXT: total parameters: 867{{$}}

# MLIR:      csc.param "pursuit0.dict.0.weight" {init = "kaiming"} : tensor<8x3x3x3xf32>
# MLIR:      csc.conv_atom {{.*}} {dilation = 1 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<8x3x3x3xf32> -> <3 -> 8>
# MLIR:      csc.conv_atom {{.*}} {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<4x8x3x3xf32> -> <8 -> 4>
# MLIR:      csc.conv_atom {{.*}} {dilation = 1 : i64, padding = 1 : i64, stride = 2 : i64} : tensor<6x4x3x3xf32> -> <4 -> 6>
# MLIR:      csc.param "pursuit3.dict.0.weight" {init = "authors"} : tensor<5x6x2x2xf32>
# MLIR:      csc.conv_atom {{.*}} {dilation = 3 : i64, padding = 0 : i64, stride = 1 : i64} : tensor<5x6x2x2xf32> -> <6 -> 5>
# MLIR:      csc.pursuit {{.*}} -> tensor<?x5x5x5xf32>
