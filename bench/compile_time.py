#!/usr/bin/env python3
"""Compile time and memory of cscc against model size (issue 17, item 4).

For a family of generated models -- a pursuit unfolded N times, and a chain
of L conv layers, L relu layers, P pursuits -- runs each stage of the
compiler as its own process and reports its wall time and peak resident
memory (wait4's ru_maxrss), interleaved over --rounds rounds (medians and
min-max):

  front end   `cscc summary`          parse, elaborate
  tensors     `cscc --emit=cst`        + MLIR down to the cst tensor level
  LLVM        `cscc --emit=llvm`       + bufferization, loops, LLVM dialect
  run         `cscc run` on 1 image    + LLVM codegen (JIT) and one forward

Prints one table; ratios per size step show how each stage scales (1.0
per doubling = constant, 2.0 = linear, 4.0 = quadratic).

  bench/compile_time.py [--cscc build/bin/cscc] [--rounds 3]
                        [--families unfold,conv,relu,pursuits]
                        [--sizes 25,50,100,200] [--timeout 300]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FAMILIES = {
    "unfold": lambda n: ("model m { input [1, 4, 4]; "
                         "pursuit([conv(4, 3, padding = 1)], unfold = %d); }"
                         % n),
    "conv": lambda n: ("model m { input [2, 4, 4]; for i in 0..%d "
                       "{ conv(2, 1); } }" % n),
    "relu": lambda n: ("model m { input [1, 4, 4]; for i in 0..%d "
                       "{ relu; } }" % n),
    "pursuits": lambda n: ("model m { input [4, 4, 4]; for i in 0..%d "
                           "{ pursuit([conv(4, 3, padding = 1)]); } }" % n),
}

STAGES = [("front end", ["summary"]), ("tensors", ["--emit=cst"]),
          ("LLVM", ["--emit=llvm"]), ("run", ["run"])]


def run_one(cmd, timeout):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(cmd[0], cmd)
    deadline = t0 + timeout
    while True:
        wpid, status, usage = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.perf_counter() > deadline:
            os.kill(pid, 9)
            os.wait4(pid, 0)
            return None, None, "timeout"
        time.sleep(0.01)
    dt = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    return dt, usage.ru_maxrss / 1024.0, None if rc == 0 else "exit %d" % rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cscc", default=os.path.join(ROOT, "build/bin/cscc"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--families", default="unfold,conv,relu,pursuits")
    ap.add_argument("--sizes", default="25,50,100,200")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    families = args.families.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = tempfile.mkdtemp(prefix="cscc-compile-bench-")
    import numpy as np
    jobs = []
    for fam in families:
        for n in sizes:
            path = os.path.join(tmp, "%s_%d.csc" % (fam, n))
            with open(path, "w") as f:
                f.write(FAMILIES[fam](n) + "\n")
            w = os.path.join(tmp, "%s_%d.safetensors" % (fam, n))
            subprocess.run([args.cscc, "init", path, "-o", w], check=True,
                           stdout=subprocess.DEVNULL)
            text = open(path).read()
            c = int(text.split("input [")[1].split(",")[0])
            x = os.path.join(tmp, "x_%d.npy" % c)
            np.save(x, np.zeros((1, c, 4, 4), np.float32))
            jobs.append((fam, n, path, w, x))
    results = {}
    for r in range(args.rounds):
        for fam, n, path, w, x in jobs:
            for stage, words in STAGES:
                cmd = [args.cscc] + words + [path]
                if stage == "run":
                    cmd += ["--weights", w, "--input", x,
                            "-o", os.path.join(tmp, "y.npy")]
                results.setdefault((fam, n, stage), []).append(
                    run_one(cmd, args.timeout))
    print("cscc compile time and peak memory, %d round(s) interleaved; "
          "cells: median seconds (min-max) / median peak RSS MiB; x: the "
          "ratio to the previous size (time)" % args.rounds)
    print()
    print("| family | size | " + " | ".join(s for s, _ in STAGES) + " |")
    print("|---|---:|" + "---:|" * len(STAGES))
    for fam in families:
        prev = {}
        for n in sizes:
            cells = []
            for stage, _ in STAGES:
                rs = results[(fam, n, stage)]
                bad = [e for _, _, e in rs if e]
                if bad:
                    cells.append(bad[0])
                    prev.pop(stage, None)
                    continue
                ts = [t for t, _, _ in rs]
                ms = [m for _, m, _ in rs]
                med = statistics.median(ts)
                ratio = (" x%.1f" % (med / prev[stage])) if stage in prev \
                    else ""
                prev[stage] = med
                cells.append("%.2f (%.2f-%.2f)%s / %.0f" % (
                    med, min(ts), max(ts), ratio, statistics.median(ms)))
            print("| %s | %d | %s |" % (fam, n, " | ".join(cells)))


if __name__ == "__main__":
    sys.exit(main())
