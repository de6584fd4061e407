# ML-CSC-FISTA, 6 layers, unfold = 2 (paper Table III, 4.0M).
include "lib/feedforward.csc";

param unfold = 2;

# The input (channels, height = width) and the classes: CIFAR-10 by default;
# -D channels=1 -D size=28 for Fashion-MNIST, -D classes=100 for CIFAR-100.
param channels = 3;
param size = 32;
param classes = 10;

model ml_csc_fista6 {
  input [channels, size, size];
  ml_csc6(unfold, solver = fista, classes = classes);
  loss cross_entropy;
}

# Paper Section VII-B settings.
train {
  data = cifar10("data/cifar-10-batches-bin");
  # Not the paper's: without batch norm every layer's learned step c gets
  # the same large gradient and SGD at the common rate drives it to zero
  # (docs/language.md, "Step size"); its own group at 1/100 of the rate.
  optimizer = sgd(lr = 0.05, momentum = 0.9, step_lr_scale = 0.01);
  schedule = multistep(milestones = [75, 115], gamma = 0.1);
  # Not the paper's: without batch norm, c = 1/L shrinks every layer's
  # signal and the model stays at a uniform guess; scaled filters with c
  # near 1 keep it (docs/language.md, "Step size").
  step_init = scaled;
  epochs = 150;
  batch = 128;
  augment = [crop(4), flip];
}
