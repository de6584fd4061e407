# Models for reconstruction.test: layer-wise pursuits whose codes
# `cscc analyze --input` measures.

# A feed-forward conv layer, then an ISTA step over [identity, dilated
# conv] with per-channel steps and thresholds on the conv channels only.
model msd {
  input [2, 8, 8];
  pursuit([conv(4, 3, padding = 1)]);
  pursuit([identity, conv(3, 3, dilation = 2, padding = 2)], unfold = 1,
          step = channel, threshold = conv_channels);
  global_avgpool;
  linear(3);
  loss cross_entropy;
}

# Two strided ML-CSC layers with FISTA (two unfoldings) and soft
# thresholds.
model mlcsc {
  input [1, 10, 10];
  pursuit([conv(3, 4, stride = 2, padding = 1)], unfold = 2, solver = fista,
          prox = soft);
  pursuit([conv(5, 3, padding = 1)], unfold = 2, solver = fista, prox = soft);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}

# A stack of two levels (its codes stay inside it), then a pursuit.
model stacked {
  input [2, 8, 8];
  stack(unfold = 1) {
    [identity, conv(2, 3, padding = 1)];
    [identity, conv(2, 3, dilation = 2, padding = 2)];
  }
  pursuit([conv(3, 3, padding = 1)]);
  global_avgpool;
  linear(3);
  loss cross_entropy;
}
