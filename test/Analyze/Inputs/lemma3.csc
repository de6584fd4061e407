# Lemma 3 through `cscc analyze`: the same filters with and without an
# identity block. Both models draw their conv filters first, so one seed
# gives both the same F.
model with_identity {
  input [4, 9, 9];
  b = pursuit([identity, conv(3, 3, dilation = 2, padding = 2)], unfold = 1);
  global_avgpool;
  linear(3);
  loss cross_entropy;
}

model conv_only {
  input [4, 9, 9];
  b = pursuit([conv(3, 3, dilation = 2, padding = 2)], unfold = 1);
  global_avgpool;
  linear(3);
  loss cross_entropy;
}

model no_dictionary {
  input [1, 4, 4];
  conv(2, 3, padding = 1);
  relu;
  global_avgpool;
  linear(3);
  loss cross_entropy;
}
