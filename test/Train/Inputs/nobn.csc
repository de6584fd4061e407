# A small ML-CSC without batch norm (data-parallel tests: without batch
# statistics, every image's gradient is independent of the others', so
# shares of a batch averaged give exactly the whole batch's gradient).
dict d(s) = [conv(4, 3, dilation = s, padding = s)];

model nobn {
  input [1, 28, 28];
  conv(6, 3, padding = 1); relu;
  maxpool(2);
  g = pursuit(d(1), unfold = 2);
  maxpool(2);
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

train {
  data = simulated(seed = 3);
  optimizer = sgd(lr = 0.05, momentum = 0.9, weight_decay = 5e-4);
  schedule = cosine;
  epochs = 2;
  batch = 20;
  augment = [crop(2), flip];
  seed = 1;
}
