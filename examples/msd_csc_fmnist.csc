# A small MSD-CSC for 28x28 grey images: the model the README's main job
# trains on Fashion-MNIST on the CPU (2 cores: a few minutes per epoch).
#
# The stem pools to 14x14 before the pursuits, so they run at 14x14 and 7x7.
# Each pursuit layer solves min_G 1/2 ||X - D G||^2 + beta ||G||_1 over the
# MSD dictionary D^T = [I; F] (dense connection + dilated 3x3 conv) with one
# unfolded ISTA iteration; batch norm before the prox keeps one set of running
# statistics per unfolding iteration (docs/design.md §2b).
param d = 4;         # dictionary layers
param w = 12;        # new code channels per layer
param unfold = 1;    # ISTA iterations after the first step
param l1 = 0;        # weight of an l1 penalty on every pursuit's code (0: none)
param channels = 1;  # the input: channels, height = width (3, 32 for CIFAR)
param size = 28;

dict msd(s) = [identity, conv(w, 3, dilation = s, padding = s)];

model msd_csc_fmnist {
  input [channels, size, size];
  conv(16, 3, padding = 1); bn; relu;
  maxpool(2);
  for i in 0..d {
    g = pursuit(msd(i % 3 + 1), unfold = unfold, bn = prox);
    if l1 > 0 { penalty l1(g, l1); }
    if i == d / 2 - 1 { maxpool(2); }
  }
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

train {
  data = fashion_mnist;
  optimizer = sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 5e-4);
  schedule = cosine;
  epochs = 5;
  batch = 128;
  seed = 1;
}
