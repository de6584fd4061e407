# Every layer kind, small, for the csc-lower-to-cst tests.
model layers {
  input [3, 8, 8];
  a = conv(4, 3, padding = 1, bias = false);
  bn(eps = 1e-3, momentum = 0.01);
  relu;
  maxpool(2);
  avgpool(3, stride = 1, padding = 1);
  g = pursuit([conv(6, 3, padding = 1)], init = shortcut(a, 6, 2), gram = off,
              bn = prox, unfold = 1);
  conv(4, 1);
  global_avgpool;
  linear(10);
  loss cross_entropy;
  penalty l1(g, 1e-3);
}
