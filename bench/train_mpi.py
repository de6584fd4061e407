#!/usr/bin/python3
"""Data-parallel training on the CPU: one process against two under mpirun.

For each model, `cscc build` makes the executable once (f32; with
--bn-sync also a second one from a copy of the model whose train section
says bn_sync = true, beside it so that its includes resolve), then --rounds
times (default 3), interleaved, each configuration trains it for one epoch
on the first --limit-train training images (batch --batch, SGD momentum
0.9, no augmentation, --seed 0):

  1 proc x 1 thr    one process, OMP_NUM_THREADS=1
  1 proc x T thr    one process, OMP_NUM_THREADS=T (T = --threads, default
                    2: the machine's cores)
  P proc x 1 thr    `mpirun -np P` (P = --procs, default 2), one thread
                    each, each process bound to a core (Open MPI's default
                    for P <= 2)
  P proc bn_sync    the same with synchronised batch norm (models with
                    batch norm, with --bn-sync)

img/s is the epoch's images_per_second in metrics.jsonl (rank 0's: the
global batch over the training loop's time). The collectives columns are
what rank 0's epoch line reports: seconds per step inside the MPI calls
(the gradients' weighted all-reduce in the generated step, batch-norm sums
with bn_sync, the step's loss sums and stop-signal agreement; waiting for
the slower process counts), their share of the loop's time, calls and
megabytes (this process's buffers) per step.

Run it on a quiet machine (nothing else running). Prints one markdown table
per model; -o FILE also writes them there.

usage: train_mpi.py --cscc build/bin/cscc [--models A.csc,B.csc]
                    [--rounds 3] [--limit-train 4096] [--batch 128]
                    [--procs 2] [--threads 2] [--bn-sync] [-o FILE]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELS = ["examples/msd_csc_fmnist.csc", "examples/two_dilations.csc"]
COLLECTIVES = re.compile(
    r"collectives ([0-9.]+) ms per step \(([0-9.]+)% of the time, ([0-9]+) "
    r"calls, ([0-9.]+) MB\)")


def mpirun_prefix(procs):
    cmd = ["mpirun", "-np", str(procs), "-x", "OMP_NUM_THREADS=1"]
    if os.geteuid() == 0:
        cmd.insert(1, "--allow-run-as-root")
    return cmd


def train(exe, a, run_dir, procs, threads):
    flags = ["train", "--limit-train", str(a.limit_train), "--limit-test",
             "256", "--epochs", "1", "--batch", str(a.batch), "--augment",
             "none", "--optimizer", "sgd", "--lr", "0.05", "--momentum",
             "0.9", "--schedule", "constant", "--seed", "0", "--progress",
             "plain", "--run-dir", run_dir]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    cmd = ([exe] if procs == 1 else mpirun_prefix(procs) + [exe]) + flags
    shutil.rmtree(run_dir, ignore_errors=True)
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if out.returncode != 0:
        sys.exit("train_mpi: %s failed:\n%s" % (" ".join(cmd), out.stdout[-3000:]))
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        rec = json.loads(f.readline())
    m = COLLECTIVES.search(out.stdout)
    coll = tuple(float(g) for g in m.groups()) if m else None
    return rec["images_per_second"], coll


def spread(xs):
    return "%.0f (%.0f-%.0f)" % (statistics.median(xs), min(xs), max(xs))


def bench_model(model, a, tmp):
    name = os.path.splitext(os.path.basename(model))[0]
    exes = {}
    for sync in ([False, True] if a.bn_sync else [False]):
        exe = os.path.join(tmp, name + ("_sync" if sync else ""))
        source = model
        if sync:
            # bn_sync is compiled in from the train section (cscc build
            # takes no training flags): a copy of the model that says so.
            with open(model) as f:
                text = f.read()
            if "train {" in text:
                text = text.replace("train {", "train {\n  bn_sync = true;", 1)
            else:
                text += "\ntrain {\n  bn_sync = true;\n}\n"
            source = os.path.join(os.path.dirname(model), "." + name + "_sync.csc")
            with open(source, "w") as f:
                f.write(text)
        try:
            subprocess.run([a.cscc, "build", source, "-o", exe], check=True,
                           stdout=subprocess.DEVNULL)
        finally:
            if source != model:
                os.remove(source)
        exes[sync] = exe
    configs = [("1 proc x 1 thr", exes[False], 1, 1),
               ("1 proc x %d thr" % a.threads, exes[False], 1, a.threads),
               ("%d proc x 1 thr" % a.procs, exes[False], a.procs, 1)]
    if a.bn_sync:
        configs.append(("%d proc x 1 thr, bn_sync" % a.procs, exes[True], a.procs, 1))
    results = {c[0]: [] for c in configs}
    for r in range(a.rounds):
        for label, exe, procs, threads in configs:
            ips, coll = train(exe, a, os.path.join(tmp, "run"), procs, threads)
            results[label].append((ips, coll))
            print("  round %d %-28s %8.0f img/s %s" % (r + 1, label, ips,
                  "" if coll is None else "collectives %.2f ms/step" % coll[0]),
                  file=sys.stderr)
    base = statistics.median(x for x, _ in results[configs[1][0]])
    lines = ["### %s (batch %d, %d images, %d rounds)" % (name, a.batch, a.limit_train, a.rounds),
             "",
             "| configuration | img/s median (min-max) | / 1 proc x %d thr | collectives ms/step | %% of time | calls/step | MB/step |" % a.threads,
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, _, _, _ in configs:
        xs = [x for x, _ in results[label]]
        colls = [c for _, c in results[label] if c is not None]
        if colls:
            cms = "%.2f" % statistics.median(c[0] for c in colls)
            pct = "%.1f" % statistics.median(c[1] for c in colls)
            calls = "%d" % colls[0][2]
            mb = "%.3f" % colls[0][3]
        else:
            cms = pct = calls = mb = "-"
        lines.append("| %s | %s | %.2f | %s | %s | %s | %s |" % (
            label, spread(xs), statistics.median(xs) / base, cms, pct, calls, mb))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cscc", default=os.path.join(ROOT, "build", "bin", "cscc"))
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit-train", type=int, default=4096)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bn-sync", action="store_true")
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    if not shutil.which("mpirun"):
        sys.exit("train_mpi: mpirun not found: install openmpi-bin (scripts/setup.sh)")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in a.models.split(","):
            path = model if os.path.isabs(model) else os.path.join(ROOT, model)
            out.append(bench_model(path, a, tmp))
    text = "\n".join(out)
    print(text)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
