# The same network with solver = ista (use_fista = 0) or fista
# (use_fista = 1), for the check FISTA = ISTA below two unfoldings of
# test_cscc_identities.py: layer-wise pursuits (soft and relu, identity
# block, per-channel step, bn = prox, warm starts with the exact and the
# learned Gram term) and a stacked pursuit. Both branches give the same
# tensor names.
param use_fista = 0;
param u = 1;

block net(s, u) {
  a = pursuit([identity, conv(4, 3, padding = 1)], solver = s, unfold = u,
              prox = soft, step = channel, threshold = conv_channels,
              bn = prox);
  pursuit([conv(7, 3, padding = 1)], solver = s, unfold = u, init = a);
  b = pursuit([conv(8, 3, stride = 2, padding = 1)], solver = s, unfold = u,
              init = shortcut(input, 8, 2), gram = learned);
  stack(solver = s, unfold = u, bn = prox) {
    [identity, conv(3, 3, padding = 1)];
    [identity, conv(3, 3, dilation = 2, padding = 2)];
  }
  global_avgpool;
  linear(5);
}

model solver_switch {
  input [3, 8, 8];
  if use_fista { net(fista, u); } else { net(ista, u); }
}
