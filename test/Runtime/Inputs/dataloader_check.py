#!/usr/bin/env python3
"""Checks of cscc-runtime-check dataloader-dump / dataloader-split output
against NumPy, for test/Runtime/dataloader*.test.

The data set's raw images and labels come from EXPECT (the .npy files
datasets_util.py make-dirs wrote while generating the files, or
`fmnist-expect`, which decodes the installed Fashion-MNIST with gzip +
NumPy), never from the runtime. Everything the loader promises is re-derived
here:

  batches OUT EXPECT [--split S] [--batch B] [--shuffle] [--normalize]
          [--crop P] [--flip] [--validation F] [--dtype f32|f64]
          [--max-batches M]
      the validation split (disjoint, covering, sizes, sorted); mean/std =
      NumPy's per-channel population statistics of x/255 over the train
      split; batch sizes (all B but a smaller last one); the images cover
      the split exactly once (a permutation when shuffled, the split's own
      order otherwise); labels; and every image: without augmentation
      bit-equal to ((x/255 - mean)/std).astype(dtype), with augmentation
      equal to some window of the zero-padded raw image (pad value 0 before
      normalising), possibly mirrored; flips and offsets have the right
      frequencies.
  split OUT N FRACTION   dataloader-split output: disjoint, covering 0..N-1,
                         round(FRACTION*N) held out, each sorted
  same A B... [--only F] the dumps in A, B, ... are byte-identical (every
                         .npy file of A, or only F)
  prefix SHORT LONG      SHORT's batches are the first batches of LONG
  suffix TAIL LONG K     TAIL's batches (an epoch started at batch K) are
                         LONG's batches from K on, byte for byte
  fmnist-expect DIR OUT  decode Fashion-MNIST's four .gz files into OUT
  simulated NPY          datasets-load simulated --npy output: shapes,
                         balanced labels, and a small CNN (PyTorch) learns
                         it (test accuracy well above chance)
"""
import argparse
import gzip
import math
import os
import struct
import sys

import numpy as np


def fail(msg):
    sys.exit("FAIL: " + msg)


def load(d, name):
    return np.load(os.path.join(d, name))


def check_split(train, val, n, fraction):
    k = int(math.floor(fraction * n + 0.5))
    if len(val) != k or len(train) != n - k:
        fail("split sizes %d + %d, expected %d + %d" % (len(train), len(val), n - k, k))
    for name, a in (("train", train), ("validation", val)):
        if np.any(np.diff(a) <= 0):
            fail(name + " indices are not sorted ascending and distinct")
    both = np.concatenate([train, val])
    if len(np.intersect1d(train, val)):
        fail("train and validation share indices")
    if not np.array_equal(np.sort(both), np.arange(n)):
        fail("train + validation do not cover 0..%d" % (n - 1))


def crops(raw, p, flip, pad_value=0):
    """Every (dy, dx, flip) view of raw u8 [N, C, H, W], padded by p pixels
    of value pad_value (0: black, as torchvision pads): a dict
    (dy, dx, f) -> u8 [N, C, H, W]."""
    n, c, h, w = raw.shape
    padded = np.pad(raw, ((0, 0), (0, 0), (p, p), (p, p)),
                    constant_values=pad_value)
    out = {}
    for dy in range(2 * p + 1):
        for dx in range(2 * p + 1):
            win = padded[:, :, dy:dy + h, dx:dx + w]
            out[(dy, dx, False)] = win
            if flip:
                out[(dy, dx, True)] = win[:, :, :, ::-1]
    return out


def normalise(x, mean, std, dtype):
    return ((x / 255.0 - mean[None, :, None, None]) / std[None, :, None, None]).astype(dtype)


def cmd_batches(a):
    out, exp = a.out, a.expect
    dtype = np.float32 if a.dtype == "f32" else np.float64
    train_raw = load(exp, "train_images.npy")
    train_lbl = load(exp, "train_labels.npy")
    ntrain = len(train_lbl)

    tr = load(out, "train_indices.npy")
    va = load(out, "validation_indices.npy")
    check_split(tr, va, ntrain, a.validation)

    mean, std = load(out, "mean.npy"), load(out, "std.npy")
    c = train_raw.shape[1]
    if a.normalize:
        x = train_raw[tr].astype(np.float64) / 255.0
        want_mean = x.mean(axis=(0, 2, 3))
        want_std = x.std(axis=(0, 2, 3))
        if not (np.allclose(mean, want_mean, rtol=1e-12, atol=0) and
                np.allclose(std, want_std, rtol=1e-12, atol=0)):
            fail("normalisation %s %s, NumPy says %s %s" % (mean, std, want_mean, want_std))
    elif not (np.array_equal(mean, np.zeros(c)) and np.array_equal(std, np.ones(c))):
        fail("without --normalize mean/std must be 0/1, got %s %s" % (mean, std))

    if a.split == "test":
        raw, lbl = load(exp, "test_images.npy"), load(exp, "test_labels.npy")
        split = np.arange(len(lbl))
    else:
        raw, lbl = train_raw, train_lbl
        split = tr if a.split == "train" else va

    sizes = load(out, "sizes.npy")
    idx = load(out, "indices.npy")
    labels = load(out, "labels.npy")
    images = load(out, "images.npy")
    nb = (len(split) + a.batch - 1) // a.batch
    expect_nb = nb if a.max_batches is None else min(nb, a.max_batches)
    if len(sizes) != expect_nb:
        fail("%d batches written, expected %d" % (len(sizes), expect_nb))
    want_sizes = [min(a.batch, len(split) - b * a.batch) for b in range(expect_nb)]
    if list(sizes) != want_sizes:
        fail("batch sizes %s, expected %s" % (list(sizes), want_sizes))
    if len(idx) != sizes.sum() or len(labels) != len(idx) or len(images) != len(idx):
        fail("indices/labels/images lengths differ from the batch sizes")
    if a.max_batches is None:
        if not np.array_equal(np.sort(idx), np.sort(split)):
            fail("the epoch does not cover the split exactly once")
        if a.shuffle:
            if len(split) >= 20 and np.array_equal(idx, split):
                fail("--shuffle gave the split's own order")
        elif not np.array_equal(idx, split):
            fail("without --shuffle the order must be the split's own")
    else:
        if len(np.unique(idx)) != len(idx) or not np.all(np.isin(idx, split)):
            fail("the batches repeat images or leave the split")
    if not np.array_equal(labels, lbl[idx]):
        fail("labels differ from the data set's at the batch indices")
    if images.dtype != dtype or images.shape[1:] != raw.shape[1:]:
        fail("images are %s %s, expected %s [*, %s]" %
             (images.dtype, images.shape, np.dtype(dtype), raw.shape[1:]))

    src = raw[idx]
    if a.crop == 0 and not a.flip:
        want = normalise(src, mean, std, dtype)
        if not np.array_equal(images.view(np.uint8), want.view(np.uint8)):
            bad = np.argwhere(images != want)
            fail("%d values differ from NumPy's (x/255-mean)/std, first at %s: %r vs %r" %
                 (len(bad), bad[0], images[tuple(bad[0])], want[tuple(bad[0])]))
        print("batches: %d of sizes %s...; exact" % (len(sizes), list(sizes[:3])))
        return

    # Augmented: which views of each raw image does the output equal?
    views = crops(src, a.crop, a.flip, a.pad_value)
    keys = list(views)
    match = np.zeros((len(idx), len(keys)), bool)
    for j, k in enumerate(keys):
        v = normalise(views[k], mean, std, dtype)
        match[:, j] = np.all((v == images).reshape(len(idx), -1), axis=1)
    count = match.sum(axis=1)
    if np.any(count == 0):
        i = int(np.argmax(count == 0))
        fail("image %d (data set index %d) is no crop/flip of its source" % (i, idx[i]))
    unique = count == 1
    chosen = np.array([keys[j] for j in match.argmax(axis=1)], dtype=object)
    n = int(unique.sum())
    if n < 0.9 * len(idx):
        fail("too many ambiguous images (%d of %d unique); use random pixels" % (n, len(idx)))
    if a.flip:
        flips = sum(1 for k, u in zip(chosen, unique) if u and k[2])
        frac, sd = flips / n, math.sqrt(0.25 / n)
        if abs(frac - 0.5) > 4.5 * sd:
            fail("flipped fraction %.3f over %d images, expected 0.5 +- %.3f" % (frac, n, 4.5 * sd))
        print("flips: %.3f of %d (expected 0.5)" % (frac, n))
    if a.crop:
        p = a.crop
        offs = np.array([(k[0], k[1]) for k, u in zip(chosen, unique) if u])
        cells = (2 * p + 1) ** 2
        hist = np.zeros((2 * p + 1, 2 * p + 1), int)
        for dy, dx in offs:
            hist[dy, dx] += 1
        if n >= 20 * cells and np.any(hist == 0):
            fail("some crop offsets never occur: %s" % hist)
        for axis in (0, 1):
            m = offs[:, axis].mean()
            sd = math.sqrt(((2 * p + 1) ** 2 - 1) / 12 / len(offs))
            if abs(m - p) > 4.5 * sd:
                fail("mean offset %.3f on axis %d, expected %d +- %.3f" % (m, axis, p, 4.5 * sd))
        # Chi-square of the offsets' uniformity (cells - 1 degrees of freedom):
        # a bound at mean + 6 standard deviations.
        e = len(offs) / cells
        chi2 = ((hist - e) ** 2 / e).sum()
        bound = (cells - 1) + 6 * math.sqrt(2 * (cells - 1))
        if n >= 5 * cells and chi2 > bound:
            fail("offsets not uniform: chi2 %.1f > %.1f\n%s" % (chi2, bound, hist))
        print("offsets: uniform over %dx%d (chi2 %.1f)" % (2 * p + 1, 2 * p + 1, chi2))
    print("batches: %d, every image a crop/flip of its source" % len(sizes))


def cmd_split(a):
    tr = load(a.out, "train.npy")
    va = load(a.out, "validation.npy")
    check_split(tr, va, a.n, a.fraction)
    print("split: %d train, %d validation" % (len(tr), len(va)))


def cmd_same(a):
    names = sorted(f for f in os.listdir(a.dirs[0]) if f.endswith(".npy"))
    if a.only:
        names = [a.only]
    for other in a.dirs[1:]:
        for f in names:
            with open(os.path.join(a.dirs[0], f), "rb") as x, \
                    open(os.path.join(other, f), "rb") as y:
                if x.read() != y.read():
                    fail("%s differs between %s and %s" % (f, a.dirs[0], other))
    print("same: %d dumps, %s" % (len(a.dirs), " ".join(names)))


def cmd_prefix(a):
    sizes = load(a.short, "sizes.npy")
    if not np.array_equal(sizes, load(a.long, "sizes.npy")[:len(sizes)]):
        fail("batch sizes are not a prefix")
    n = int(sizes.sum())
    for f in ("images.npy", "labels.npy", "indices.npy"):
        s, l = load(a.short, f), load(a.long, f)
        if len(s) != n or not np.array_equal(s, l[:n]):
            fail(f + ": not the first %d entries of the full epoch" % n)
    print("prefix: %d batches, %d images" % (len(sizes), n))


def cmd_suffix(a):
    sizes, full = load(a.tail, "sizes.npy"), load(a.long, "sizes.npy")
    if a.k < 1 or not np.array_equal(sizes, full[a.k:]):
        fail("batch sizes %s are not those of batches %d.. of the full "
             "epoch %s" % (sizes.tolist(), a.k, full.tolist()))
    skip = int(full[:a.k].sum())
    for f in ("images.npy", "labels.npy", "indices.npy"):
        t, l = load(a.tail, f), load(a.long, f)
        if len(t) != len(l) - skip or not np.array_equal(t, l[skip:]):
            fail(f + ": not the full epoch's entries from %d on" % skip)
    print("suffix: %d batches from batch %d, %d images" %
          (len(sizes), a.k, len(load(a.tail, "labels.npy"))))


def cmd_fmnist_expect(a):
    os.makedirs(a.out, exist_ok=True)
    for split, prefix in (("train", "train"), ("test", "t10k")):
        with gzip.open(os.path.join(a.dir, prefix + "-images-idx3-ubyte.gz")) as f:
            data = f.read()
        magic, n, h, w = struct.unpack(">IIII", data[:16])
        assert magic == 0x803
        images = np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, h, w)
        with gzip.open(os.path.join(a.dir, prefix + "-labels-idx1-ubyte.gz")) as f:
            data = f.read()
        labels = np.frombuffer(data, np.uint8, offset=8).astype(np.int64)
        np.save(os.path.join(a.out, split + "_images.npy"), images)
        np.save(os.path.join(a.out, split + "_labels.npy"), labels)


def cmd_simulated(a):
    tri, trl = load(a.npy, "train_images.npy"), load(a.npy, "train_labels.npy")
    tei, tel = load(a.npy, "test_images.npy"), load(a.npy, "test_labels.npy")
    if tri.shape != (2048, 1, 28, 28) or tei.shape != (512, 1, 28, 28):
        fail("simulated shapes %s %s" % (tri.shape, tei.shape))
    for name, l in (("train", trl), ("test", tel)):
        counts = np.bincount(l, minlength=10)
        if len(counts) != 10 or counts.max() - counts.min() > 1:
            fail(name + " labels are not balanced over 10 classes: %s" % counts)
    import torch
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    mean, std = tri.mean() / 255.0, tri.std() / 255.0

    def prep(x):
        return torch.tensor((x / 255.0 - mean) / std, dtype=torch.float32)

    x, y = prep(tri), torch.tensor(trl)
    xt, yt = prep(tei), torch.tensor(tel)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 10))
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for epoch in range(a.epochs):
        perm = torch.randperm(len(y))
        for i in range(0, len(y), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[b]), y[b]).backward()
            opt.step()
    with torch.no_grad():
        acc = (net(xt).argmax(1) == yt).float().mean().item()
    print("simulated: test accuracy %.3f after %d epochs" % (acc, a.epochs))
    if acc < a.min_accuracy:
        fail("a small CNN reaches only %.3f (< %.2f): not learnable" % (acc, a.min_accuracy))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("batches")
    b.add_argument("out")
    b.add_argument("expect")
    b.add_argument("--split", default="train")
    b.add_argument("--batch", type=int, default=32)
    b.add_argument("--shuffle", action="store_true")
    b.add_argument("--normalize", action="store_true")
    b.add_argument("--crop", type=int, default=0)
    b.add_argument("--flip", action="store_true")
    b.add_argument("--validation", type=float, default=0.0)
    b.add_argument("--dtype", default="f32")
    b.add_argument("--max-batches", type=int)
    b.add_argument("--pad-value", type=int, default=0,
                   help="the pixel value the crop pads with (to show the "
                   "check fails for any other than 0)")
    s = sub.add_parser("split")
    s.add_argument("out")
    s.add_argument("n", type=int)
    s.add_argument("fraction", type=float)
    sm = sub.add_parser("same")
    sm.add_argument("dirs", nargs="+")
    sm.add_argument("--only")
    px = sub.add_parser("prefix")
    px.add_argument("short")
    px.add_argument("long")
    sx = sub.add_parser("suffix")
    sx.add_argument("tail")
    sx.add_argument("long")
    sx.add_argument("k", type=int)
    f = sub.add_parser("fmnist-expect")
    f.add_argument("dir")
    f.add_argument("out")
    m = sub.add_parser("simulated")
    m.add_argument("npy")
    m.add_argument("--epochs", type=int, default=3)
    m.add_argument("--min-accuracy", type=float, default=0.8)
    a = ap.parse_args()
    {"batches": cmd_batches, "split": cmd_split, "same": cmd_same,
     "prefix": cmd_prefix, "suffix": cmd_suffix,
     "fmnist-expect": cmd_fmnist_expect,
     "simulated": cmd_simulated}[a.cmd](a)


if __name__ == "__main__":
    main()
