# A model small enough for PyTorch to replay its training step by step
# (Inputs/optim_ref.py, test/Train/optimizer.test): 6x5 grey images.
model optim {
  input [1, 6, 5];
  conv(2, 3, padding = 1); relu;
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

train {
  optimizer = sgd(lr = 0.1);
  schedule = constant;
  epochs = 1;
  batch = 2;
  normalize = false;
  seed = 1;
}
