# The authors' public MSD-CSC network (docs/design.md §1): three stacked
# pursuits (ML-ISTA, the authors' MSD-CSC block) of d levels each, every level
# a dictionary [I; F] with k new channels, dilation (i mod 6) + 1 and padding
# equal to the dilation, filters N(0,1) * 0.1 / sqrt(fan_in); one learned step
# per level, one learned bias per code channel, a batch norm before each ReLU
# with running statistics kept per unfolding iteration.
param k = 12;        # growth: new channels per level
param d = 12;        # levels per stack
param unfold = 1;

dict level(k, i) = [identity, conv(k, 3, dilation = i % 6 + 1,
                                   padding = i % 6 + 1, init = authors)];

block msd_block(k, d, unfold) {
  stack(unfold = unfold, bn = prox) {
    for i in 0..d { level(k, i); }
  }
}

# The input (channels, height = width) and the classes: CIFAR-10 by default;
# -D channels=1 -D size=28 for Fashion-MNIST, -D classes=100 for CIFAR-100.
param channels = 3;
param size = 32;
param classes = 10;

model authors_msd_csc {
  input [channels, size, size];
  conv(16, 3, padding = 1); bn; relu;
  msd_block(k, d, unfold);                # 16 -> 16 + d k channels
  conv(16 + d * k, 1);
  maxpool(2);
  msd_block(k, d, unfold);
  conv(16 + 2 * d * k, 1);
  maxpool(2);
  msd_block(k, d, unfold);
  global_avgpool;
  linear(classes);
  loss cross_entropy;
}

train {
  data = cifar10("data/cifar-10-batches-bin");
  optimizer = sgd(lr = 0.1, momentum = 0.9, weight_decay = 5e-4);
  schedule = multistep(milestones = [100, 150], gamma = 0.1);
  epochs = 200;
  batch = 128;
  augment = [crop(4), flip];
}
