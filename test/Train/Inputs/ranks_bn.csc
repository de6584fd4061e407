# Batch norm under data-parallel training (test/Train/mpi-batch-norm.test,
# Inputs/ranks_bn_ref.py): small enough for PyTorch to replay each step.
model ranks_bn {
  input [1, 6, 5];
  conv(2, 3, padding = 1); bn; relu;
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

train {
  optimizer = sgd(lr = 0.5, momentum = 0);
  schedule = constant;
  epochs = 3;
  batch = 2;
  normalize = false;
  augment = [];
  seed = 1;
}
