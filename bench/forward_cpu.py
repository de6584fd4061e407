#!/usr/bin/python3
"""Forward-pass time per batch on the CPU: cscc next to PyTorch.

For each model: `cscc init` writes weights, PyTorch's reference of the same
model (test/reference/csc_reference.py) loads them, both run the same random
batch in eval mode. cscc's time is the compiled forward pass only
(`cscc run --repeat R` excludes compilation and file I/O); PyTorch's is
`net(x)` under no_grad. Both use the same number of threads. Prints a
Markdown table (ratio = PyTorch / cscc, above 1 means cscc is faster) and
checks that the two outputs agree, so a fast wrong answer cannot pass.

usage: bench/forward_cpu.py [--cscc build/bin/cscc] [--batch 64]
                            [--repeat 3] [--threads N] [-o results.md]
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "reference"))
import csc_reference as R  # noqa: E402

# (example, -D overrides): the README's model, a user-made dictionary, a
# residual network and the paper's MSD-CSC-FISTA.
MODELS = [
    ("msd_csc_fmnist.csc", {}),
    ("two_dilations.csc", {}),
    ("paper/res_csc20.csc", {}),
    ("paper/msd_csc_fista_d6.csc", {}),
]


def read_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": np.float32, "F64": np.float64}[v["dtype"]]
        b, e = v["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=dt).reshape(
            v["shape"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cscc", default=os.path.join(ROOT, "build", "bin", "cscc"))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))

    rows = []
    tmp = tempfile.mkdtemp(prefix="cscc-bench-")
    for rel, overrides in MODELS:
        path = os.path.join(ROOT, "examples", rel)
        defs = sum((["-D", "%s=%s" % kv] for kv in overrides.items()), [])
        w_path = os.path.join(tmp, "w.safetensors")
        subprocess.check_call([args.cscc, "init", path, "-o", w_path] + defs)
        weights = read_safetensors(w_path)
        net = R.build_example(rel, **overrides)
        net.load_state_dict({k: torch.tensor(weights[k]) for k in
                             net.state_dict()})
        net.eval()
        x = np.random.RandomState(0).randn(args.batch, *net.in_shape).astype(
            np.float32)
        x_path, y_path = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
        np.save(x_path, x)
        run = subprocess.run(
            [args.cscc, "run", path, "--weights", w_path, "--input", x_path,
             "-o", y_path, "--repeat", str(args.repeat),
             "--batch-size", str(args.batch)] + defs,
            env=env, stderr=subprocess.PIPE, text=True, check=True)
        cscc_ms = float(re.search(r"forward: ([0-9.e+-]+) ms", run.stderr)[1])
        y = np.load(y_path)

        xt = torch.tensor(x)
        with torch.no_grad():
            ref = net(xt)  # warm-up
            t0 = time.perf_counter()
            for _ in range(args.repeat):
                ref = net(xt)
            torch_ms = (time.perf_counter() - t0) / args.repeat * 1000
        ref = ref.reshape(y.shape).numpy()
        err = float(np.abs(y - ref).max() / max(np.abs(ref).max(), 1e-30))
        if err > 1e-3:
            sys.exit("bench: %s: cscc and PyTorch disagree (relative error "
                     "%.3g); not timing a wrong answer" % (rel, err))
        rows.append((rel, overrides, cscc_ms, torch_ms, err))
        print("%-32s cscc %9.1f ms  pytorch %9.1f ms" % (rel, cscc_ms, torch_ms),
              file=sys.stderr)

    lines = [
        "Forward pass, eval mode, batch %d, float32, %d threads, %s "
        "(PyTorch %s). Times per batch; ratio = PyTorch / cscc."
        % (args.batch, args.threads, os.uname().machine, torch.__version__),
        "",
        "| model | cscc ms | PyTorch ms | ratio | max rel. diff |",
        "|---|---:|---:|---:|---:|",
    ]
    for rel, ov, c, t, e in rows:
        name = rel + ("".join(" -D %s=%s" % kv for kv in ov.items()))
        lines.append("| %s | %.1f | %.1f | %.2f | %.1e |" % (name, c, t, t / c, e))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
