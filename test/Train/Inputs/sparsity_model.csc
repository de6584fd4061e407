# Codes of every kind for test/Train/sparsity*.test: two layer-wise
# pursuits in a loop (g.0, g.1: relu, batch norm in the prox, one ISTA
# unfolding), a stacked pursuit (s: soft threshold, its top code) and a
# pursuit without parameters (identity dictionary, no step or threshold:
# relu(X), named pursuit.3 by its index).
param unfold = 1;
dict msd(s) = [identity, conv(4, 3, dilation = s, padding = s)];

model sparse {
  input [1, 28, 28];
  conv(8, 3, padding = 1); bn; relu;
  maxpool(2);
  for i in 0..2 {
    g = pursuit(msd(i + 1), unfold = unfold, bn = prox);
  }
  s = stack(unfold = 1, prox = soft, bn = prox) {
    [conv(6, 3, padding = 1)];
    [identity, conv(4, 3, padding = 1)];
  }
  pursuit([identity], step = none, threshold = none);
  maxpool(2);
  global_avgpool;
  linear(10);
  loss cross_entropy;
}

train {
  data = simulated(seed = 3);
  optimizer = sgd(lr = 0.05, momentum = 0.9);
  epochs = 1;
  batch = 64;
  seed = 1;
}
