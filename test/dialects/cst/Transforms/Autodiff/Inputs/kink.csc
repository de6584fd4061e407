# One soft-threshold kink where the test wants it (gradcheck-kinks.test):
# the identity dictionary codes the input itself, so the threshold b of
# the pursuit bends the loss where b equals a pixel; the 1x1 convolutions
# and the classifier are linear and give the check ten more tensors.
model kink {
  input [1, 40, 40];
  pursuit([identity], prox = soft, step = none);
  conv(1, 1); conv(1, 1); conv(1, 1); conv(1, 1);
  global_avgpool;
  linear(2);
  loss cross_entropy;
}
