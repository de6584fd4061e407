# The 'train { KEY = VALUE; ... }' section: every key of docs/language.md
# parses and elaborates (summary succeeds), and --emit=ast shows each
# setting in order. Values may use parameters.
# RUN: cscc summary %s | FileCheck %s
# RUN: cscc --emit=ast %s | FileCheck %s --check-prefix=AST

param ep = 3;

model trained {
  input [1, 4, 4];
  global_avgpool;
  linear(2);
  loss cross_entropy;
}

train {
  data = mnist("data/mnist");
  optimizer = adam(lr = 1e-3, beta1 = 0.8, beta2 = 0.99, eps = 1e-7, weight_decay = 0);
  schedule = multistep(milestones = [2, 5], gamma = 0.5);
  warmup = 1;
  epochs = ep * 2;
  batch = 64;
  augment = [crop(4), flip];
  normalize = false;
  validation = 0.1;
  seed = 7;
}

# CHECK: model trained: input [1, 4, 4]
# CHECK: total parameters: 4{{$}}

# AST:      Train <16:1>
# AST-NEXT:   data = mnist("data/mnist") <17:3>
# AST-NEXT:   optimizer = adam(lr = 1e-3, beta1 = 0.8, beta2 = 0.99, eps = 1e-7, weight_decay = 0) <18:3>
# AST-NEXT:   schedule = multistep(milestones = [2, 5], gamma = 0.5) <19:3>
# AST-NEXT:   warmup = 1 <20:3>
# AST-NEXT:   epochs = (ep * 2) <21:3>
# AST-NEXT:   batch = 64 <22:3>
# AST-NEXT:   augment = [crop(4), flip] <23:3>
# AST-NEXT:   normalize = false <24:3>
# AST-NEXT:   validation = 0.1 <25:3>
# AST-NEXT:   seed = 7 <26:3>
