# A dictionary structure no paper model uses: two dilated convolutions side by
# side and no identity block, plus a double-sparsity block (a 1x1 conv
# composed with a 3x3 conv), unfolded with FISTA and penalised towards
# sparse codes.
param w = 8;

dict two_scales = [conv(w, 3, dilation = 1, padding = 1),
                   conv(w, 3, dilation = 3, padding = 3)];

model two_dilations {
  input [1, 28, 28];
  g1 = pursuit(two_scales, solver = fista, unfold = 2, prox = soft, bn = prox);
  maxpool(2);
  g2 = pursuit([conv(4 * w, 1) >> conv(2 * w, 3, padding = same)],
               unfold = 1, step = channel);
  global_avgpool;
  linear(10);
  loss cross_entropy;
  penalty l1(g1, 1e-4);
  penalty l1(g2, 1e-4);
}
