"""`cscc init`: deterministic, seeded, complete, and with the right
distributions.

usage: check_init.py CSCC MODEL.csc TMPDIR

  * the file's tensor names, shapes and dtypes equal `cscc summary
    --weights` (F32, one tensor per line of the summary), its metadata
    names the model and the seed;
  * the same seed gives the same bytes; no --seed is --seed 0; another seed
    gives other random tensors (uncorrelated) and the same constants;
  * each tensor follows the init the summary gives it: zeros and ones
    exactly; kaiming N(0, 2 / fan_in) and authors N(0, 1) * 0.1 /
    sqrt(fan_in) (fan_in = in * kh * kw): mean, standard deviation,
    kurtosis and the fraction within one standard deviation, on tensors of
    ~40k-300k values; different tensors are uncorrelated;
  * -D changes the shapes (and the fan-in).
Prints one line per check; exit 1 on any failure.
"""
import math
import os
import sys
import traceback

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "reference"))
from cscc_io import Cscc, read_safetensors  # noqa: E402


def raw(path):
    with open(path, "rb") as f:
        return f.read()


def init(c, model, out, *args):
    c("init", model, "-o", out, *args)
    return read_safetensors(out)


def fan_in(shape):
    return int(np.prod(shape[1:]))


def check_constant(name, a, kind):
    want = 0.0 if kind == "zeros" else 1.0
    assert np.all(a == want), "%s: %s, not all %s" % (name, a.ravel()[:4],
                                                       kind)


def check_distribution(name, a, std, what):
    """a ~ N(0, std^2) i.i.d.: a few moments, each within ~5 standard
    errors."""
    x = a.astype(np.float64).ravel()
    n = x.size
    m, s = x.mean(), x.std()
    assert abs(m) < 5 * std / math.sqrt(n), "%s: mean %.3g (std %.3g)" % (
        name, m, std)
    assert abs(s / std - 1) < 5 / math.sqrt(2 * n), \
        "%s: std %.6g, %s wants %.6g" % (name, s, what, std)
    kurt = float(((x - m) ** 4).mean() / s ** 4)
    assert abs(kurt - 3) < 5 * math.sqrt(24.0 / n), "%s: kurtosis %.3f" % (
        name, kurt)
    inside = float((np.abs(x) < std).mean())
    p = 0.6826894921370859
    assert abs(inside - p) < 5 * math.sqrt(p * (1 - p) / n), \
        "%s: %.4f within one std, normal: %.4f" % (name, inside, p)
    return "n=%d std/want %.4f kurtosis %.3f" % (n, s / std, kurt)


def main():
    exe, model, tmp = sys.argv[1:4]
    os.makedirs(tmp, exist_ok=True)
    c = Cscc(exe, tmp)
    lines, failures = [], []

    def step(what, fn):
        try:
            info = fn()
            lines.append("ok   %s%s" % (what, ": " + info if info else ""))
        except Exception:  # noqa: BLE001
            failures.append(what)
            lines.append("FAIL %s\n%s" % (what, traceback.format_exc()))

    p = lambda name: os.path.join(tmp, name)  # noqa: E731
    summary = c.weight_names(model)
    w3, meta3 = init(c, model, p("s3.safetensors"), "--seed", "3")
    w3b, _ = init(c, model, p("s3b.safetensors"), "--seed", "3")
    w0, meta0 = init(c, model, p("s0.safetensors"))
    w0b, _ = init(c, model, p("s0b.safetensors"), "--seed", "0")
    w4, _ = init(c, model, p("s4.safetensors"), "--seed", "4")

    def names():
        assert set(w3) == set(summary), "file %s vs summary %s" % (
            sorted(set(w3) ^ set(summary)), "")
        for k, (shape, _, _) in summary.items():
            assert w3[k].shape == shape, "%s: %s vs %s" % (k, w3[k].shape,
                                                           shape)
            assert w3[k].dtype == np.float32, "%s: %s" % (k, w3[k].dtype)
        assert meta3.get("cscc.seed") == "3", meta3
        assert meta3.get("cscc.model") == "init_stats", meta3
        assert meta3.get("format") == "pt", meta3
        return "%d tensors, F32, metadata %s" % (len(w3), sorted(meta3))
    step("names and shapes = cscc summary --weights", names)

    def determinism():
        assert raw(p("s3.safetensors")) == raw(p("s3b.safetensors")), \
            "seed 3 twice: different files"
        assert raw(p("s0.safetensors")) == raw(p("s0b.safetensors")), \
            "no --seed vs --seed 0: different files"
        for k, (_, kind, _) in summary.items():
            if kind in ("kaiming", "authors"):
                a, b = w3[k].ravel(), w4[k].ravel()
                assert not np.array_equal(a, b), "%s: seeds 3, 4 equal" % k
                r = np.corrcoef(a, b)[0, 1]
                assert abs(r) < 5 / math.sqrt(a.size), \
                    "%s: seeds 3, 4 correlate (%.3g)" % (k, r)
                assert not np.array_equal(w0[k], w3[k])
            else:
                assert np.array_equal(w3[k], w4[k]), "%s differs" % k
        return "same seed same bytes; seeds differ in every random tensor"
    step("determinism", determinism)

    random = []
    for k, (shape, kind, _) in sorted(summary.items()):
        a = w3[k]
        if kind in ("zeros", "ones"):
            step("%s %s" % (k, kind),
                 lambda a=a, k=k, kind=kind: check_constant(k, a, kind))
        elif kind in ("kaiming", "authors"):
            f = fan_in(shape)
            std = math.sqrt(2.0 / f) if kind == "kaiming" else \
                0.1 / math.sqrt(f)
            random.append(k)
            step("%s %s (fan-in %d, std %.5f)" % (k, kind, f, std),
                 lambda a=a, k=k, std=std, kind=kind:
                 check_distribution(k, a, std, kind))
        else:
            failures.append(k)
            lines.append("FAIL %s: unknown init %s" % (k, kind))
    assert len(random) >= 3, random

    def independent():
        out = []
        for i, a in enumerate(random):
            for b in random[i + 1:]:
                x = w3[a].ravel() / w3[a].std()
                y = w3[b].ravel() / w3[b].std()
                n = min(x.size, y.size)
                r = float(np.dot(x[:n], y[:n]) / n)
                assert abs(r) < 5 / math.sqrt(n), "%s, %s: correlation %.3g" \
                    % (a, b, r)
                out.append("%.1e" % r)
        return "correlations " + " ".join(out)
    step("tensors are independent", independent)

    def overrides():
        s = c.weight_names(model, {"c": 16})
        w, _ = init(c, model, p("c16.safetensors"), "-D", "c=16", "--seed",
                    "3")
        assert set(w) == set(s) == set(summary)
        k = "conv0.weight"
        assert w[k].shape == (256, 16, 3, 3), w[k].shape
        return check_distribution(k, w[k], math.sqrt(2.0 / (16 * 9)),
                                  "kaiming")
    step("-D c=16: shapes and fan-in follow", overrides)

    for line in lines:
        print(line)
    if failures:
        print("%d init checks failed: %s" % (len(failures),
                                              ", ".join(failures)))
        return 1
    print("all %d init checks passed" % len(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
