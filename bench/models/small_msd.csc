# A small MSD-CSC (4 layers, 12 new channels each) for benchmarks
# (bench/results/parallel-loops.md).
param d = 4; param w = 12; param unfold = 1;
dict msd(s) = [identity, conv(w, 3, dilation = s, padding = s)];
model small { input [1, 28, 28]; conv(16, 3, padding = 1); bn; relu; maxpool(2);
  for i in 0..d { g = pursuit(msd(i % 2 + 1), unfold = unfold, bn = prox); if i == d / 2 - 1 { maxpool(2); } }
  global_avgpool; linear(10); loss cross_entropy; }
