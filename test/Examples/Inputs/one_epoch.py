"""Trains an example for one epoch from its default initialisation and
checks that its loss went down.

The model trains at its train section's settings (optimizer, rate, schedule,
augmentation) on simulated data of the model's own input shape, with the
sizes given here (-D overrides, a smaller set and batch). "Down" is measured
on held-out data with the same measure before and after: `cscc eval` of the
initial weights (`cscc init --seed S`, the weights `cscc train --seed S`
starts from) and of the trained ones, batch norm with each batch's
statistics (a one-epoch run's running statistics are still near their
start, which would measure the statistics, not the training).

Prints one line, `NAME: test loss BEFORE -> AFTER (down by P%)`, and exits 1
with the reason when training fails (an error, a non-finite loss) or the
loss did not go down to below a uniform guess's, ln(classes): a model that
only learns to predict every class equally often (the loss falls from a
poor start to ln 10 and stays) has not learned.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("command failed (exit %d): %s\n%s%s" %
                 (p.returncode, " ".join(cmd), p.stdout, p.stderr))
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--cscc", default="cscc")
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("-D", action="append", default=[], dest="defines")
    ap.add_argument("--train", type=int, default=1024)
    ap.add_argument("--test", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--train-arg", action="append", default=[],
                    help="one more argument for `cscc train` (a flag, or "
                         "its value)")
    a = ap.parse_args()

    name = os.path.splitext(os.path.basename(a.model))[0]
    defines = [x for d in a.defines for x in ("-D", d)]
    data = ["--data", "simulated", "--data-train", str(a.train),
            "--data-test", str(a.test), "--data-seed", str(a.seed),
            "--data-classes", str(a.classes)]
    os.makedirs(a.run_dir, exist_ok=True)
    init = os.path.join(a.run_dir, "init.safetensors")
    run([a.cscc, "init", a.model, *defines, "--seed", str(a.seed), "-o", init])

    def test_loss(weights):
        out = run([a.cscc, "eval", a.model, *defines, *data, "--weights",
                   weights, "--bn-stats", "batch"])
        m = re.search(r"^test loss: (\S+)$", out, re.M)
        if not m:
            sys.exit("no test loss in `cscc eval`'s output:\n" + out)
        return float(m.group(1))

    before = test_loss(init)
    run_dir = os.path.join(a.run_dir, "run")
    run([a.cscc, "train", a.model, *defines, *data, "--seed", str(a.seed),
         "--batch", str(a.batch), "--epochs", "1", "--run-dir", run_dir,
         "--progress", "plain", *a.train_arg])
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f]
    if len(records) != 1 or not math.isfinite(records[0]["train_loss"]):
        sys.exit("%s: expected one epoch with a finite training loss, got %s"
                 % (name, records))
    after = test_loss(os.path.join(run_dir, "last.safetensors"))
    guess = math.log(a.classes)
    if not (math.isfinite(before) and math.isfinite(after) and after < before
            and after < guess):
        sys.exit("%s: the test loss did not go down in one epoch to below a "
                 "uniform guess's (%.4f): %.4f -> %.4f"
                 % (name, guess, before, after))
    print("%s: test loss %.4f -> %.4f (down by %.0f%%)" %
          (name, before, after, 100 * (before - after) / before))


if __name__ == "__main__":
    main()
