# Without 'param' declarations the summary has no parameters line.
# RUN: cscc summary %s | FileCheck %s

model bare {
  input [1, 2, 2];
  relu;
}

# CHECK:      model bare: input [1, 2, 2]
# CHECK-NEXT: # name kind output code params
# CHECK-NEXT: 0 relu0 relu [1, 2, 2] - 0
# CHECK-NEXT: total parameters: 0
