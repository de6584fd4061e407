"""`cscc eval` of Inputs/tiny.csc against the PyTorch reference
(test/reference/csc_reference.py) on the simulated test set
(test/Train/bn-eval.test).

usage: bn_eval_ref.py WEIGHTS NPY_DIR --unfold U [--running EVAL.txt]
                      [--batch EVAL.txt] [--eval-batch B] [--min-gap G]

The reference builds tiny (float64) from the model file's description,
loads WEIGHTS (every tensor, strict), normalises NPY_DIR/test_images.npy
(`cscc-runtime-check datasets-load --npy`) with the mean and std the
weights' metadata records, and computes the mean cross-entropy and the
accuracy on NPY_DIR/test_labels.npy twice: in eval mode (batch norm with
the running statistics) and in train mode on consecutive batches of B
images (default 256: each batch's own statistics, as `eval --bn-stats
batch`). --running / --batch: `cscc eval` outputs whose 'test loss:' and
'test accuracy:' lines must match the eval-mode / batch-statistics values
(loss to 2e-4: the output has 4 decimals and cscc computes in float32;
accuracy to 2 images). The two reference losses must differ by more than G
(default 0.05), so that an eval with the wrong statistics fails. Prints
one line per comparison; exit 1 on a failure.
"""
import argparse
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import csc_reference as ref  # noqa: E402
from cscc_io import read_safetensors  # noqa: E402


def tiny(unfold):
    """Inputs/tiny.csc."""
    net = ref.Net((1, 28, 28))
    net.conv(8, 3, padding=1)
    net.bn()
    net.relu()
    net.maxpool(2)
    for i in range(2):
        with net.loop(i):
            net.pursuit([ref.IDENTITY, ref.Atom(4, 3, dilation=i + 1, padding=i + 1)],
                        unfold=unfold, bn="prox", name="g")
    net.maxpool(2)
    net.global_avgpool()
    net.linear(10)
    net.set_loss()
    return net


def printed(path):
    text = open(path).read()
    loss = re.findall(r"^test loss: ([0-9.]+)$", text, re.M)
    acc = re.findall(r"^test accuracy: ([0-9.]+)$", text, re.M)
    if len(loss) != 1 or len(acc) != 1:
        return None
    return float(loss[0]), float(acc[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("npy")
    ap.add_argument("--unfold", type=int, required=True)
    ap.add_argument("--running")
    ap.add_argument("--batch")
    ap.add_argument("--eval-batch", type=int, default=256)
    ap.add_argument("--min-gap", type=float, default=0.05)
    a = ap.parse_args()

    w, meta = read_safetensors(a.weights)
    net = tiny(a.unfold).double()
    net.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in w.items()},
                        strict=True)
    images = np.load(os.path.join(a.npy, "test_images.npy"))
    labels = torch.from_numpy(np.load(os.path.join(a.npy, "test_labels.npy")).astype(np.int64))
    x = images.astype(np.float64) / 255
    mean = [float(v) for v in meta["extra.normalize_mean"].split(",")]
    std = [float(v) for v in meta["extra.normalize_std"].split(",")]
    x = (x - np.array(mean)[None, :, None, None]) / np.array(std)[None, :, None, None]
    x = torch.from_numpy(x)

    def loss_acc(logits):
        logits = logits.reshape(logits.shape[0], -1)
        return (F.cross_entropy(logits, labels).item(),
                (logits.argmax(dim=1) == labels).double().mean().item())

    with torch.no_grad():
        net.eval()
        running = loss_acc(net(x))
        net.train()  # batch statistics (the running ones are not used after)
        batch = loss_acc(torch.cat([net(x[i:i + a.eval_batch])
                                    for i in range(0, len(x), a.eval_batch)]))
    bad = 0
    gap = abs(running[0] - batch[0])
    print("bn_eval_ref: %d images; loss with running statistics %.4f, with "
          "batch statistics %.4f: %s" % (len(x), running[0], batch[0],
                                          "differ" if gap > a.min_gap else
                                          "FAIL: too close to tell apart"))
    bad += gap <= a.min_gap
    for what, path, want in (("running", a.running, running), ("batch", a.batch, batch)):
        if not path:
            continue
        got = printed(path)
        if got is None:
            print("bn_eval_ref: %s: FAIL: no 'test loss:' and 'test accuracy:' in %s" % (what, path))
            bad += 1
        elif abs(got[0] - want[0]) > 2e-4 or abs(got[1] - want[1]) > 2.5 / len(x):
            print("bn_eval_ref: %s: FAIL: cscc eval loss %.4f accuracy %.4f, reference "
                  "loss %.6f accuracy %.6f" % (what, got[0], got[1], want[0], want[1]))
            bad += 1
        else:
            print("bn_eval_ref: %s: ok: loss %.4f accuracy %.4f" % (what, got[0], got[1]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
