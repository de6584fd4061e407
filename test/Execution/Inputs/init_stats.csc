# Big tensors of every initialisation, for Inputs/check_init.py: kaiming
# (convs, linear), authors (a dictionary conv), zeros (biases, thresholds,
# bn shifts, running means), ones (steps, bn scales, running variances).
param c = 64;

model init_stats {
  input [c, 8, 8];
  conv(256, 3, padding = 1);                          # kaiming, fan-in 9 c
  bn;
  relu;
  pursuit([identity, conv(128, 3, padding = 1, init = authors)],
          unfold = 1, bn = prox);                     # authors, fan-in 2304
  global_avgpool;
  linear(100);                                        # kaiming, fan-in 384
}
