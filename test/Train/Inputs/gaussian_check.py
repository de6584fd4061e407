"""gaussian_check.py DIR NOISE CLASSES [NORM_DIR]

Checks the simulated Gaussian-centres set that `cscc-runtime-check
datasets-load simulated --data-dim D --npy DIR` wrote (train/test images
and labels), against what the paper's experiment asks for: float32
signals [N, D, 1, 1]; labels balanced over CLASSES; train and test drawn
around the same centres (each class's train and test means agree within
the noise's standard error); the noise's standard deviation per value
NOISE (within 3%); the centres' values N(0, 1) (their mean within
4 / sqrt(classes * D), their deviation within 5%).

With NORM_DIR (a `dataloader-dump --normalize --split test` of the same set
in float32): its batches are the test images normalised per channel with
the train split's mean and population deviation, recomputed here in
float64 (to 1e-5)."""
import sys

import numpy as np

d, noise, classes = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
tr, trl = np.load(d + "/train_images.npy"), np.load(d + "/train_labels.npy")
te, tel = np.load(d + "/test_images.npy"), np.load(d + "/test_labels.npy")
bad = []
if tr.dtype != np.float32 or tr.ndim != 4 or tr.shape[2:] != (1, 1):
    bad.append("train images are %s %s" % (tr.dtype, tr.shape))
D = tr.shape[1]
for name, lab in (("train", trl), ("test", tel)):
    counts = np.bincount(lab, minlength=classes)
    if counts.max() - counts.min() > 1 or len(counts) != classes:
        bad.append("%s labels unbalanced: %s" % (name, counts))
x, y = tr.reshape(len(tr), D).astype(np.float64), trl
xt, yt = te.reshape(len(te), D).astype(np.float64), tel
means = np.stack([x[y == k].mean(0) for k in range(classes)])
tmeans = np.stack([xt[yt == k].mean(0) for k in range(classes)])
resid = np.concatenate([x[y == k] - means[k] for k in range(classes)])
sd = resid.std()
# train and test means of a class differ by noise * sqrt(1/n_tr + 1/n_te)
n_tr, n_te = len(x) / classes, len(xt) / classes
se = noise * np.sqrt(1 / n_tr + 1 / n_te)
z = np.abs(means - tmeans) / se
if np.mean(z > 4) > 0.001:
    bad.append("train and test class means differ: %.4f of values beyond 4 "
               "standard errors" % np.mean(z > 4))
if abs(sd - noise) > 0.03 * noise:
    bad.append("noise deviation %.4f, expected %.4f" % (sd, noise))
if abs(means.mean()) > 4 / np.sqrt(classes * D) or abs(means.std() - 1) > 0.05:
    bad.append("centres mean %.4f std %.4f, expected N(0, 1)" % (means.mean(), means.std()))
if len(sys.argv) > 4:
    n = sys.argv[4]
    got = np.load(n + "/images.npy").astype(np.float64)
    mean = x.mean(0)  # per channel: each channel is one value of the signal
    std = x.std(0)
    want = (xt[:len(got)] - mean) / std
    err = np.abs(got.reshape(len(got), D) - want).max()
    if err > 1e-5 * max(1.0, np.abs(want).max()):
        bad.append("normalised batches differ from numpy's by %.3g" % err)
    else:
        print("normalised: %d test signals as numpy's (max |diff| %.1e)" % (len(got), err))
if bad:
    print("FAIL " + "; ".join(bad))
    sys.exit(1)
print("gaussian: %d train, %d test, dim %d, %d classes, noise %.4f, centres "
      "mean %.3f std %.3f: ok" % (len(x), len(xt), D, classes, sd, means.mean(), means.std()))
