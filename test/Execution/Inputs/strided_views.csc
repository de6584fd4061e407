# Stride-s subsamples of sizes not divisible by s (7/2, 8/3): the
# subsampled views reach oneDNN with strides it cannot describe
# ([49, 49, 14, 2] for [2, 1, 4, 4]); test/Execution/strided-views.test.
model strided_views {
  input [1, 7, 7];
  a = shortcut(input, 1, 2);                          # 7x7 -> 4x4
  b = conv(2, 3, padding = 1, bias = false);
  c = pursuit([conv(3, 3, stride = 3, padding = 1)],
              init = shortcut(b, 3, 3), gram = learned); # 4x4 -> 2x2
  global_avgpool;
  linear(3);
  loss cross_entropy;
}
