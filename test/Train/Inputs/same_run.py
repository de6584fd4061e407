"""Compares two runs' printed results: each epoch's train loss (relative
tolerance) and the final test accuracy (absolute tolerance).

usage: same_run.py A.txt B.txt [--loss-rtol R] --accuracy D

A.txt and B.txt are the output of `train` or `eval` (plain progress).
"""
import argparse
import re
import sys


def read(path):
    text = open(path).read()
    losses = [float(x) for x in re.findall(r"train loss ([0-9.]+)", text)]
    acc = re.findall(r"^test accuracy: ([0-9.]+)$", text, re.M)
    return losses, float(acc[-1]) if acc else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--loss-rtol", type=float, default=None)
    ap.add_argument("--accuracy", type=float, required=True)
    o = ap.parse_args()
    (la, aa), (lb, ab) = read(o.a), read(o.b)
    bad = []
    if aa is None or ab is None:
        bad.append("no 'test accuracy:' line in %s" % (o.a if aa is None else o.b))
    elif abs(aa - ab) > o.accuracy:
        bad.append("test accuracy %.4f vs %.4f" % (aa, ab))
    if o.loss_rtol is not None:
        if len(la) != len(lb) or not la:
            bad.append("epochs: %d vs %d train losses" % (len(la), len(lb)))
        for i, (x, y) in enumerate(zip(la, lb)):
            if abs(x - y) > o.loss_rtol * max(abs(x), abs(y)):
                bad.append("epoch %d train loss %g vs %g" % (i + 1, x, y))
    print("same_run: losses %s vs %s, accuracy %s vs %s" % (la, lb, aa, ab))
    for line in bad:
        print("same_run: FAIL: " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
