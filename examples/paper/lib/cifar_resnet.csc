# The CIFAR ResNet family of the paper (Table II) in sparse-coding form.
#
# Every layer is a layer-wise pursuit with a one-conv dictionary [conv]; batch
# norm sits on the analysis term D^T X (ResNet's placement: bn(conv x)), and
# there is no separate step or threshold (c = 1, the bn shift is the bias).
# Layers come in pairs; the second layer of a pair is where the variants
# differ (paper Eq. 3 / Eq. 5, Fig. 3):
#   plain network       warm = false             G = P(D^T X)
#   ResNet              warm = true, gram = off   G = P(D^T X + X_-1)
#   Res-CSC             warm = true, gram = learned
#                                                 G = P(D^T X + X_-1 + c D^T D X_-1)
#   Res-CSC-Simplified  warm = true, gram = learned, keep = false
#                                                 G = P(D^T X + c D^T D X_-1)
# X_-1 is the input of the pair; where a stage halves the size and doubles
# the channels it goes through the parameter-free option-A shortcut.

block csc_pair(ch, stride, warm, gram = off, keep = true) {
  pursuit([conv(ch, 3, stride = stride, padding = 1)],
          step = none, threshold = none, bn = analysis);
  if warm {
    pursuit([conv(ch, 3, padding = 1)], init = shortcut(input, ch, stride),
            gram = gram, keep_init = keep,
            step = none, threshold = none, bn = analysis);
  } else {
    pursuit([conv(ch, 3, padding = 1)], step = none, threshold = none, bn = analysis);
  }
}

block stage(ch, n, stride, warm, gram, keep) {
  for i in 0..n {
    if i == 0 {
      csc_pair(ch, stride, warm, gram, keep);
    } else {
      csc_pair(ch, 1, warm, gram, keep);
    }
  }
}

# depth = 6 n + 2 layers with weights: 20, 32, 44, 56, 110, 218.
block cifar_resnet(depth, warm, gram = off, keep = true, classes = 10) {
  let n = (depth - 2) / 6;
  pursuit([conv(16, 3, padding = 1)], step = none, threshold = none, bn = analysis);
  stage(16, n, 1, warm, gram, keep);
  stage(32, n, 2, warm, gram, keep);
  stage(64, n, 2, warm, gram, keep);
  global_avgpool;
  linear(classes);
}
