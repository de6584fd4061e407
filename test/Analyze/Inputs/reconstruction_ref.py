"""reconstruction_ref.py prepare MODEL INIT.safetensors OUT.safetensors X.npy
   reconstruction_ref.py check MODEL WEIGHTS.safetensors X.npy ANALYZE.json [--wrong]

An independent check of `cscc analyze --input` on the models of
reconstruction.csc. `prepare` gives the initial weights thresholds in
[0.02, 0.3) and steps in [0.4, 1.2) (else every threshold is 0, beta = 0
and Definition 1 counts every imperfect coordinate) and writes a batch of
images. `check` runs the same pursuits in the PyTorch reference
(test/reference/csc_reference.py: the codes from the documented ISTA /
FISTA steps, D G from the dictionary's adjoint), computes per pursuit the
code's fraction of zeros, ||X - D G|| / ||X||, beta = max_k b_k / c_k and
the count of coordinates with |(D G)_j - X_j| > 2 beta per image (mean
and max), and compares them with analyze's JSON (1e-9 relative, the
counts exactly). --wrong takes beta = max_k b_k (no division by the step),
which must disagree."""
import json
import os
import sys

import numpy as np
import torch

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "..", "Runtime", "Inputs"))
sys.path.insert(0, os.path.join(here, "..", "..", "reference"))
import st_util  # noqa: E402
from csc_reference import IDENTITY, Pursuit, conv  # noqa: E402

# The pursuits of each model of reconstruction.csc, in order.
MODELS = {
    "msd": [
        ("pursuit0", lambda: Pursuit([conv(4, 3, padding=1)], 2)),
        ("pursuit1", lambda: Pursuit([IDENTITY, conv(3, 3, dilation=2, padding=2)], 4,
                                     unfold=1, step="channel",
                                     threshold="conv_channels")),
    ],
    "mlcsc": [
        ("pursuit0", lambda: Pursuit([conv(3, 4, stride=2, padding=1)], 1, unfold=2,
                                     solver="fista", prox="soft")),
        ("pursuit1", lambda: Pursuit([conv(5, 3, padding=1)], 3, unfold=2,
                                     solver="fista", prox="soft")),
    ],
}
INPUTS = {"msd": (2, 8, 8), "mlcsc": (1, 10, 10)}


def read(path):
    tensors, meta, _, _ = st_util.read(path)
    return {n: np.frombuffer(raw, st_util.DTYPES[dt]).reshape(shape).copy()
            for n, (dt, shape, raw, _) in tensors.items()}, meta


def prepare(model, init, out, x_path):
    w, meta = read(init)
    rng = np.random.RandomState(5)
    for n in sorted(w):
        if n.endswith(".threshold"):
            w[n] = rng.uniform(0.02, 0.3, w[n].shape).astype(w[n].dtype)
        elif n.endswith(".step"):
            w[n] = rng.uniform(0.4, 1.2, w[n].shape).astype(w[n].dtype)
    inv = {v: k for k, v in st_util.DTYPES.items()}
    st_util.write(out, [(n, inv[a.dtype.type],
                         a.shape, a.tobytes()) for n, a in w.items()], meta)
    np.save(x_path, rng.rand(6, *INPUTS[model]))


def check(model, weights, x_path, report, wrong):
    w, _ = read(weights)
    x = torch.from_numpy(np.load(x_path))
    got = {d["name"]: d.get("data") for d in json.load(open(report))["dictionaries"]}
    bad, informative = [], False
    for name, make in MODELS[model]:
        p = make().double()
        state = {k: torch.from_numpy(w[name + "." + k].astype(np.float64))
                 for k in p.state_dict()}
        p.load_state_dict(state)
        with torch.no_grad():
            g = p(x)
            rebuilt = p.dict.synthesis(g, x.shape[-2:])
        b = p.threshold.detach().double()
        c = p.step.detach().double() if hasattr(p, "step") else torch.ones(1)
        if p.threshold_mode == "conv_channels":  # the conv blocks' channels
            channels = [k for k, m in enumerate(
                sum(([is_conv] * wd for wd, is_conv in zip(p.dict.widths, p.dict.conv_mask)), []))
                if m]
        else:
            channels = list(range(b.numel()))
        cs = c if c.numel() == 1 else c[channels]
        beta = float((b.abs() if wrong else b.abs() / cs).max())
        err = (rebuilt - x).reshape(x.shape[0], -1)
        failed = (err.abs() > 2 * beta).sum(dim=1)
        ref = {
            "images": x.shape[0],
            "code_zero_fraction": float((g == 0).double().mean()),
            "relative_error": float(err.norm() / x.norm()),
            "beta": beta,
            "unsuccessful_mean": float(failed.double().mean()),
            "unsuccessful_max": int(failed.max()),
        }
        size = err.shape[1]
        informative |= 0 < ref["unsuccessful_mean"] < size
        d = got.get(name)
        if d is None:
            bad.append("%s: no data in analyze's report" % name)
        else:
            for k, v in ref.items():
                tol = 1e-9 * max(1.0, abs(v)) if isinstance(v, float) else 0
                if abs(d[k] - v) > tol:
                    bad.append("%s %s: analyze %r, reference %r" % (name, k, d[k], v))
        print("%s %s: zeros %.4f, error %.4f, beta %.4f, unsuccessful %.2f (max %d) of %d"
              % (model, name, ref["code_zero_fraction"], ref["relative_error"],
                 ref["beta"], ref["unsuccessful_mean"], ref["unsuccessful_max"], size))
        x = g  # the next pursuit's signal
    if not informative:
        bad.append("no pursuit has some but not all coordinates unsuccessful")
    if bad:
        print("FAIL " + "; ".join(bad))
        sys.exit(1)
    print("%s: agree" % model)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(*sys.argv[2:6])
    else:
        check(*sys.argv[2:6], wrong="--wrong" in sys.argv)
