"""`predict` (cscc predict, a built executable's predict) against `cscc run`
on the same images and weights (test/Train/predict.test, build.test).

  predict_check.py inputs DIR N
      DIR/x8.npy: N uint8 images [N, 1, 28, 28] (seeded; the first all 0,
      the second all 255) and DIR/xf.npy: the same as float32 in [0, 1]
  predict_check.py normalize WEIGHTS X.npy OUT.npy [--dtype f32|f64]
      what `cscc run` must be given for predict's input X (uint8 pixels or
      floats in [0, 1]): pixels / 255 for uint8, then (x - mean) / std
      with the normalisation WEIGHTS' metadata records
      (extra.normalize_mean/_std; none: x as it is), computed in float64
  predict_check.py compare PREDICTED.npy RUN.npy --rtol R [--classes FILE]
      the same shape [N, K], max |predicted - run| <= R * max |run|, and
      (with --classes, predict's standard output) one line per image with
      the index of its largest logit in RUN.npy
Prints one line 'predict_check: ...: ok ...' or 'FAIL ...' (exit 1).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "Runtime", "Inputs"))
import st_util  # noqa: E402


def fail(msg):
    print("predict_check: FAIL: " + msg)
    sys.exit(1)


def inputs(d, n):
    x = np.random.default_rng(11).integers(0, 256, size=(n, 1, 28, 28)).astype(np.uint8)
    x[0] = 0
    x[1] = 255
    np.save(os.path.join(d, "x8.npy"), x)
    np.save(os.path.join(d, "xf.npy"), (x / 255.0).astype(np.float32))
    print("predict_check: inputs: ok: %d images" % n)


def normalize(weights, xpath, out, dtype):
    _, meta, _, _ = st_util.read(weights)
    x = np.load(xpath)
    v = x.astype(np.float64)
    if x.dtype == np.uint8:
        v = v / 255
    mean, std = meta.get("extra.normalize_mean"), meta.get("extra.normalize_std")
    if mean and std:
        m = np.array([float(s) for s in mean.split(",")])
        s = np.array([float(s) for s in std.split(",")])
        v = (v - m[None, :, None, None]) / s[None, :, None, None]
        what = "mean %s std %s" % (mean, std)
    else:
        what = "no normalisation"
    np.save(out, v.astype(np.float64 if dtype == "f64" else np.float32))
    print("predict_check: normalize: ok: %s" % what)


def compare(a_path, b_path, rtol, classes):
    a, b = np.load(a_path), np.load(b_path)
    a = a.reshape(a.shape[0], -1) if a.ndim > 2 else a
    b = b.reshape(b.shape[0], -1) if b.ndim > 2 else b
    if a.shape != b.shape or a.ndim != 2 or a.shape[0] == 0:
        fail("shapes %s and %s" % (a.shape, b.shape))
    err = float(np.abs(a.astype(np.float64) - b).max() / np.abs(b).max())
    if not err <= rtol:
        fail("max |predicted - run| / max |run| = %.3e > %g" % (err, rtol))
    if classes:
        got = [int(line) for line in open(classes).read().split()]
        want = [int(i) for i in b.argmax(axis=1)]
        if got != want:
            fail("printed classes %s, argmax of run's logits %s" % (got, want))
    print("predict_check: compare: ok: %d images x %d logits, %s, relative "
          "difference <= %g%s" % (a.shape[0], a.shape[1], a.dtype, rtol,
                                  ", classes = argmax" if classes else ""))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "inputs":
        inputs(args[0], int(args[1]))
    elif cmd == "normalize":
        dtype = args[args.index("--dtype") + 1] if "--dtype" in args else "f32"
        normalize(args[0], args[1], args[2], dtype)
    elif cmd == "compare":
        rtol = float(args[args.index("--rtol") + 1])
        classes = args[args.index("--classes") + 1] if "--classes" in args else None
        compare(args[0], args[1], rtol, classes)
    else:
        fail("unknown command %r" % cmd)


if __name__ == "__main__":
    main()
