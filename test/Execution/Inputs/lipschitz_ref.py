"""lipschitz_ref.py WEIGHTS.safetensors [TOL]
An independent check of `cscc init`'s steps c = 1/L for
test/Execution/Inputs/lipschitz.csc: each dictionary's analysis operator
D^T built as a dense matrix from its filters (convolution as
cross-correlation with stride, dilation and zero padding; a chain of atoms
as the product; a dictionary as the blocks stacked, identity blocks as I),
then L = 2 lambda_max(D^T D) = 2 sigma_max(D^T)^2 from numpy's SVD. Prints
each dictionary's L, its c L, and Lemma 3 (L of [I, F] = L of F + 2)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "Runtime", "Inputs"))
import st_util  # noqa: E402

tensors, _, _, _ = st_util.read(sys.argv[1])


def get(name):
    dtype, shape, raw, _ = tensors[name]
    return np.frombuffer(raw, st_util.DTYPES[dtype]).astype(np.float64) \
        .reshape(shape)


def conv_matrix(w, c, h, wd, stride=1, dilation=1, padding=0):
    """The matrix of x[c, h, wd] -> conv2d(x, w) (PyTorch's Conv2d)."""
    k_out, c_in, k, _ = w.shape
    assert c_in == c
    oh = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    m = np.zeros((k_out * oh * ow, c * h * wd))
    for o in range(k_out):
        for y in range(oh):
            for x in range(ow):
                row = (o * oh + y) * ow + x
                for i in range(c):
                    for a in range(k):
                        for b in range(k):
                            yy = y * stride - padding + a * dilation
                            xx = x * stride - padding + b * dilation
                            if 0 <= yy < h and 0 <= xx < wd:
                                m[row, (i * h + yy) * wd + xx] += w[o, i, a, b]
    return m, (k_out, oh, ow)


def lipschitz(dt):
    return 2 * np.linalg.svd(dt, compute_uv=False)[0] ** 2


def step(name):
    return get(name).max()


rows = []
# a = pursuit([conv(4, 3, padding = 1)]) on [2, 9, 9]
fa, _ = conv_matrix(get("a.dict.0.weight"), 2, 9, 9, padding=1)
rows.append(("a", lipschitz(fa), step("a.step")))
# b = pursuit([identity, conv(3, 3, dilation = 2, padding = 2)]) on [4, 9, 9]
fb, _ = conv_matrix(get("b.dict.1.weight"), 4, 9, 9, dilation=2, padding=2)
db = np.vstack([np.eye(4 * 81), fb])
rows.append(("b", lipschitz(db), step("b.step")))
# c = pursuit([conv(5, 3, stride = 2, padding = 1)]) on [7, 9, 9]
fc, _ = conv_matrix(get("c.dict.0.weight"), 7, 9, 9, stride=2, padding=1)
rows.append(("c", lipschitz(fc), step("c.step")))
# the stack on [5, 5, 5]: [identity, conv(4, 3, padding = 1)], then
# [conv(8, 1) >> conv(6, 3, padding = 1)] on the 9-channel code
f0, _ = conv_matrix(get("stack3.0.dict.1.weight"), 5, 5, 5, padding=1)
d0 = np.vstack([np.eye(5 * 25), f0])
rows.append(("stack3.0", lipschitz(d0), step("stack3.0.step")))
g1, _ = conv_matrix(get("stack3.1.dict.0.0.weight"), 9, 5, 5)
g2, _ = conv_matrix(get("stack3.1.dict.0.1.weight"), 8, 5, 5, padding=1)
rows.append(("stack3.1", lipschitz(g2 @ g1), step("stack3.1.step")))

tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-3
for name, L, c in rows:
    ok = abs(c * L - 1) <= tol
    print("%s: c L = 1 %s" % (name, "within %g" % tol if ok else
                              "DIFFERS: c L = %.6g (L %.6g, c %.6g)"
                              % (c * L, L, c)))
# Lemma 3: the identity block adds 2 (b's dictionary against its F alone).
lemma = lipschitz(db) - lipschitz(fb)
print("Lemma 3: L([I, F]) - L(F) = %s" % (
    "2" if abs(lemma - 2) < 1e-9 else "%.12g" % lemma))
