# Max-pool ties whose gradients depend on where they go: compare_grad.py
# feeds small-integer images and small-integer filters, so the conv outputs
# are exact integers (plus the bias) and many windows hold their maximum
# more than once; PyTorch and cscc send the gradient to the first maximum
# (row-major) of each window. The second pool's windows overlap.
model maxpool_ties {
  input [1, 8, 8];
  conv(3, 3, padding = 1);
  maxpool(2);
  maxpool(3, stride = 2, padding = 1);
  linear(4);
  loss cross_entropy;
}
