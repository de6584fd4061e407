# docs/design.md §1: a convolutional layer relu(F x + b) is one ISTA step from
# G0 = 0 with D^T = F (c = 1, threshold -b). pursuit = 0: conv + relu;
# pursuit = 1: the pursuit. Names differ (conv0.weight/bias vs
# pursuit0.dict.0.weight/threshold); test_cscc_identities.py maps them.
param pursuit = 0;

model conv_is_pursuit {
  input [3, 9, 9];
  if pursuit {
    pursuit([conv(5, 3, stride = 2, padding = 1)], step = none);
  } else {
    conv(5, 3, stride = 2, padding = 1); relu;
  }
}
