# -o FILE writes the output (summary, AST or MLIR) to FILE instead of stdout,
# replacing what was there.
# RUN: rm -rf %t && mkdir %t
# RUN: echo stale > %t/summary.txt
# RUN: cscc summary %s -o %t/summary.txt | count 0
# RUN: FileCheck %s --check-prefix=SUMMARY < %t/summary.txt
# RUN: cscc --emit=ast %s -o %t/tree.txt | count 0
# RUN: FileCheck %s --check-prefix=AST < %t/tree.txt
# RUN: cscc %s -o %t/out.mlir | count 0
# RUN: FileCheck %s --check-prefix=MLIR < %t/out.mlir
# RUN: csc-opt %t/out.mlir | FileCheck %s --check-prefix=MLIR
# No temporary file is left behind.
# RUN: ls %t | FileCheck %s --check-prefix=LS --implicit-check-not=tmp

model written {
  input [1, 4, 4];
  conv(2, 1);
}

# SUMMARY-NOT: stale
# SUMMARY:     model written: input [1, 4, 4]
# SUMMARY:     total parameters: 4{{$}}

# AST:      Module
# AST-NEXT:   Model written <15:7>

# MLIR:     module @written
# MLIR:     csc.conv %arg0

# LS: out.mlir
# LS: summary.txt
# LS: tree.txt
