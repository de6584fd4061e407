"""Checks a run directory that `cscc train` (or a built executable) wrote.

usage: check_run.py RUN_DIR OUTPUT.txt --epochs E --min-accuracy A
                    [--weights-from CSCC MODEL]

  * metrics.jsonl: one JSON object per epoch 1..E with finite train/test
    loss and accuracy in [0, 1], increasing steps, positive images/s;
  * the printed `test accuracy: 0.xxxx` is the last epoch's test accuracy
    (eval mode) and at least A;
  * last/best checkpoints: PyTorch's safetensors loader reads them, the
    tensor names are exactly `cscc summary --weights`'s (with
    --weights-from), every tensor is finite, and training moved the
    learned ones away from `cscc init --seed` (same seed);
  * curves.svg is XML with one point per epoch on each curve.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import torch
from safetensors.torch import load_file


def fail(msg):
    print("check_run: FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("output")
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--min-accuracy", type=float, required=True)
    ap.add_argument("--weights-from", nargs=2, metavar=("CSCC", "MODEL"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    with open(os.path.join(a.run, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f if line.strip()]
    if [r["epoch"] for r in records] != list(range(1, a.epochs + 1)):
        fail("metrics.jsonl epochs %s, expected 1..%d"
             % ([r["epoch"] for r in records], a.epochs))
    steps = [r["step"] for r in records]
    if steps != sorted(steps) or steps[0] <= 0:
        fail("steps not increasing: %s" % steps)
    for r in records:
        for k in ("train_loss", "test_loss"):
            if r[k] is None or not math.isfinite(r[k]):
                fail("%s not finite in %s" % (k, r))
        for k in ("train_accuracy", "test_accuracy"):
            if not 0 <= r[k] <= 1:
                fail("%s out of [0, 1] in %s" % (k, r))
        if r["images_per_second"] <= 0:
            fail("images_per_second %s" % r["images_per_second"])

    text = open(a.output).read()
    m = re.findall(r"^test accuracy: (0\.\d{4}|1\.0000)$", text, re.M)
    if len(m) != 1:
        fail("expected one 'test accuracy: 0.xxxx' line, got %s" % m)
    printed = float(m[0])
    if abs(printed - records[-1]["test_accuracy"]) > 5e-5:
        fail("printed test accuracy %s, metrics say %s"
             % (printed, records[-1]["test_accuracy"]))
    if printed < a.min_accuracy:
        fail("test accuracy %s below %s" % (printed, a.min_accuracy))

    names = None
    init = None
    if a.weights_from:
        cscc, model = a.weights_from
        out = subprocess.run([cscc, "summary", model, "--weights"],
                             check=True, capture_output=True, text=True)
        # NAME SHAPE INIT KIND rows between a header and a totals line.
        names = {line.split()[0] for line in out.stdout.splitlines()[1:]
                 if "[" in line}
        init_path = os.path.join(a.run, "init-for-check.safetensors")
        subprocess.run([cscc, "init", model, "-o", init_path, "--seed",
                        str(a.seed)], check=True)
        init = load_file(init_path)
        os.remove(init_path)
    for tag in ("last", "best"):
        w = load_file(os.path.join(a.run, tag + ".safetensors"))
        if names is not None and set(w) != names:
            fail("%s.safetensors names differ from cscc summary --weights: "
                 "extra %s, missing %s" % (tag, sorted(set(w) - names),
                                           sorted(names - set(w))))
        for k, t in w.items():
            if not torch.isfinite(t).all():
                fail("%s.safetensors: %s not finite" % (tag, k))
        if init is not None:
            moved = [k for k in w if k.endswith(".weight")
                     and not torch.equal(w[k], init[k].to(w[k].dtype))]
            if not moved:
                fail("training changed no weight of %s.safetensors" % tag)

    svg = ET.parse(os.path.join(a.run, "curves.svg")).getroot()
    lines = [e for e in svg.iter() if e.tag.endswith("polyline")]
    if not lines:
        fail("curves.svg has no polyline")
    for e in lines:
        n = len(e.get("points").split())
        if n != a.epochs:
            fail("a curve has %d points, expected %d" % (n, a.epochs))
    print("check_run: OK: %d epochs, test accuracy %.4f" % (a.epochs, printed))


if __name__ == "__main__":
    main()
