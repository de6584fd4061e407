"""coherence_ref.py MODEL WEIGHTS.safetensors ANALYZE.json
An independent check of `cscc analyze --coherence` for the models of
coherence.csc and fig1.csc: the analysis operator D^T of the model's one
dictionary built as a dense matrix from its filters (the reference's
np_conv_matrix: cross-correlation with stride, dilation and zero padding; a
chain as the product; identity blocks as I), its rows the atoms; then
mu = max over distinct nonzero atoms of |G_ab| / sqrt(G_aa G_bb), G = D^T D
in atom space, for the whole dictionary and for its conv blocks alone.
Prints both next to analyze's values and whether they agree to 1e-9."""
import json
import os
import sys

import numpy as np
import torch

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "..", "Runtime", "Inputs"))
sys.path.insert(0, os.path.join(here, "..", "..", "reference"))
import st_util  # noqa: E402
from test_identities import np_conv_matrix  # noqa: E402

model, weights, report = sys.argv[1:4]
tensors, _, _, _ = st_util.read(weights)


def get(name):
    dtype, shape, raw, _ = tensors[name]
    return np.frombuffer(raw, st_util.DTYPES[dtype]).astype(np.float64) \
        .reshape(shape)


def conv(name, c, h, w, stride=1, dilation=1, padding=0):
    m, _, _ = np_conv_matrix(torch.from_numpy(get(name)), h, w, stride,
                             padding, dilation)
    return m


def mu(rows):
    g = rows @ rows.T
    d = np.diag(g).copy()
    keep = d > 1e-12 * d.max()
    g = g[np.ix_(keep, keep)]
    d = d[keep]
    cos = np.abs(g) / np.sqrt(np.outer(d, d))
    np.fill_diagonal(cos, 0)
    return cos.max()


# The analysis matrix of each model's dictionary: blocks stacked (rows).
if model == "plain":
    conv_blocks = [conv("p.dict.0.weight", 1, 24, 24, padding=1)]
    identity = None
elif model == "strided":
    conv_blocks = [conv("p.dict.0.weight", 2, 32, 32, stride=2, padding=1)]
    identity = None
elif model == "identity_dilated":
    conv_blocks = [conv("p.dict.1.weight", 1, 30, 30, dilation=2, padding=2)]
    identity = np.eye(900)
elif model == "two_dilations":
    conv_blocks = [conv("p.dict.1.weight", 1, 30, 30, padding=1),
                   conv("p.dict.2.weight", 1, 30, 30, dilation=3, padding=3)]
    identity = np.eye(900)
elif model == "chain":
    first = conv("p.dict.0.0.weight", 2, 24, 24)
    second = conv("p.dict.0.1.weight", 3, 24, 24, padding=1)
    conv_blocks = [second @ first]
    identity = None
elif model == "dense":
    conv_blocks = [conv("p.dict.0.weight", 1, 4, 4)]
    identity = None
elif model == "dilated":
    conv_blocks = [conv("p.dict.0.weight", 1, 4, 4, dilation=2)]
    identity = None
else:
    sys.exit("unknown model " + model)

whole = np.vstack(([identity] if identity is not None else []) + conv_blocks)
got = json.load(open(report))["dictionaries"][0]
mu_whole = mu(whole)
ok = abs(got["coherence"]["mu"] - mu_whole) < 1e-9
print("%s: mu %.9f, dense %.9f: %s" % (model, got["coherence"]["mu"],
                                       mu_whole,
                                       "agree" if ok else "DIFFER"))
if identity is not None:
    mu_conv = mu(np.vstack(conv_blocks))
    ok = abs(got["conv_coherence"]["mu"] - mu_conv) < 1e-9
    print("%s conv blocks: mu %.9f, dense %.9f: %s" % (
        model, got["conv_coherence"]["mu"], mu_conv,
        "agree" if ok else "DIFFER"))
if model in ("dense", "dilated"):
    # Fig. 1's closed form: the kernel [[a, b], [c, d]] against its own
    # shifts by one pixel (dilation 1); disjoint atoms (dilation 2).
    (a, b), (c, d) = get("p.dict.0.weight")[0, 0]
    n2 = a * a + b * b + c * c + d * d
    closed = 0.0 if model == "dilated" else max(
        abs(a * b + c * d), abs(a * c + b * d), abs(a * d), abs(b * c)) / n2
    ok = abs(got["coherence"]["mu"] - closed) < 1e-9
    print("%s: closed form %.9f: %s" % (model, closed,
                                         "agree" if ok else "DIFFER"))
columns, atoms = got["coherence"]["columns"], got["coherence"]["atoms"]
print("%s: %s" % (model, "columns %d of %d atoms" % (columns, atoms)))
