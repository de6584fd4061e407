# ResNet-110 (paper Table II, 1.70M).
include "lib/cifar_resnet.csc";

param depth = 110;

model resnet110 {
  input [3, 32, 32];
  cifar_resnet(depth, warm = true, gram = off, keep = true);
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
