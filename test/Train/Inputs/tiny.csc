# A small MSD-CSC with batch norm inside its unfolded pursuits, trained on
# the simulated data set in a few seconds (test/Train).
param unfold = 1;
dict msd(s) = [identity, conv(4, 3, dilation = s, padding = s)];

model tiny {
  input [1, 28, 28];
  conv(8, 3, padding = 1); bn; relu;
  maxpool(2);
  for i in 0..2 {
    g = pursuit(msd(i + 1), unfold = unfold, bn = prox);
  }
  maxpool(2);
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

train {
  data = simulated(seed = 3);
  optimizer = sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 5e-4);
  schedule = cosine;
  epochs = 2;
  batch = 64;
  augment = [crop(2), flip];
  seed = 1;
}
