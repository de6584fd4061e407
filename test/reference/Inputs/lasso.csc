# Pursuits whose output is their code, for the Lasso checks of
# test_cscc_identities.py: the test sets step = 1/L and threshold = beta/L
# (L = lambda_max(D^T D)), so the pursuit is ISTA/FISTA on
# min 1/2 ||X - D G||^2 + beta ||G||_1 and converges to its solution.
param u = 20;       # unfoldings of each pursuit

# ML-CSC dictionary (2x overcomplete), ISTA, soft threshold.
model lasso_conv {
  input [2, 8, 8];
  pursuit([conv(4, 3, padding = 1)], unfold = u, prox = soft,
          step = scalar, threshold = channel);
}

# The same continued by warm-started pursuits (init = the previous code,
# gram = on: the first step of each is an exact ISTA step), so three
# pursuits are 3 (u + 1) ISTA steps (one long unrolled pursuit compiles
# slowly).
dict d1 = [conv(4, 3, padding = 1)];
model lasso_conv_chain {
  input [2, 8, 8];
  g0 = pursuit(d1, unfold = u, prox = soft);
  shortcut(input, 2, 1);
  g1 = pursuit(d1, unfold = u, prox = soft, init = g0, gram = on);
  shortcut(input, 2, 1);
  g2 = pursuit(d1, unfold = u, prox = soft, init = g1, gram = on);
}

# MSD dictionary [I; F] (identity block), FISTA, soft threshold.
model lasso_msd_fista {
  input [2, 8, 8];
  pursuit([identity, conv(4, 3, padding = 1)], solver = fista, unfold = u,
          prox = soft, step = scalar, threshold = channel);
}

# Non-negative Lasso (relu) over a strided dictionary, FISTA.
model lasso_relu_stride {
  input [2, 8, 8];
  pursuit([conv(3, 3, stride = 2, padding = 1)], solver = fista, unfold = u,
          prox = relu, step = scalar, threshold = channel);
}
