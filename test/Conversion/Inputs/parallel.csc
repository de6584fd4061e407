# For the parallel-loop tests (parallel-*.test): large enough that the
# generated loops run in parallel (cscc-parallel-loops' min-work), with
# batch-norm statistics (per-channel reductions), a max pool, a pursuit with
# one unfolding and the loss (total reductions).
model par {
  input [1, 16, 16];
  conv(8, 3, padding = 1); bn; relu; maxpool(2);
  pursuit([identity, conv(8, 3, padding = 1)], unfold = 1, bn = prox);
  global_avgpool;
  linear(10);
  loss cross_entropy;
}
