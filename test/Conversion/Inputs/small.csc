# A small MSD-CSC layer (identity + 3x3 conv, one ISTA unfolding) and a
# classifier, for the pipeline tests.
model small {
  input [1, 8, 8];
  pursuit([identity, conv(4, 3, padding = 1)], unfold = 1);
  global_avgpool;
  linear(10);
  loss cross_entropy;
}
