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
  P proc, buckets N the same with the gradients all-reduced in buckets of
                    at least N KiB (--buckets N,M,...; each a second
                    executable, the setting being compiled in): 0 is one
                    blocking all-reduce after the backward pass, the
                    fallback the default (1024 KiB) is measured against;
                    a smaller N splits a small model's gradients into
                    several buckets begun during the backward pass

img/s is the epoch's images_per_second in metrics.jsonl (rank 0's: the
global batch over the training loop's time). The collectives columns are
what rank 0's epoch line reports: seconds per step inside the MPI calls
(the gradients' weighted all-reduce in the generated step, batch-norm sums
with bn_sync, the step's loss sums and stop-signal agreement; waiting for
the slower process counts), their share of the loop's time, calls and
megabytes (this process's buffers) per step.

Run it on a quiet machine (nothing else running). Prints one markdown table
per model; -o FILE also writes them there.

A model is a path, optionally followed by `cscc build` flags after spaces
("examples/paper/msd_csc_fista_d12.csc -D channels=1 -D size=28").

usage: train_mpi.py --cscc build/bin/cscc [--models A.csc,B.csc]
                    [--rounds 3] [--limit-train 4096] [--batch 128]
                    [--procs 2] [--threads 2] [--bn-sync]
                    [--buckets 0,16] [-o FILE]
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
    flags = ["train", "--data", "fashion_mnist", "--limit-train",
             str(a.limit_train), "--limit-test",
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


def build_variant(a, model, flags, exe, settings):
    """cscc build of `model` (with `flags`) into `exe`; `settings` (train
    section lines) are compiled in from a copy of the model beside it (so
    that its includes resolve), as cscc build takes no training flags."""
    source = model
    if settings:
        with open(model) as f:
            text = f.read()
        lines = "".join("\n  %s;" % x for x in settings)
        if "train {" in text:
            text = text.replace("train {", "train {" + lines, 1)
        else:
            text += "\ntrain {" + lines + "\n}\n"
        source = os.path.join(os.path.dirname(model),
                              "." + os.path.basename(exe) + ".csc")
        with open(source, "w") as f:
            f.write(text)
    try:
        subprocess.run([a.cscc, "build", source, "-o", exe] + flags,
                       check=True, stdout=subprocess.DEVNULL)
    finally:
        if source != model:
            os.remove(source)


def bench_model(spec, a, tmp):
    words = spec.split()
    model, flags = words[0], words[1:]
    name = os.path.splitext(os.path.basename(model))[0]
    if flags:
        name += " " + " ".join(flags)
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", name)
    exes = {}
    variants = [(False, None)]
    if a.bn_sync:
        variants.append((True, None))
    for kb in a.bucket_list:
        variants.append((False, kb))
    for sync, kb in variants:
        exe = os.path.join(tmp, stem + ("_sync" if sync else "") +
                           ("" if kb is None else "_kb%d" % kb))
        settings = (["bn_sync = true"] if sync else []) + (
            [] if kb is None else ["allreduce_bucket_kb = %d" % kb])
        build_variant(a, model, flags, exe, settings)
        exes[(sync, kb)] = exe
    plain = exes[(False, None)]
    configs = [("1 proc x 1 thr", plain, 1, 1),
               ("1 proc x %d thr" % a.threads, plain, 1, a.threads),
               ("%d proc x 1 thr" % a.procs, plain, a.procs, 1)]
    if a.bn_sync:
        configs.append(("%d proc x 1 thr, bn_sync" % a.procs,
                        exes[(True, None)], a.procs, 1))
    for kb in a.bucket_list:
        configs.append(("%d proc x 1 thr, buckets %d KiB%s" % (
            a.procs, kb, " (one all-reduce after the backward pass)"
            if kb == 0 else ""), exes[(False, kb)], a.procs, 1))
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
    ap.add_argument("--buckets", default="",
                    help="comma-separated allreduce_bucket_kb values to "
                         "compare with the default (1024), e.g. 0,16")
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    a.bucket_list = [int(x) for x in a.buckets.split(",") if x.strip()]
    if not shutil.which("mpirun"):
        sys.exit("train_mpi: mpirun not found: install openmpi-bin (scripts/setup.sh)")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in a.models.split(","):
            model = model.strip()
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
