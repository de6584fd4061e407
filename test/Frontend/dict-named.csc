# 'dict NAME(ARGS) = DICT;' names a parameterised dictionary. Arguments may
# be positional or named and may have defaults; a dictionary without
# arguments needs no parentheses. A named dictionary inside a list splices
# its blocks in. Dictionaries see parameters and their own arguments.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc %s | FileCheck %s --check-prefix=MLIR

param w = 4;

dict plain = [conv(w, 3, padding = 1)];
dict msd(s, k = 3) = [identity, conv(w, k, dilation = s, padding = same)];
dict twice(a) = [msd(a), conv(2, 1)];

model named_dicts {
  input [2, 8, 8];
  pursuit(plain);              # 4 channels
  pursuit(msd(2));             # 4 + 4
  pursuit(msd(s = 1, k = 5));  # 8 + 4
  pursuit(twice(3));           # 12 + 4 + 2
}

# plain: 4*2*9 = 72 + step 1 + threshold 4.
# CHECK:      0 pursuit0 pursuit/ista [4, 8, 8] 4 77{{$}}
# msd(2): 4*4*9 = 144 + 1 + 8.
# CHECK-NEXT: 1 pursuit1 pursuit/ista [8, 8, 8] 8 153{{$}}
# msd(1, 5): 4*8*25 = 800 + 1 + 12.
# CHECK-NEXT: 2 pursuit2 pursuit/ista [12, 8, 8] 12 813{{$}}
# twice(3): 4*12*9 + 2*12 = 456 + 1 + 18.
# CHECK-NEXT: 3 pursuit3 pursuit/ista [18, 8, 8] 18 475{{$}}
# CHECK-NEXT: total parameters: 1518{{$}}

# MLIR:      csc.conv_atom {{.*}}{dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<4x4x3x3xf32> -> <4 -> 4>
# MLIR:      csc.conv_atom {{.*}}{dilation = 1 : i64, padding = 2 : i64, stride = 1 : i64} : tensor<4x8x5x5xf32> -> <8 -> 4>
# MLIR:      %[[I:.*]] = csc.identity : <12 -> 12>
# MLIR:      %[[A:.*]] = csc.conv_atom {{.*}}{dilation = 3 : i64, padding = 3 : i64, stride = 1 : i64} : tensor<4x12x3x3xf32> -> <12 -> 4>
# MLIR:      %[[B:.*]] = csc.conv_atom {{.*}} : tensor<2x12x1x1xf32> -> <12 -> 2>
# MLIR:      csc.vstack %[[I]], %[[A]], %[[B]] : (!csc.dict<12 -> 12>, !csc.dict<12 -> 4>, !csc.dict<12 -> 2>) -> !csc.dict<12 -> 18>
