# l1 penalties (`penalty l1(NAME, WEIGHT)`, docs/language.md) on tensors of
# every kind, for compare_grad.py: a conv output (both signs), relu and soft
# codes, identity channels, codes named in a loop (one penalty per
# iteration), a stack's top code, the same code twice, a zero weight and
# the input (a constant term of the loss).
param beta = 0.005;

model penalties {
  input [2, 10, 10];
  a = conv(6, 3, padding = 1);
  bn; relu;
  g1 = pursuit([conv(6, 3, padding = 1)], unfold = 1);
  g2 = pursuit([identity, conv(4, 3, padding = 1)], prox = soft,
               solver = fista, unfold = 2, bn = prox,
               threshold = conv_channels);
  for i in 0..2 {
    g = pursuit([identity, conv(3, 3, dilation = i + 1, padding = i + 1)],
                unfold = i, prox = soft);
    penalty l1(g, beta * (i + 1));
  }
  s = stack(unfold = 1, prox = soft) { [conv(6, 3, padding = 1)]; [conv(5, 1)]; }
  maxpool(2);
  global_avgpool;
  linear(4);
  loss cross_entropy;
  penalty l1(a, beta);
  penalty l1(g1, 2 * beta);
  penalty l1(g2, beta);
  penalty l1(g2, beta / 2);
  penalty l1(s, 3 * beta);
  penalty l1(g1, 0);
  penalty l1(input, beta);     # a constant: the loss only
}
