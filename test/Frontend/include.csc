# 'include' reads another file's parameters, dictionaries and blocks. Paths
# are relative to the including file; a file included twice is read once.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc --emit=ast %s | FileCheck %s --check-prefix=AST

include "Inputs/include-lib.csc";
include "Inputs/include-lib2.csc";
include "Inputs/include-lib.csc";

model uses_library {
  input [2, 8, 8];
  lib_block(6);
  pursuit(lib_dict(2));
}

# CHECK:      parameters: lib_w=4{{$}}
# CHECK:      0 lib_block0.conv0 conv [6, 8, 8] - 18{{$}}
# CHECK-NEXT: 1 lib_block0.relu1 relu [6, 8, 8] - 0{{$}}
# 4*6*9 = 216 weights + step 1 + threshold 10.
# CHECK-NEXT: 2 pursuit2 pursuit/ista [10, 8, 8] 10 227{{$}}
# CHECK-NEXT: total parameters: 245{{$}}

# The included items appear once each, in reading order.
# AST:      Module
# AST-NEXT:   Param lib_w = 4 <5:7>
# AST-NEXT:   Dict lib_dict(d) = [identity, conv(lib_w, 3, dilation = d, padding = d)] <7:6>
# AST-NEXT:   Block lib_block(c) <3:7>
# AST-NEXT:     Layer conv(c, 1) <4:3>
# AST-NEXT:     Layer relu <5:3>
# AST-NEXT:   Model uses_library <10:7>
# AST-NOT:    Block
