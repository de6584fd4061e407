"""Batch norm under data-parallel training against PyTorch
(test/Train/mpi-batch-norm.test).

  ranks_bn_ref.py make-data DIR
      an MNIST-style IDX directory (6x5 images): 2 different training
      images with different labels, 3 test images. With batch 2 on 2
      processes every step's batch is both images and each process gets
      one of them, so each step's result does not depend on the data
      order: PyTorch replays the run exactly.

  ranks_bn_ref.py check CSCC MODEL RUN_DIR --seed S --epochs E --lr X
                  [--whole-batch]
      replays `cscc train MODEL` (Inputs/ranks_bn.csc: conv, bn, relu,
      global_avgpool, linear; SGD without momentum) in float64 from `cscc
      init --seed S`: each step, the loss is the mean of the two images'
      losses, each image through the model on its own (train mode: batch
      norm with that image's statistics, what each process computes on its
      share), and compares RUN_DIR's last checkpoint: every learned
      parameter to 1e-9 relative, and the running statistics to those of
      one of the 2^E sequences of images rank 0 can have seen (rank 0's are
      saved). --whole-batch replays batch norm with the statistics of both
      images together (one process; the test of the test: it must not
      match). Prints 'ranks bn check: ok ...' or FAIL lines; exit 1 on a
      failure.
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Runtime", "Inputs"))
from datasets_util import idx_images, idx_labels  # noqa: E402

H, W = 6, 5
LABELS = [3, 5]
EPS, MOMENTUM = 1e-5, 0.1


def images():
    return np.random.default_rng(11).integers(0, 256, size=(2, H, W), dtype=np.uint8)


def make_data(d):
    os.makedirs(d, exist_ok=True)
    test = np.random.default_rng(12).integers(0, 256, size=(3, H, W), dtype=np.uint8)
    files = {
        "train-images-idx3-ubyte": idx_images(images()),
        "train-labels-idx1-ubyte": idx_labels(LABELS),
        "t10k-images-idx3-ubyte": idx_images(test),
        "t10k-labels-idx1-ubyte": idx_labels([0, 1, 2]),
    }
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("make-data: 2 training images, 3 test images")


def forward(p, x):
    """Logits, and the batch's per-channel mean and unbiased variance."""
    y = F.conv2d(x, p["conv0.weight"], p["conv0.bias"], padding=1)
    mean = y.mean(dim=(0, 2, 3))
    var = y.var(dim=(0, 2, 3), unbiased=False)
    m = y.numel() // y.shape[1]
    y = (y - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + EPS)
    y = y * p["bn1.weight"][None, :, None, None] + p["bn1.bias"][None, :, None, None]
    y = torch.relu(y).mean(dim=(2, 3))
    return F.linear(y, p["linear4.weight"], p["linear4.bias"]), mean, var * m / (m - 1)


def simulate(w0, epochs, lr, whole):
    """Learned parameters after `epochs` steps, and the statistics of each
    step: per image ([a, b]) or of both ([ab])."""
    learned = ["conv0.weight", "conv0.bias", "bn1.weight", "bn1.bias",
               "linear4.weight", "linear4.bias"]
    p = {k: w0[k].clone().requires_grad_(k in learned) for k in w0}
    x = torch.tensor(images()[:, None], dtype=torch.float64) / 255
    y = torch.tensor(LABELS)
    stats = []
    for _ in range(epochs):
        if whole:
            logits, mean, var = forward(p, x)
            loss = F.cross_entropy(logits, y)
            stats.append([(mean.detach(), var.detach())])
        else:
            la, ma, va = forward(p, x[:1])
            lb, mb, vb = forward(p, x[1:])
            loss = 0.5 * (F.cross_entropy(la, y[:1]) + F.cross_entropy(lb, y[1:]))
            stats.append([(ma.detach(), va.detach()), (mb.detach(), vb.detach())])
        grads = torch.autograd.grad(loss, [p[k] for k in learned])
        with torch.no_grad():
            for k, g in zip(learned, grads):
                p[k] -= lr * g
    return {k: p[k].detach() for k in learned}, stats


def running(w0, choice):
    """The running statistics after the steps' statistics `choice`."""
    m, v = w0["bn1.running_mean"].clone(), w0["bn1.running_var"].clone()
    for mean, var in choice:
        m = (1 - MOMENTUM) * m + MOMENTUM * mean
        v = (1 - MOMENTUM) * v + MOMENTUM * var
    return m, v


def rel(a, b):
    # (a parameter that stays near 0, as the conv bias before batch norm,
    # whose gradient is 0 up to rounding, is compared on the scale 1e-3)
    return (a - b).abs().max().item() / max(b.abs().max().item(), 1e-3)


def compare(w0, got, epochs, lr, whole):
    want, stats = simulate(w0, epochs, lr, whole)
    bad = []
    worst = 0.0
    for k, w in want.items():
        e = rel(got[k], w)
        worst = max(worst, e)
        if not e <= 1e-9:
            bad.append("%s: relative difference %.3e" % (k, e))
    best = min(max(rel(got["bn1.running_mean"], m), rel(got["bn1.running_var"], v))
               for m, v in (running(w0, c) for c in itertools.product(*stats)))
    if not best <= 1e-9:
        bad.append("running statistics: no sequence of the steps' statistics "
                   "gives them (closest %.3e)" % best)
    return bad, worst


def check(a):
    with tempfile.TemporaryDirectory() as tmp:
        init = os.path.join(tmp, "init.safetensors")
        subprocess.run([a.cscc, "init", a.model, "-o", init, "--seed",
                        str(a.seed), "--dtype", "f64"], check=True)
        w0 = {k: v.double() for k, v in load_file(init).items()}
    got = load_file(os.path.join(a.run, "last.safetensors"))
    bad, worst = compare(w0, got, a.epochs, a.lr, a.whole_batch)
    what = "whole batch" if a.whole_batch else "per process"
    for line in bad:
        print("ranks bn check (%s): FAIL: %s" % (what, line))
    if not bad:
        print("ranks bn check (%s): ok: %d steps (worst relative difference %.1e)"
              % (what, a.epochs, worst))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make-data":
        make_data(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["check"])
    ap.add_argument("cscc")
    ap.add_argument("model")
    ap.add_argument("run")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--whole-batch", action="store_true")
    return check(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())
