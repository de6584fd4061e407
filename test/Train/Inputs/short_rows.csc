# A max pool over 12x12 images: its gradient's loops run along rows of 6
# windows (short-loops-vectorised.test).
model short_rows {
  input [1, 12, 12];
  conv(4, 3, padding = 1); relu;
  maxpool(2);
  global_avgpool;
  linear(10);
  loss cross_entropy;
}
