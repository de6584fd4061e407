# Dictionaries of every kind for test/Execution/lipschitz-steps.test: a
# plain conv, [identity, dilated conv] (Lemma 3), a strided conv, a stack
# whose second level is a chain of two atoms; then a pursuit that never
# iterates (unfold = 0, a feed-forward layer: its step stays 1).
model lip {
  input [2, 9, 9];
  a = pursuit([conv(4, 3, padding = 1)], unfold = 2);
  b = pursuit([identity, conv(3, 3, dilation = 2, padding = 2)], step = channel, unfold = 1);
  c = pursuit([conv(5, 3, stride = 2, padding = 1)], unfold = 2);
  stack(unfold = 1) {
    [identity, conv(4, 3, padding = 1)];
    [conv(8, 1) >> conv(6, 3, padding = 1)];
  }
  d = pursuit([conv(4, 3, padding = 1)]);
  global_avgpool;
  linear(3);
  loss cross_entropy;
}
