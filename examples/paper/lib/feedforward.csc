# The 6-layer convolutional baseline of paper Table III as ML-CSC: kernels
# 4, 4, 4, 3, 3, 3, strides 2, 2, 2, 1, 1, 1, 32..512 filters. Each layer is a
# layer-wise pursuit over a one-conv dictionary; unfold = 0 is the plain
# feed-forward network, unfold = 1, 2 are ML-CSC-ISTA/-FISTA.

block ml_csc6(unfold, solver = ista, classes = 10) {
  pursuit([conv(32, 4, stride = 2, padding = 1)], unfold = unfold, solver = solver);
  pursuit([conv(64, 4, stride = 2, padding = 1)], unfold = unfold, solver = solver);
  pursuit([conv(128, 4, stride = 2, padding = 1)], unfold = unfold, solver = solver);
  pursuit([conv(256, 3, padding = 1)], unfold = unfold, solver = solver);
  pursuit([conv(512, 3, padding = 1)], unfold = unfold, solver = solver);
  pursuit([conv(512, 3, padding = 1)], unfold = unfold, solver = solver);
  global_avgpool;
  linear(classes);
}
