# The paper's simulated experiment (Section V, Fig. 4), ML-CSC side: signals
# of 100 values around 100 Gaussian centres, an ML-CSC with two hidden
# layers of dense dictionaries (1x1 convolutions on a [100, 1, 1] input).
# After every epoch the trainer counts the dimensions of the signal that
# the first layer's code fails to rebuild (Definition 1); scripts/fig4.sh
# trains this and fig4_msd_csc.csc and draws the counts side by side.

param w = 128;       # atoms per layer
param unfold = 1;    # ISTA iterations after the first step
param noise = 1;     # the noise's standard deviation around each centre

model fig4_ml_csc {
  input [100, 1, 1];
  pursuit([conv(w, 1)], unfold = unfold);
  pursuit([conv(w, 1)], unfold = unfold);
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
