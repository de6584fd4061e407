# Res-CSC with 110 layers: Eq. 3 and Eq. 5 alternate, learned c (paper Fig. 3A, Table II).
include "lib/cifar_resnet.csc";

param depth = 110;

# The input (channels, height = width) and the classes: CIFAR-10 by default;
# -D channels=1 -D size=28 for Fashion-MNIST, -D classes=100 for CIFAR-100.
param channels = 3;
param size = 32;
param classes = 10;

model res_csc110 {
  input [channels, size, size];
  cifar_resnet(depth, warm = true, gram = learned, keep = true, classes = classes);
  loss cross_entropy;
}

# Paper Section VII-A: SGD, Nesterov momentum 0.9, batch 128, 200 epochs,
# learning rate 0.1 divided by 10 after 100 and 150 epochs.
train {
  data = cifar10("data/cifar-10-batches-bin");
  # Not the paper's: the learned coefficient g of D^T D G0 moves like a step
  # (its gradient sums over the whole layer): at the common rate it reached
  # -1 within 3 steps and the loss NaN at step 8 (Res-CSC-20, Fashion-MNIST);
  # its own group at 1/100 of the rate (docs/language.md, "Step size").
  optimizer = sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 1e-4,
                  step_lr_scale = 0.01);
  schedule = multistep(milestones = [100, 150], gamma = 0.1);
  epochs = 200;
  batch = 128;
  augment = [crop(4), flip];
}
