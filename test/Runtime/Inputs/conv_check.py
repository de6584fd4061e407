"""Checks cscc-runtime-check's convolutions against PyTorch.

For every case of a grid, writes random operands as .npy, runs
`cscc-runtime-check conv OP ...` (which calls the extern "C" entry points the
generated code calls, unless --impl says otherwise), and compares the result
with PyTorch computed in float64 from the same (already rounded) inputs:
  fwd        torch.nn.functional.conv2d
  bwd_data   torch.nn.functional.conv_transpose2d with
             output_padding = H - ((OH-1)*s - 2p + d(k-1) + 1)
  bwd_filter torch.nn.grad.conv2d_weight
The error of a case is max|out - ref| / max|ref|. Prints one line per
failing case, then 'checked N cases' and 'max relative error E'; exits 1
when a case fails or errs.

usage: conv_check.py TOOL TMPDIR --op OP --dtype f32|f64 --grid NAME
                     [--device cpu|cuda] [-- EXTRA TOOL ARGS]
(--device is passed to the tool: cuda runs the CUDA entry points on device
copies of the operands, with the same tolerances.)
"""
import argparse
import itertools
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torch.nn.grad

TOL = {"f32": 1e-5, "f64": 1e-12}
NP = {"f32": np.float32, "f64": np.float64}


def out_size(n, k, s, d, p):
    span = n + 2 * p - d * (k - 1) - 1
    return span // s + 1 if span >= 0 else 0


def grid_full():
    """stride 1/2, dilation 1/2/3, padding 0/1/3, kernel 1/3/4, batch 1/3."""
    for s, d, p, k, n in itertools.product((1, 2), (1, 2, 3), (0, 1, 3),
                                           (1, 3, 4), (1, 3)):
        h, w = (11, 13) if n == 1 else (12, 9)
        c, kk = (3, 5) if n == 1 else (2, 4)
        yield dict(n=n, c=c, k=kk, h=h, w=w, ks=k, s=s, d=d, p=p)


def grid_small():
    """A smaller grid for the strided-view and layout variants."""
    for s, d, p, k in itertools.product((1, 2), (1, 3), (0, 1), (1, 3)):
        yield dict(n=2, c=3, k=4, h=10, w=9, ks=k, s=s, d=d, p=p)


def grid_edge():
    """Rectangular kernels, outputs of size 1, padding larger than the
    kernel, a single channel, batch 0."""
    yield dict(n=1, c=1, k=1, h=1, w=1, ks=1, s=1, d=1, p=0)
    yield dict(n=2, c=2, k=3, h=5, w=5, ks=5, s=1, d=1, p=0)
    yield dict(n=2, c=2, k=3, h=5, w=5, ks=3, s=3, d=2, p=0)
    yield dict(n=1, c=4, k=2, h=3, w=4, ks=3, s=2, d=1, p=4)
    yield dict(n=1, c=2, k=3, h=6, w=7, ks=(1, 3), s=1, d=2, p=1)
    yield dict(n=1, c=3, k=2, h=9, w=6, ks=(4, 2), s=2, d=1, p=2)
    yield dict(n=3, c=16, k=8, h=28, w=28, ks=3, s=1, d=2, p=2)
    yield dict(n=0, c=2, k=3, h=5, w=5, ks=3, s=1, d=1, p=1)


def grid_dilated():
    """Stride 1, dilation 2/3/4, padding 0/1/2 times the dilation, kernels
    1, 3, 3x5 and 2x4, sizes that are and are not multiples of the dilation
    (the shapes a backward-filter call can take through its phase images)."""
    for d, m, ks, (n, c, k, h, w) in itertools.product(
            (2, 3, 4), (0, 1, 2), (1, 3, (3, 5), (2, 4)),
            ((1, 1, 8, 12, 12), (3, 3, 5, 11, 13))):
        yield dict(n=n, c=c, k=k, h=h, w=w, ks=ks, s=1, d=d, p=m * d)


def grid_taps():
    """Stride 1 with the channel counts that give the per-tap backward
    filter either GEMM orientation, C x K blocks (c, k = 1, 4 and 20, 8) and
    K x C (4, 1; 8, 16; 9, 3), with block widths padded up to a multiple of
    8 (4 -> 8, 9 -> 16) and not; around its Auto threshold of 8 channels of
    x; paddings below, at and above the dilation (outputs smaller and
    larger than the input)."""
    for (c, k), d, p, ks in itertools.product(
            ((1, 4), (4, 1), (8, 16), (20, 8), (9, 3)), (1, 2, 3), (0, 1, 4),
            (3, (2, 5))):
        yield dict(n=3 if c < 9 else 2, c=c, k=k, h=10, w=9, ks=ks, s=1, d=d,
                   p=p)


GRIDS = {"full": grid_full, "small": grid_small, "edge": grid_edge,
         "dilated": grid_dilated, "taps": grid_taps}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("tmp")
    ap.add_argument("--op", required=True,
                    choices=["fwd", "bwd_data", "bwd_filter"])
    ap.add_argument("--dtype", required=True, choices=["f32", "f64"])
    ap.add_argument("--grid", default="full", choices=sorted(GRIDS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=["cpu", "cuda"],
                    help="the tool's --device (default: the tool's, cpu)")
    ap.add_argument("--perturb", type=float, default=0.0,
                    help="add this relative error to every result (to check "
                    "that the checker fails)")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:  # what follows goes to the tool
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    a = ap.parse_args(argv)
    a.extra = extra
    os.makedirs(a.tmp, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    dt = NP[a.dtype]
    worst, count, failures = 0.0, 0, 0
    for i, c in enumerate(GRIDS[a.grid]()):
        kh, kw = c["ks"] if isinstance(c["ks"], tuple) else (c["ks"], c["ks"])
        s, d, p = c["s"], c["d"], c["p"]
        oh, ow = out_size(c["h"], kh, s, d, p), out_size(c["w"], kw, s, d, p)
        if oh < 1 or ow < 1:
            continue
        h, w = c["h"], c["w"]
        # bwd_data: vary the output padding through dx's size (< stride).
        extra_h = i % s
        extra_w = (i // 2) % s
        x = rng.standard_normal((c["n"], c["c"], h, w)).astype(dt)
        wt = rng.standard_normal((c["k"], c["c"], kh, kw)).astype(dt)
        args = ["--dtype", a.dtype, "--stride", str(s), "--dilation", str(d),
                "--padding", str(p)]
        if a.op == "fwd":
            A, B = x, wt
            ref = F.conv2d(torch.from_numpy(x).double(),
                           torch.from_numpy(wt).double(), stride=s, padding=p,
                           dilation=d)
        elif a.op == "bwd_data":
            base_h = (oh - 1) * s - 2 * p + d * (kh - 1) + 1
            base_w = (ow - 1) * s - 2 * p + d * (kw - 1) + 1
            H, W = base_h + extra_h, base_w + extra_w
            if out_size(H, kh, s, d, p) != oh or out_size(W, kw, s, d, p) != ow:
                raise SystemExit("internal error: bad dx size")
            dy = rng.standard_normal((c["n"], c["k"], oh, ow)).astype(dt)
            A, B = dy, wt
            args += ["--out-size", "%dx%d" % (H, W)]
            ref = F.conv_transpose2d(torch.from_numpy(dy).double(),
                                     torch.from_numpy(wt).double(), stride=s,
                                     padding=p, dilation=d,
                                     output_padding=(extra_h, extra_w))
            if tuple(ref.shape[2:]) != (H, W):
                raise SystemExit("internal error: reference shape")
        else:
            dy = rng.standard_normal((c["n"], c["k"], oh, ow)).astype(dt)
            A, B = x, dy
            args += ["--kernel", "%dx%d" % (kh, kw)]
            ref = torch.nn.grad.conv2d_weight(
                torch.from_numpy(x).double(), (c["k"], c["c"], kh, kw),
                torch.from_numpy(dy).double(), stride=s, padding=p,
                dilation=d)
        fa, fb, fo = (os.path.join(a.tmp, "%d-%s.npy" % (i, n))
                      for n in ("a", "b", "out"))
        np.save(fa, A)
        np.save(fb, B)
        if a.device:
            args += ["--device", a.device]
        cmd = [a.tool, "conv", a.op, fa, fb, "-o", fo] + args + a.extra
        r = subprocess.run(cmd, capture_output=True, text=True)
        desc = "case %d %s" % (i, " ".join(cmd[7:]))
        count += 1
        if r.returncode != 0:
            print("FAIL %s: exit %d: %s" % (desc, r.returncode,
                                            r.stderr.strip()))
            failures += 1
            continue
        out = np.load(fo)
        ref = ref.numpy()
        if a.perturb and out.size:
            out = out.copy()
            out.flat[out.size // 2] += a.perturb * np.abs(ref).max()
        if out.dtype != dt or out.shape != ref.shape:
            print("FAIL %s: got %s %s, want %s %s" % (desc, out.dtype,
                                                      out.shape, dt,
                                                      ref.shape))
            failures += 1
            continue
        scale = np.abs(ref).max() if ref.size else 0.0
        diff = np.abs(out.astype(np.float64) - ref).max() if ref.size else 0.0
        if not np.all(np.isfinite(out)):
            err = float("inf")
        else:
            err = diff / scale if scale > 0 else diff
        worst = max(worst, err)
        if not err <= TOL[a.dtype]:
            print("FAIL %s: relative error %.3g > %g" % (desc, err,
                                                         TOL[a.dtype]))
            failures += 1
        for f in (fa, fb, fo):
            os.remove(f)
    print("checked %d cases" % count)
    print("max relative error %.3g (tolerance %g)" % (worst, TOL[a.dtype]))
    print("failures %d" % failures)
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
