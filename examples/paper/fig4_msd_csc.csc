# The paper's simulated experiment (Section V, Fig. 4), MSD-CSC side: the
# same two layers as fig4_ml_csc.csc with the dense connection, each
# dictionary [identity, conv] (D = [I, F^T]), thresholds on the conv
# channels only (beta = (0, ..., 0, L b), Proposition 1). The identity
# block lets every layer pass its signal on unchanged, which the paper
# says brings the unsuccessfully rebuilt dimensions to zero.

param w = 128;
param unfold = 1;
param noise = 1;

model fig4_msd_csc {
  input [100, 1, 1];
  pursuit([identity, conv(w, 1)], unfold = unfold, threshold = conv_channels);
  pursuit([identity, conv(w, 1)], unfold = unfold, threshold = conv_channels);
  linear(100);
  loss cross_entropy;
}

train {
  data = simulated(dim = 100, classes = 100, noise = noise, train = 10000,
                   test = 2000);
  optimizer = sgd(lr = 0.05, momentum = 0.9, step_lr_scale = 0.01);
  epochs = 20;
  batch = 100;
  analyze_codes = true;
}
