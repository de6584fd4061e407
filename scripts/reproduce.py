#!/usr/bin/env python3
"""The paper's claims (Tables II-III, and l1 penalties on the codes) measured
by training the model families with cscc: several seeds, budgets that fit a
2-core machine, one markdown report.

    scripts/reproduce.sh [--quick] [--seeds N] [--data fashion_mnist|DIR]
                         [--classes K] [--train N] [--test N] [--epochs E]
                         [--out DIR] [--docs FILE]

Every run is `cscc train` of an example under examples/paper (or the README
model for the l1 claim) at its train section's optimizer, rate and
augmentation, with the input shape of the data (-D channels, size), a
subset of the training set (--limit-train), the first --test test images,
and --epochs epochs. Each run's metrics.jsonl is kept under
OUT/runs/KEY/seedS/. The report (OUT/reproduction.md) has one table of the
runs (test accuracy at the last epoch, mean +- sample standard deviation
over the seeds) and one of the claims, each with what was measured and a
verdict from the per-seed accuracies:

  holds              the claimed order on the mean and for every seed
  holds on average   the claimed order on the mean, not for every seed
  does not hold      the opposite order on the mean
  not measurable     a model involved stayed at a uniform guess's accuracy
                     (chance + 5 points), or diverged (a NaN loss, or
                     non-finite weights: cscc train's own stop)

With --docs FILE the report replaces the part of FILE between the markers
`<!-- reproduce: begin -->` and `<!-- reproduce: end -->`, and the runs'
metrics.jsonl are copied next to it (FILE's directory, reproduction/). Only
the standard library: runs on a fresh machine's python3.
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAPER = os.path.join(ROOT, "examples", "paper")

# key: (label, model file, -D defines, extra train flags)
RUNS = [
    ("plain20", "plain network, 20 layers", "paper/plain20.csc", [], []),
    ("plain56", "plain network, 56 layers", "paper/plain56.csc", [], []),
    ("simplified56", "Res-CSC-Simplified, 56 layers",
     "paper/res_csc_simplified56.csc", [], []),
    ("resnet20", "ResNet, 20 layers", "paper/resnet20.csc", [], []),
    ("res_csc20", "Res-CSC, 20 layers", "paper/res_csc20.csc", [], []),
    ("feedforward6", "feed-forward, 6 layers", "paper/feedforward6.csc", [],
     []),
    ("ml_ista1", "ML-CSC-ISTA, 6 layers, unfold 1", "paper/ml_csc_ista6.csc",
     [], []),
    ("msdnet", "MSDNet d 6 (unfold 0)", "paper/msdnet_d6.csc", [], []),
    ("msd_ista1", "MSD-CSC-ISTA d 6, unfold 1", "paper/msd_csc_ista_d12.csc",
     ["d=6", "unfold=1"], []),
    ("msd_ista2", "MSD-CSC-ISTA d 6, unfold 2", "paper/msd_csc_ista_d12.csc",
     ["d=6", "unfold=2"], []),
    ("msd_fista2", "MSD-CSC-FISTA d 6, unfold 2",
     "paper/msd_csc_fista_d6.csc", [], []),
    ("msdnet_bn", "MSDNet d 6, bn = prox", "paper/msdnet_d6.csc",
     ["bn=prox"], []),
    ("msd_ista1_bn", "MSD-CSC-ISTA d 6, unfold 1, bn = prox",
     "paper/msd_csc_ista_d12.csc", ["d=6", "unfold=1", "bn=prox"], []),
    ("msd_ista2_bn", "MSD-CSC-ISTA d 6, unfold 2, bn = prox",
     "paper/msd_csc_ista_d12.csc", ["d=6", "unfold=2", "bn=prox"], []),
    ("msd_fista2_bn", "MSD-CSC-FISTA d 6, unfold 2, bn = prox",
     "paper/msd_csc_fista_d6.csc", ["bn=prox"], []),
    ("l1_off", "README model (MSD-CSC, bn = prox), no penalty",
     "msd_csc_fmnist.csc", [], []),
    ("l1_on", "README model, l1 penalty 1e-4 on every code",
     "msd_csc_fmnist.csc", ["l1=1e-4"], []),
]

# (claim, what the paper reports, better key, worse key, relation)
# relation ">": better's accuracy above worse's; ">=": at least as good.
CLAIMS = [
    ("Degradation: the plain 56-layer network is below the 20-layer one",
     "CIFAR-10 90.74% (20) vs 87.04% (56)", "plain20", "plain56", ">"),
    ("Res-CSC-Simplified alleviates the degradation (56 layers, above the "
     "plain network)", "88.75% vs 87.04%", "simplified56", "plain56", ">"),
    ("Res-CSC at least as good as ResNet at equal depth (20)",
     "91.82% vs 91.30%", "res_csc20", "resnet20", ">="),
    ("MSD-CSC-ISTA, unfold 1, above MSDNet (same parameters), the paper's "
     "form (no batch norm)", "d 6: 88.79% vs 87.22%", "msd_ista1", "msdnet",
     ">"),
    ("MSD-CSC-ISTA, unfold 2, above MSDNet, no batch norm",
     "d 6: 88.85% vs 87.22%", "msd_ista2", "msdnet", ">"),
    ("MSD-CSC-ISTA, unfold 1, above MSDNet, bn = prox",
     "(the paper has no such variant)", "msd_ista1_bn", "msdnet_bn", ">"),
    ("MSD-CSC-ISTA, unfold 2, above MSDNet, bn = prox",
     "(the paper has no such variant)", "msd_ista2_bn", "msdnet_bn", ">"),
    ("MSD-CSC (0.1M parameters) above ML-CSC (4M), unfold 1",
     "88.79% vs 83.26%", "msd_ista1", "ml_ista1", ">"),
    ("ML-CSC-ISTA (unfold 1) above the feed-forward network",
     "83.26% vs 82.16%", "ml_ista1", "feedforward6", ">"),
    ("FISTA above ISTA at unfold 2 (MSD-CSC d 6), no batch norm",
     "89.21% vs 88.85%", "msd_fista2", "msd_ista2", ">"),
    ("FISTA above ISTA at unfold 2 (MSD-CSC d 6), bn = prox",
     "(the paper has no such variant)", "msd_fista2_bn", "msd_ista2_bn", ">"),
]

BEGIN = "<!-- reproduce: begin -->"
END = "<!-- reproduce: end -->"


def data_shape(data):
    """(channels, size, kind name) of a data set kind or directory."""
    words = {"fashion_mnist": (1, 28), "mnist": (1, 28), "cifar10": (3, 32),
             "cifar100": (3, 32), "svhn": (3, 32),
             # class-dependent stripes of the model's shape (a test's data)
             "simulated": (1, 28)}
    if data in words:
        return words[data]
    names = set()
    for _, _, files in os.walk(data):
        names.update(files)
    if any(n.startswith("train-images-idx3-ubyte") for n in names):
        return (1, 28)
    if names & {"data_batch_1.bin", "train.bin", "train_32x32.mat"}:
        return (3, 32)
    sys.exit("reproduce: '%s' is neither a data set kind (%s) nor a directory "
             "holding IDX, CIFAR or SVHN files" % (data, ", ".join(words)))


def parameters(cscc, model, defines):
    out = subprocess.run([cscc, "summary", model, *defines],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"total parameters: (\d+)", out)
    return int(m.group(1))


def last_epoch(run_dir):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return rows[-1]


def mean_std(xs):
    if not xs:
        return float("nan"), float("nan")
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def fmt(xs, scale=100, digits=2):
    m, s = mean_std(xs)
    if len(xs) == 1:
        return "%.*f" % (digits, m * scale)
    return "%.*f ± %.*f" % (digits, m * scale, digits, s * scale)


def verdict(better, worse, relation, chance):
    if not better or not worse:
        return "not run"
    if max(better) <= chance + 0.05 or max(worse) <= chance + 0.05:
        return "not measurable (a model stays at a uniform guess)"
    diffs = [b - w for b, w in zip(better, worse)]
    mean = statistics.fmean(diffs)
    ok = (lambda d: d >= 0) if relation == ">=" else (lambda d: d > 0)
    if not ok(mean):
        return "does not hold"
    if all(ok(d) for d in diffs):
        return "holds"
    return "holds on average (not for every seed)"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="a minutes-long smoke run: 1 seed, 256 training and "
                         "128 test images, 1 epoch")
    ap.add_argument("--seeds", type=int, help="seeds 1..N (default 3)")
    ap.add_argument("--data", default="fashion_mnist",
                    help="fashion_mnist (default), mnist, or a directory of "
                         "CIFAR-10/100 or SVHN")
    ap.add_argument("--classes", type=int, default=10,
                    help="100 for CIFAR-100")
    ap.add_argument("--train", type=int, help="training images (default 8000)")
    ap.add_argument("--test", type=int, help="test images (default 2000)")
    ap.add_argument("--epochs", type=int, help="epochs (default 3)")
    ap.add_argument("--out", default=os.path.join(ROOT, "runs", "reproduce"))
    ap.add_argument("--docs", help="a markdown file whose marked section gets "
                                   "the report (docs/reproduction.md)")
    ap.add_argument("--only", help="comma-separated run keys (default: all)")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the runs OUT already holds (a finished run's "
                         "outcome.json) instead of training them again: "
                         "continues an interrupted reproduction")
    ap.add_argument("--cscc", default=os.environ.get(
        "CSCC", os.path.join(ROOT, "build", "bin", "cscc")))
    a = ap.parse_args()
    seeds = a.seeds or (1 if a.quick else 3)
    train = a.train or (256 if a.quick else 8000)
    test = a.test or (128 if a.quick else 2000)
    epochs = a.epochs or (1 if a.quick else 3)
    a.cscc = shutil.which(a.cscc) or a.cscc
    if not os.access(a.cscc, os.X_OK):
        sys.exit("reproduce: no cscc at %s (scripts/build.sh builds it, or "
                 "set CSCC)" % a.cscc)
    channels, size = data_shape(a.data)
    shape = ["channels=%d" % channels, "size=%d" % size]
    if a.classes != 10:
        shape.append("classes=%d" % a.classes)
    runs = RUNS
    if a.only:
        keys = a.only.split(",")
        unknown = [k for k in keys if k not in {r[0] for r in RUNS}]
        if unknown:
            sys.exit("reproduce: unknown run(s) %s; the runs are %s" %
                     (", ".join(unknown), ", ".join(r[0] for r in RUNS)))
        runs = [r for r in RUNS if r[0] in keys]

    os.makedirs(a.out, exist_ok=True)
    results = {}  # key -> {"acc": [...], "loss": [...], "sparsity": [...]}
    params = {}
    started = time.time()
    rev = git_rev()  # of the build the runs use, before any later commit
    total = len(runs) * seeds
    done = 0
    for seed in range(1, seeds + 1):
        for key, label, model, defines, extra in runs:
            path = os.path.join(ROOT, "examples", model)
            dflags = [x for d in shape + defines for x in ("-D", d)]
            if key not in params:
                params[key] = parameters(a.cscc, path, dflags)
            run_dir = os.path.join(a.out, "runs", key, "seed%d" % seed)
            outcome_file = os.path.join(run_dir, "outcome.json")
            r = results.setdefault(key, {"acc": [], "loss": [], "sparsity": [],
                                         "failed": [], "diverged": []})
            if a.reuse and os.path.exists(outcome_file):
                outcome = json.load(open(outcome_file))
                if outcome.get("epochs") == epochs and \
                        outcome.get("train") == train:
                    done += 1
                    record(r, seed, outcome, run_dir)
                    print("[%d/%d] %s seed %d: kept (%s)" %
                          (done, total, key, seed, outcome["status"]),
                          flush=True)
                    continue
            if os.path.isdir(run_dir):
                shutil.rmtree(run_dir)
            cmd = [a.cscc, "train", path, *dflags, "--data", a.data,
                   "--limit-train", str(train), "--limit-test", str(test),
                   "--epochs", str(epochs), "--seed", str(seed),
                   "--run-dir", run_dir, "--progress", "plain", *extra]
            t0 = time.time()
            p = subprocess.run(cmd, capture_output=True, text=True)
            done += 1
            outcome = {"epochs": epochs, "train": train, "status": "finished",
                       "seconds": round(time.time() - t0, 1)}
            if p.returncode != 0:
                msg = (p.stderr.strip().splitlines() or ["exit %d" %
                                                         p.returncode])[-1]
                # A NaN loss or non-finite weights: the trainer's own stop, a
                # result at these settings (the run's message says where).
                outcome["status"] = ("diverged" if "diverged" in msg or
                                     "loss is NaN" in msg else "failed")
                outcome["message"] = msg
            os.makedirs(run_dir, exist_ok=True)
            with open(outcome_file, "w") as f:
                json.dump(outcome, f)
            record(r, seed, outcome, run_dir)
            if outcome["status"] != "finished":
                print("[%d/%d] %s seed %d: %s (%s)" %
                      (done, total, key, seed, outcome["status"],
                       outcome["message"]), flush=True)
                continue
            print("[%d/%d] %s seed %d: test accuracy %.4f, loss %.4f (%.0f s; "
                  "%.0f s in all)" % (done, total, key, seed, r["acc"][-1],
                                      r["loss"][-1], time.time() - t0,
                                      time.time() - started),
                  flush=True)

    chance = 1.0 / a.classes
    lines = []
    lines.append("Measured %s UTC with `%s` (cscc %s): data %s (%dx%dx%d), "
                 "the first %d training images, %d test images, %d epoch(s), "
                 "seeds 1-%d, each model at its train section's optimizer, "
                 "rate and augmentation (batch 128). %.0f minutes of training "
                 "on %d CPUs."
                 % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                    "scripts/reproduce.sh " + " ".join(sys.argv[1:]),
                    rev, a.data, channels, size, size, train, test,
                    epochs, seeds,
                    sum(r.get("seconds", 0) for r in results.values()) / 60,
                    os.cpu_count()))
    lines.append("")
    lines.append("| claim | paper (CIFAR-10) | measured: test accuracy %, "
                 "mean ± std over seeds | verdict |")
    lines.append("|---|---|---|---|")
    for text, paper, better, worse, rel in CLAIMS:
        if better not in results or worse not in results:
            continue
        b, w = results[better]["acc"], results[worse]["acc"]
        diverged = [k for k in (better, worse) if results[k]["diverged"]]
        v = ("not measurable: %s diverged (%d of %d seeds)" % (
            " and ".join(diverged), len(results[diverged[0]]["diverged"]),
            seeds) if diverged else verdict(b, w, rel, chance))
        lines.append("| %s | %s | %s: %s vs %s: %s | %s |" %
                     (text, paper, better, fmt(b) if b else "-", worse,
                      fmt(w) if w else "-", v))
    if "l1_on" in results and "l1_off" in results:
        on, off = results["l1_on"], results["l1_off"]
        sparser = (on["sparsity"] and off["sparsity"] and
                   statistics.fmean(on["sparsity"]) >
                   statistics.fmean(off["sparsity"]))
        cost = (statistics.fmean(off["acc"]) - statistics.fmean(on["acc"])
                if on["acc"] and off["acc"] else float("nan"))
        if not on["sparsity"] or not off["sparsity"]:
            v = "not run"
        elif sparser and cost <= 0.01:
            v = "holds"
        elif sparser:
            v = "sparser, at an accuracy cost of %.2f points" % (100 * cost)
        else:
            v = "does not hold"
        lines.append("| l1 penalties on the codes give sparser codes at "
                     "little or no accuracy cost (Li, Feng, Zhou) | - | "
                     "zeros in the codes %s vs %s %%, accuracy %s vs %s | %s |"
                     % (fmt(on["sparsity"]), fmt(off["sparsity"]),
                        fmt(on["acc"]), fmt(off["acc"]), v))
    lines.append("")
    lines.append("| run | model | parameters | test accuracy % | test loss | "
                 "zeros in the codes % |")
    lines.append("|---|---|---:|---:|---:|---:|")
    for key, label, model, defines, extra in runs:
        r = results.get(key)
        if not r:
            continue
        acc = fmt(r["acc"]) if r["acc"] else "-"
        if r["diverged"]:
            acc += " (diverged: %s)" % "; ".join(r["diverged"])
        if r["failed"]:
            acc += " (failed: %s)" % "; ".join(r["failed"])
        lines.append("| %s | %s (`%s`%s) | %d | %s | %s | %s |" % (
            key, label, model, "".join(" -D " + d for d in defines),
            params[key], acc, fmt(r["loss"], 1, 3) if r["loss"] else "-",
            fmt(r["sparsity"], 100, 1) if r["sparsity"] else "-"))
    report = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "reproduction.md"), "w") as f:
        f.write(report)
    print(report)
    if a.docs:
        write_docs(a.docs, report, a.out, runs, seeds)
        print("reproduce: updated %s" % a.docs)
    failed = [k for k, r in results.items() if r["failed"]]
    if failed:
        sys.exit("reproduce: runs failed: %s" % ", ".join(failed))


def record(r, seed, outcome, run_dir):
    """A run's outcome (new or kept) into the results."""
    r["seconds"] = r.get("seconds", 0) + outcome.get("seconds", 0)
    if outcome["status"] != "finished":
        r[outcome["status"]].append("seed %d: %s" % (seed, outcome["message"]))
        return
    row = last_epoch(run_dir)
    r["acc"].append(row["test_accuracy"])
    r["loss"].append(row["test_loss"])
    sp = row.get("sparsity") or {}
    if sp:
        r["sparsity"].append(statistics.fmean(sp.values()))


def git_rev():
    p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                       capture_output=True, text=True)
    return p.stdout.strip() or "unknown"


def write_docs(path, report, out, runs, seeds):
    text = open(path).read()
    if BEGIN not in text or END not in text:
        sys.exit("reproduce: %s has no %s ... %s section" % (path, BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + report + END + tail)
    logs = os.path.join(os.path.dirname(os.path.abspath(path)), "reproduction")
    if os.path.isdir(logs):
        shutil.rmtree(logs)
    for key, *_ in runs:
        for seed in range(1, seeds + 1):
            src = os.path.join(out, "runs", key, "seed%d" % seed,
                               "metrics.jsonl")
            if os.path.exists(src):
                dst = os.path.join(logs, key, "seed%d.jsonl" % seed)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(src, dst)


if __name__ == "__main__":
    main()
