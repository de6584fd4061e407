# MSD-CSC-ISTA, d = 12, w = 32, unfold = 2 (paper Table III, 0.6M); -D unfold=1 for the other row.
include "lib/msd.csc";

param d = 12;        # layers
param w = 32;        # filters per layer
param unfold = 2;   # ISTA/FISTA iterations after the first step

# The input (channels, height = width) and the classes: CIFAR-10 by default;
# -D channels=1 -D size=28 for Fashion-MNIST, -D classes=100 for CIFAR-100.
param channels = 3;
param size = 32;
param classes = 10;
param bn = none;    # batch norm: none (the paper), prox (the authors' code)

model msd_csc_ista_d12 {
  input [channels, size, size];
  msd_net(d, w, unfold, solver = ista, classes = classes, bn = bn);
  loss cross_entropy;
}

# Paper Section VII-B: SGD, momentum 0.9, batch 128, 150 epochs, learning
# rate 0.05 divided by 10 after 75 and 115 epochs.
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
