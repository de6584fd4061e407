# Every pursuit/stack option and every other layer once, for check_names.py
# (names, shapes and counts of the PyTorch reference against cscc).
param u = 2;

block pair(ch) {
  conv(ch, 3, padding = 1, bias = false); bn(eps = 1e-3, momentum = 0.01); relu;
  pursuit([conv(ch, 3, padding = 1)], init = input, gram = off,
          step = none, threshold = none, bn = analysis);
}

model options {
  input [3, 12, 12];
  a = pursuit([conv(4, 3, padding = 1)], unfold = u, bn = analysis);
  b = pursuit([identity, conv(4, 3, padding = 1)], unfold = u, bn = prox,
              bn_affine = per_iter, threshold = conv_channels, step = channel,
              solver = fista, prox = soft);
  c = pursuit([identity, conv(4, 3, padding = 1)], threshold = none,
              step = none, init = shortcut(b, 12, 1), gram = learned,
              keep_init = false, bn = analysis, unfold = 1);
  p = pair(12);
  pair(12);
  for i in 0..2 {
    if i == 0 {
      z = pursuit([conv(2, 1) >> conv(3, 3, dilation = 2, padding = same),
                   identity, conv(5, 3, padding = 1)],
                  unfold = 2, threshold = conv_channels, gram = on,
                  init = shortcut(p, 20, 1));
    } else {
      z = pursuit([conv(2, 1) >> conv(3, 3, dilation = 2, padding = same),
                   identity, conv(5, 3, padding = 1)], unfold = i);
    }
    q = maxpool(1);
  }
  stack(unfold = u, bn = prox, bn_affine = per_iter, step = none,
        threshold = none, solver = fista, prox = soft) {
    [identity, conv(2, 3, padding = 1)];
    [conv(3, 1) >> conv(5, 3, padding = 1)];
  }
  s2 = stack(unfold = 0) { for j in 0..2 { [conv(3, 3, padding = 1)]; } }
  avgpool(3, stride = 1, padding = 1);
  maxpool(3, stride = 2, padding = 1);
  x = shortcut(s2, 6, 2);
  conv(4, 3, stride = 2, dilation = 1, padding = 1, init = authors);
  h = pursuit([identity, conv(3, 3, padding = 1)], prox = hard, unfold = 1);
  linear(10, bias = false);
  loss cross_entropy;
}
