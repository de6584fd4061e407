#!/usr/bin/env python3
"""Times cscc's train step (`cscc grad --repeat`) and eval forward pass
(`cscc run --repeat`) for two cscc binaries, before and after a compiler
change, and checks that their outputs are bitwise identical.

    bench/train_step_cpu.py --before /tmp/cscc-before --after build/bin/cscc \
        [--models examples/msd_csc_fmnist.csc bench/models/small_msd.csc] \
        [--batch 128] [--rounds 5] [--repeat 3] [--threads 2]

Each round runs every (model, command, binary) once, the binaries
alternating, so that load from other processes hits both alike; the table
gives the best (minimum) and the median over the rounds of the per-call time
cscc prints (it averages --repeat calls after one warm-up call). Weights
come from `cscc init` (seed 0), the input batch and labels from NumPy
(seed 0). Outputs (logits .npy, gradients .safetensors) of the two binaries
are compared byte for byte; with --threads 1,2 the after binary's outputs
at each thread count are compared too (oneDNN's backward-weights
convolution sums over the batch in per-thread parts, so convolution weight
gradients may differ between thread counts in the last bits, before and
after: they are reported, not failed).

Pure Python + NumPy (Debian's /usr/bin/python3 is enough).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "reference"))
from cscc_io import read_safetensors  # noqa: E402


def timed(cmd, env, pattern):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    m = re.search(pattern + r": ([0-9.]+) ms", p.stderr + p.stdout)
    if not m:
        sys.exit("no time in the output of %s:\n%s" % (" ".join(cmd), p.stderr))
    return float(m.group(1))


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", default=os.path.join(ROOT, "build", "bin", "cscc"))
    ap.add_argument("--models", nargs="+", default=[
        os.path.join(ROOT, "examples", "msd_csc_fmnist.csc"),
        os.path.join(ROOT, "bench", "models", "small_msd.csc")])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", default="2",
                    help="comma-separated OMP_NUM_THREADS values")
    ap.add_argument("--commands", default="run,grad")
    ap.add_argument("--input-shape", default="1,28,28",
                    help="one image's shape (C,H,W), the models' input")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="cscc-bench-")
    rng = np.random.default_rng(0)
    x = os.path.join(tmp, "x.npy")
    labels = os.path.join(tmp, "labels.npy")
    shape = [int(v) for v in args.input_shape.split(",")]
    np.save(x, rng.standard_normal([args.batch] + shape).astype(np.float32))
    np.save(labels, rng.integers(0, 10, args.batch).astype(np.int64))
    bins = {"before": args.before, "after": args.after}
    threads = [int(t) for t in args.threads.split(",")]
    commands = args.commands.split(",")
    times = {}
    outputs = {}
    inputs_made = set()
    for r in range(args.rounds):
        for model in args.models:
            name = os.path.basename(model)
            w = os.path.join(tmp, name + ".safetensors")
            if model not in inputs_made:
                subprocess.run([args.after, "init", model, "-o", w], check=True,
                               capture_output=True)
                inputs_made.add(model)
            for t in threads:
                env = dict(os.environ, OMP_NUM_THREADS=str(t))
                for cmd in commands:
                    for which, exe in bins.items():
                        stem = os.path.join(tmp, "%s-%s-%s-t%d" % (name, cmd, which, t))
                        if cmd == "run":
                            out = stem + ".npy"
                            c = [exe, "run", model, "--weights", w, "--input", x,
                                 "-o", out, "--repeat", str(args.repeat)]
                            pat = "forward"
                        else:
                            out = stem + ".safetensors"
                            c = [exe, "grad", model, "--weights", w, "--input", x,
                                 "--labels", labels, "-o", out,
                                 "--repeat", str(args.repeat)]
                            pat = "train step"
                        ms = timed(c, env, pat)
                        times.setdefault((name, cmd, t, which), []).append(ms)
                        if r == 0:
                            keep = stem + ".first" + os.path.splitext(out)[1]
                            os.replace(out, keep)
                            outputs[(name, cmd, t, which)] = keep
                        elif not same_bytes(out, outputs[(name, cmd, t, which)]):
                            print("NOT DETERMINISTIC: %s %s threads=%d %s (round %d)"
                                  % (name, cmd, t, which, r))
            print("round %d done" % (r + 1), file=sys.stderr)

    print("| model | pass | threads | before ms (best / median) | after ms (best / median) | speed-up (best) | outputs |")
    print("|---|---|---:|---:|---:|---:|---|")
    ok = True
    for model in args.models:
        name = os.path.basename(model)
        for cmd in commands:
            for t in threads:
                b = times[(name, cmd, t, "before")]
                a = times[(name, cmd, t, "after")]
                same = same_bytes(outputs[(name, cmd, t, "before")],
                                  outputs[(name, cmd, t, "after")])
                ok &= same
                print("| %s | %s | %d | %.1f / %.1f | %.1f / %.1f | %.2f | %s |" % (
                    name, "train step" if cmd == "grad" else "forward", t,
                    min(b), statistics.median(b), min(a), statistics.median(a),
                    min(b) / min(a), "identical" if same else "DIFFERENT"))
    if len(threads) > 1:
        for model in args.models:
            name = os.path.basename(model)
            for cmd in commands:
                for which in bins:
                    first = outputs[(name, cmd, threads[0], which)]
                    for t in threads[1:]:
                        other = outputs[(name, cmd, t, which)]
                        if same_bytes(first, other):
                            print("%s %s %s: threads %d and %d identical"
                                  % (name, cmd, which, threads[0], t))
                        elif cmd == "grad":
                            (g0, _), (g1, _) = read_safetensors(first), read_safetensors(other)
                            diff = sorted(k for k in g0 if not np.array_equal(g0[k], g1[k]))
                            print("%s %s %s: threads %d and %d differ in %s"
                                  % (name, cmd, which, threads[0], t, ", ".join(diff)))
                        else:
                            print("%s %s %s: threads %d and %d DIFFER"
                                  % (name, cmd, which, threads[0], t))
    print("outputs before == after: %s" % ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
