# Dictionaries for the mutual-coherence check (test/Analyze/coherence.test),
# each large enough that `cscc analyze --coherence` takes its translation
# shortcut (columns near the borders and one deep atom per channel), and
# each compared with the dense Gram matrix (Inputs/coherence_ref.py).
model plain {
  input [1, 24, 24];
  p = pursuit([conv(2, 3, padding = 1)]);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}

model strided {
  input [2, 32, 32];
  p = pursuit([conv(2, 3, stride = 2, padding = 1)]);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}

model identity_dilated {
  input [1, 30, 30];
  p = pursuit([identity, conv(1, 3, dilation = 2, padding = 2)]);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}

model two_dilations {
  input [1, 30, 30];
  p = pursuit([identity, conv(1, 3, padding = 1), conv(1, 3, dilation = 3, padding = 3)]);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}

model chain {
  input [2, 24, 24];
  p = pursuit([conv(3, 1) >> conv(2, 3, padding = 1)]);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}
