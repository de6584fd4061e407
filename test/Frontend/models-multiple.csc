# Several models in one file share its parameters, dictionaries and blocks;
# '--model NAME' picks one (for summary and for compilation).
# RUN: cscc summary %s --model small | FileCheck %s --check-prefix=SMALL
# RUN: cscc summary --model big %s | FileCheck %s --check-prefix=BIG
# RUN: cscc %s --model big | FileCheck %s --check-prefix=MLIR
# RUN: cscc --emit=ast %s | FileCheck %s --check-prefix=AST

param c = 2;
dict d = [conv(c, 1)];

model small {
  input [1, 4, 4];
  pursuit(d);
}

model big {
  input [3, 16, 16];
  conv(8, 3, padding = 1);
  pursuit(d);
}

# SMALL:      model small: input [1, 4, 4]
# SMALL:      0 pursuit0 pursuit/ista [2, 4, 4] 2 5{{$}}
# SMALL-NEXT: total parameters: 5{{$}}

# BIG:      model big: input [3, 16, 16]
# BIG:      0 conv0 conv [8, 16, 16] - 224{{$}}
# BIG-NEXT: 1 pursuit1 pursuit/ista [2, 16, 16] 2 19{{$}}
# BIG-NEXT: total parameters: 243{{$}}

# MLIR:     module @big
# MLIR:     func.func @forward(%arg0: tensor<?x3x16x16xf32>) -> tensor<?x2x16x16xf32>

# AST:      Model small <11:7>
# AST:      Model big <16:7>
