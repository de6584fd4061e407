"""Per-code sparsity (fraction of zeros) for test/Train/sparsity*.test,
computed independently of cscc: the model of sparsity_model.csc is built
with the PyTorch reference (test/reference/csc_reference.py, written from
the mathematics), loaded with the weights cscc evaluated, run in float64 on
the images cscc read, and each code's fraction of exact zeros is taken over
all images at once.

  make-idx DIR                 MNIST-layout IDX files with known pixels
                               (4 train, 50 test images)
  reference WEIGHTS DIR EVAL [--wrong]
                               `cscc eval --data mnist --data-path DIR`'s
                               output EVAL against the reference on DIR's
                               test images (normalised with the mean/std
                               stored in WEIGHTS, as cscc does); --wrong
                               shifts every threshold of the reference by
                               +0.5, which must make every code fail
  metrics METRICS.jsonl EVAL   the last epoch's "sparsity" object names the
                               same codes in the same order as EVAL's
                               `sparsity NAME: V` lines, with the same
                               values (to EVAL's 4 decimals)
  closed-form IN OUT           IN's weights with g.0's thresholds 1e30 (its
                               code all zeros: 1), g.1's -1e3 (with
                               unfold = 0 and an all-zero input, never
                               zero: 0) and the stack's 1e30 (all zeros,
                               and so is relu of it: 1)
"""
import json
import os
import re
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import csc_reference as ref  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Runtime", "Inputs"))
from datasets_util import idx_images, idx_labels  # noqa: E402

# Printed values have 4 decimals (5e-5); float32 (cscc) against float64
# (here) may move an element within ~1e-6 of its threshold across it.
TOL = 1.5e-4


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def model(unfold=1):
    """sparsity_model.csc, statement by statement."""
    net = ref.Net((1, 28, 28))
    net.conv(8, 3, padding=1)
    net.bn()
    net.relu()
    net.maxpool(2)
    for i in range(2):
        with net.loop(i):
            net.pursuit([ref.IDENTITY, ref.Atom(4, 3, dilation=i + 1,
                                                padding=i + 1)],
                        unfold=unfold, bn="prox", name="g")
    net.stack([[ref.Atom(6, 3, padding=1)],
               [ref.IDENTITY, ref.Atom(4, 3, padding=1)]],
              unfold=1, prox="soft", bn="prox", name="s")
    net.pursuit([ref.IDENTITY], step="none", threshold="none")
    net.maxpool(2)
    net.global_avgpool()
    net.linear(10)
    net.set_loss()
    return net


def code_fractions(net, x):
    """[(name, fraction of zeros)] of every pursuit/stack output, in order.
    The name is the layer's (its parameters' prefix), or pursuit.K (K its
    index among the pursuits) for a layer without parameters."""
    with torch.no_grad():
        vals = net(x, return_all=True)
    out, k = [], 0
    for i, (kind, m, _, _) in enumerate(net._ops):
        if kind not in ("pursuit", "stack"):
            continue
        has_params = any(True for _ in m.parameters()) or \
            any(True for _ in m.buffers())
        name = net.layer_names[i] if has_params else "pursuit.%d" % k
        code = vals[i + 1]
        out.append((name, float((code == 0).sum()) / code.numel()))
        k += 1
    return out


def printed(path):
    return [(n, float(v)) for n, v in
            re.findall(r"^sparsity (\S+): ([0-9.]+)$", open(path).read(), re.M)]


def test_images():
    rng = np.random.RandomState(7)
    # smooth blobs plus noise: codes with structure, not just noise
    n, yy, xx = 50, *np.mgrid[0:28, 0:28]
    imgs = np.zeros((n, 28, 28))
    for i in range(n):
        for _ in range(3):
            cy, cx, r = rng.uniform(4, 24), rng.uniform(4, 24), rng.uniform(2, 7)
            imgs[i] += 255 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    imgs += rng.uniform(0, 40, imgs.shape)
    return np.clip(imgs, 0, 255).astype(np.uint8)


def make_idx(d):
    os.makedirs(d, exist_ok=True)
    test = test_images()
    train = test[:4]
    for name, data in (("train-images-idx3-ubyte", idx_images(train)),
                       ("train-labels-idx1-ubyte", idx_labels(np.arange(4))),
                       ("t10k-images-idx3-ubyte", idx_images(test)),
                       ("t10k-labels-idx1-ubyte",
                        idx_labels(np.arange(len(test)) % 10))):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("wrote %d test images to %s" % (len(test), d))


def load(path):
    with safe_open(path, "np") as f:
        meta = f.metadata() or {}
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    return tensors, meta


def reference(weights, d, eval_out, wrong):
    tensors, meta = load(weights)
    mean = float(meta["extra.normalize_mean"])
    std = float(meta["extra.normalize_std"])
    net = model().double()
    state = {k: torch.from_numpy(np.asarray(v, np.float64)) for k, v in tensors.items()}
    if wrong:
        for k in state:
            if k.endswith("threshold"):
                state[k] = state[k] + 0.5
    net.load_state_dict(state, strict=True)
    net.eval()
    raw = test_images()
    # as the loader: ((x / 255 - mean) / std) in float32
    x = ((raw.astype(np.float64) / 255.0 - mean) / std).astype(np.float32)
    x = torch.from_numpy(x.astype(np.float64)).reshape(-1, 1, 28, 28)
    want = code_fractions(net, x)
    got = printed(eval_out)
    if [n for n, _ in got] != [n for n, _ in want]:
        fail("codes %s, expected %s" % ([n for n, _ in got], [n for n, _ in want]))
    bad = 0
    for (name, g), (_, w) in zip(got, want):
        ok = abs(g - w) <= TOL
        print("%s %s: cscc %.4f, reference %.6f" % ("ok" if ok else "FAIL", name, g, w))
        bad += not ok
    if not 0 < sum(w for _, w in want) < len(want):
        fail("degenerate reference (all codes empty or full)")
    if bad:
        sys.exit(1)
    print("all %d codes agree" % len(want))


def metrics(path, eval_out):
    lines = [l for l in open(path).read().splitlines() if l.strip()]
    sp = json.loads(lines[-1])["sparsity"]
    got = printed(eval_out)
    if list(sp.keys()) != [n for n, _ in got]:
        fail("metrics.jsonl codes %s, eval prints %s" % (list(sp.keys()), [n for n, _ in got]))
    for name, v in got:
        if not 0.0 <= sp[name] <= 1.0 or abs(sp[name] - v) > 5e-5 + 1e-12:
            fail("%s: metrics.jsonl %r, eval %s" % (name, sp[name], v))
        print("ok %s: metrics %.6f, eval %.4f" % (name, sp[name], v))


def closed_form(src, dst):
    tensors, meta = load(src)
    for k in tensors:
        if k.endswith("threshold"):
            v = {"g.0": 1e30, "g.1": -1e3, "s.0": 1e30, "s.1": 1e30}[k.rsplit(".", 1)[0]]
            tensors[k] = np.full_like(tensors[k], v)
    save_file(tensors, dst, metadata=meta)
    print("wrote " + dst)


def main():
    a = sys.argv[1:]
    if a[:1] == ["make-idx"] and len(a) == 2:
        make_idx(a[1])
    elif a[:1] == ["reference"] and len(a) in (4, 5):
        reference(a[1], a[2], a[3], a[4:] == ["--wrong"])
    elif a[:1] == ["metrics"] and len(a) == 3:
        metrics(a[1], a[2])
    elif a[:1] == ["closed-form"] and len(a) == 3:
        closed_form(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
