"""lipschitz_ref.py WEIGHTS.safetensors [TOL] [--analyze ANALYZE.json]
                  [--scaled-from LIPSCHITZ_WEIGHTS.safetensors]
An independent check of `cscc init`'s steps c = 1/L for
test/Execution/Inputs/lipschitz.csc: each dictionary's analysis operator
D^T built as a dense matrix from its filters (convolution as
cross-correlation with stride, dilation and zero padding; a chain of atoms
as the product; a dictionary as the blocks stacked, identity blocks as I),
then L = 2 lambda_max(D^T D) = 2 sigma_max(D^T)^2 from numpy's SVD. Prints
each dictionary's L, its c L, the feed-forward layer's c = 1, and Lemma 3 (L of [I, F] = L of F + 2)."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "Runtime", "Inputs"))
import st_util  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "reference"))
from test_identities import np_conv_matrix  # noqa: E402

analyze = None
scaled_from = None
if "--scaled-from" in sys.argv:
    i = sys.argv.index("--scaled-from")
    scaled_from = sys.argv[i + 1]
    del sys.argv[i:i + 2]
if "--analyze" in sys.argv:
    i = sys.argv.index("--analyze")
    analyze = sys.argv[i + 1]
    del sys.argv[i:i + 2]
tensors, _, _, _ = st_util.read(sys.argv[1])


def get(name):
    dtype, shape, raw, _ = tensors[name]
    return np.frombuffer(raw, st_util.DTYPES[dtype]).astype(np.float64) \
        .reshape(shape)


def conv_matrix(w, c, h, wd, stride=1, dilation=1, padding=0):
    """The matrix of x[c, h, wd] -> conv2d(x, w): the reference's own
    (test/reference/test_identities.py), built by explicit loops."""
    assert w.shape[1] == c
    m, _, _ = np_conv_matrix(torch.from_numpy(w), h, wd, stride, padding,
                             dilation)
    return m


def lipschitz(dt):
    return 2 * np.linalg.svd(dt, compute_uv=False)[0] ** 2


def step(name):
    return get(name).max()


rows = []
# a = pursuit([conv(4, 3, padding = 1)]) on [2, 9, 9]
fa = conv_matrix(get("a.dict.0.weight"), 2, 9, 9, padding=1)
rows.append(("a", lipschitz(fa), step("a.step")))
# b = pursuit([identity, conv(3, 3, dilation = 2, padding = 2)]) on [4, 9, 9]
fb = conv_matrix(get("b.dict.1.weight"), 4, 9, 9, dilation=2, padding=2)
db = np.vstack([np.eye(4 * 81), fb])
rows.append(("b", lipschitz(db), step("b.step")))
# c = pursuit([conv(5, 3, stride = 2, padding = 1)]) on [7, 9, 9]
fc = conv_matrix(get("c.dict.0.weight"), 7, 9, 9, stride=2, padding=1)
rows.append(("c", lipschitz(fc), step("c.step")))
# the stack on [5, 5, 5]: [identity, conv(4, 3, padding = 1)], then
# [conv(8, 1) >> conv(6, 3, padding = 1)] on the 9-channel code
f0 = conv_matrix(get("stack3.0.dict.1.weight"), 5, 5, 5, padding=1)
d0 = np.vstack([np.eye(5 * 25), f0])
rows.append(("stack3.0", lipschitz(d0), step("stack3.0.step")))
g1 = conv_matrix(get("stack3.1.dict.0.0.weight"), 9, 5, 5)
g2 = conv_matrix(get("stack3.1.dict.0.1.weight"), 8, 5, 5, padding=1)
rows.append(("stack3.1", lipschitz(g2 @ g1), step("stack3.1.step")))

fd = conv_matrix(get("d.dict.0.weight"), 6, 5, 5, padding=1)
if scaled_from:
    # --step-init scaled: each dictionary's filters are the fresh ones (the
    # same seed's file with c = 1/L) times one factor <= 1, and c
    # lambda_max = 0.95 with c <= 1 (c = 1 and lambda_max within 1% of 0.95
    # without identity blocks; lambda_max within 1% of 1.1, the identity's
    # 1 plus 10%, with them).
    plain, _, _, _ = st_util.read(scaled_from)
    filters = {"a": ["a.dict.0.weight"], "b": ["b.dict.1.weight"],
               "c": ["c.dict.0.weight"], "stack3.0": ["stack3.0.dict.1.weight"],
               "stack3.1": ["stack3.1.dict.0.0.weight",
                            "stack3.1.dict.0.1.weight"]}
    identity = {"b", "stack3.0"}
    wrong = False
    for name, L, c in rows:
        lam = L / 2
        ratios = []
        for f in filters[name]:
            dtype, shape, raw, _ = plain[f]
            before = np.frombuffer(raw, st_util.DTYPES[dtype]).astype(
                np.float64)
            after = get(f).ravel()
            ratios.extend((after / before).tolist())
        factor = np.median(ratios)
        one_factor = np.allclose(ratios, factor, rtol=1e-5) and factor <= 1
        want = 1.1 if name in identity else 0.95
        ok = (one_factor and abs(c * lam - 0.95) < 1e-4 and c <= 1 + 1e-6
              and abs(lam - want) <= 0.01 * want)
        wrong = wrong or not ok
        print("%s: %s" % (name, "filters x %.3g, lambda_max %.4g, c %.4g, "
                          "c lambda_max 0.95" % (factor, lam, c) if ok else
                          "WRONG: factors %s..%s, lambda_max %.6g, c %.6g"
                          % (min(ratios), max(ratios), lam, c)))
    # d never iterates: its filters and c = 1 stay as drawn.
    same = plain["d.dict.0.weight"][2] == tensors["d.dict.0.weight"][2]
    print("d: %s" % ("as drawn, c = 1" if same and step("d.step") == 1
                     else "CHANGED"))
    sys.exit(1 if wrong or not same else 0)
if analyze:
    import json
    report = {d["name"]: d for d in json.load(open(analyze))["dictionaries"]}
    tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-9
    dense = rows + [("d", lipschitz(fd), step("d.step"))]
    print("analyze: %d dictionaries" % len(report))
    for name, L, c in dense:
        got = report[name]
        err = abs(got["lipschitz"] - L) / L
        cerr = abs(got["c"] - c) / c
        print("%s: L %s, c %s, %s" % (
            name, "matches" if err < tol else "DIFFERS: %.12g vs dense %.12g"
            % (got["lipschitz"], L),
            "matches" if cerr < 1e-12 else "DIFFERS: %.12g vs %.12g"
            % (got["c"], c), got["stability"]))
    sys.exit(0)

# d never iterates (unfold = 0): no stability to keep, c stays 1.
print("d: c = %s" % ("1" if step("d.step") == 1 else "%.6g" % step("d.step")))

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
