# The layout of 'cscc summary': a header line with the model and its input,
# the parameters line (only when the file declares parameters), one row per
# layer (index, name, kind, output shape, code channels for pursuit and
# stack layers or '-', parameter count), the loss and penalties, and the
# total. Columns are checked exactly (strict whitespace, full lines).
# RUN: cscc summary %s | FileCheck %s --strict-whitespace --match-full-lines
# RUN: cscc summary %s | FileCheck %s --check-prefix=COUNT

param w = 4;

model layout {
  input [1, 8, 8];
  conv(w, 3, padding = 1);
  code = pursuit([identity, conv(w, 3, padding = 1)], unfold = 1);
  global_avgpool;
  linear(2);
  loss cross_entropy;
  penalty l1(code, 0.5);
}

# CHECK:model layout: input [1, 8, 8]
# CHECK-NEXT:parameters: w=4
# CHECK-NEXT:#    name             kind              output            code   params
# CHECK-NEXT:0    conv0            conv              [4, 8, 8]         -      40
# CHECK-NEXT:1    code             pursuit/istax1    [8, 8, 8]         8      153
# CHECK-NEXT:2    global_avgpool2  global_avgpool    [8, 1, 1]         -      0
# CHECK-NEXT:3    linear3          linear            [2, 1, 1]         -      18
# CHECK-NEXT:loss: cross_entropy
# CHECK-NEXT:penalty: l1(code, 0.5)
# CHECK-NEXT:total parameters: 211

# The summary is the whole output: 10 lines.
# COUNT-COUNT-10: {{.+}}
# COUNT-NOT:      {{.}}
