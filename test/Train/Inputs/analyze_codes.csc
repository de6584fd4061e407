# A model with two layer-wise pursuits for analyze-codes.test.
model sim {
  input [1, 28, 28];
  pursuit([conv(4, 3, padding = 1)], unfold = 1);
  maxpool(2);
  pursuit([identity, conv(4, 3, dilation = 2, padding = 2)], threshold = conv_channels);
  global_avgpool;
  linear(10);
  loss cross_entropy;
}
train { data = simulated; epochs = 2; batch = 64; }
