# ResNet-20: Res-CSC with the Gram term dropped (paper Fig. 3B; Table II, 0.27M).
include "lib/cifar_resnet.csc";

param depth = 20;

# The input (channels, height = width) and the classes: CIFAR-10 by default;
# -D channels=1 -D size=28 for Fashion-MNIST, -D classes=100 for CIFAR-100.
param channels = 3;
param size = 32;
param classes = 10;

model resnet20 {
  input [channels, size, size];
  cifar_resnet(depth, warm = true, gram = off, keep = true, classes = classes);
  loss cross_entropy;
}

# Paper Section VII-A: SGD, Nesterov momentum 0.9, batch 128, 200 epochs,
# learning rate 0.1 divided by 10 after 100 and 150 epochs.
train {
  data = cifar10("data/cifar-10-batches-bin");
  optimizer = sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 1e-4);
  schedule = multistep(milestones = [100, 150], gamma = 0.1);
  epochs = 200;
  batch = 128;
  augment = [crop(4), flip];
}
