# The paper's Fig. 1: a 2x2 kernel on a 4x4 image. With dilation 2 the
# four atoms have disjoint supports (mu = 0); with dilation 1 the nine
# atoms overlap, and mu is the largest normalised inner product of the
# kernel with its own shifts.
model dilated {
  input [1, 4, 4];
  p = pursuit([conv(1, 2, dilation = 2)]);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}

model dense {
  input [1, 4, 4];
  p = pursuit([conv(1, 2)]);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}
