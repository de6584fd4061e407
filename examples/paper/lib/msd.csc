# The MSD family of the paper (Table III, Fig. 6) in sparse-coding form.
#
# Layer i (0-based) of an MSD network is a layer-wise pursuit over the
# dictionary D^T = [I; F_i], F_i a 3x3 convolution with w filters and dilation
# s = i mod 3 + 1 (s = 1, 2, 3), so its code is concat(X, F X): the dense
# connection is the identity block (paper Prop. 1). The threshold acts on the
# conv channels only (beta = (0, ..., 0, L b)). unfold = 0 is MSDNet;
# unfold = 1, 2 are MSD-CSC-ISTA/-FISTA (Algorithms 2 and 3), with no extra
# parameters. bn = prox normalises every prox argument (the authors' public
# code; the paper's derivation has none). Max pooling follows layers d/3 and 2d/3, then average pooling
# and a linear classifier.

dict msd(w, s) = [identity, conv(w, 3, dilation = s, padding = s)];

block msd_net(d, w, unfold, solver = ista, classes = 10, bn = none) {
  for i in 0..d {
    pursuit(msd(w, i % 3 + 1), solver = solver, unfold = unfold,
            threshold = conv_channels, bn = bn);
    if i + 1 == d / 3 || i + 1 == 2 * d / 3 {
      maxpool(2);
    }
  }
  global_avgpool;
  linear(classes);
}
