# A small model for the cscc run/init tests of test/Execution.
model tiny {
  input [1, 4, 4];
  conv(2, 3, padding = 1);
  bn;
  relu;
  global_avgpool;
  linear(3);
}
