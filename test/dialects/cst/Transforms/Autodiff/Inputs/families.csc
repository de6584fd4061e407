# Toy instances of the paper's families in one model, for gradient checks,
# written with the blocks of examples/paper/lib/cifar_resnet.csc: a plain
# conv-bn-relu layer, a ResNet pair (warm start from a strided shortcut,
# gram off), a Res-CSC pair (gram on), an ML-CSC-FISTA layer with unfold 2,
# and two MSD-CSC-FISTA layers (identity + dilated conv: a growing code).
include "../../../../../../examples/paper/lib/cifar_resnet.csc";

model families {
  input [2, 8, 8];
  conv(4, 3, padding = 1, bias = false); bn; relu;
  csc_pair(4, 2, warm = true, gram = off, keep = true);
  csc_pair(4, 1, warm = true, gram = on, keep = true);
  pursuit([conv(6, 3, padding = 1)], solver = fista, unfold = 2);
  for i in 0..2 {
    pursuit([identity, conv(3, 3, dilation = i + 1, padding = i + 1)],
            solver = fista, unfold = 2);
  }
  global_avgpool;
  linear(5);
  loss cross_entropy;
}
