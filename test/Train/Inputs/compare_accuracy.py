"""Eval-mode vs batch-statistics accuracy (test/Train/bn-eval.test).

usage: compare_accuracy.py TRAIN.txt RUNNING.txt BATCH.txt
                           --max-difference D --min-accuracy A

TRAIN.txt is `cscc train`'s output, RUNNING.txt `cscc eval`'s (running
statistics, the best checkpoint) and BATCH.txt `cscc eval --bn-stats
batch`'s. Checks: eval's accuracy is the best epoch's test accuracy as
training reported it, both accuracies are >= A and within D of each other.
"""
import argparse
import re
import sys


def accuracies(path):
    return [float(x) for x in
            re.findall(r"^test accuracy: ([0-9.]+)$", open(path).read(), re.M)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("running")
    ap.add_argument("batch")
    ap.add_argument("--max-difference", type=float, required=True)
    ap.add_argument("--min-accuracy", type=float, required=True)
    a = ap.parse_args()
    epochs = [float(x) for x in re.findall(r"test loss [0-9.]+ acc ([0-9.]+)",
                                            open(a.train).read())]
    running, = accuracies(a.running)
    batch, = accuracies(a.batch)
    print("epochs %s, eval (running statistics) %.4f, batch statistics %.4f"
          % (epochs, running, batch))
    ok = True
    if abs(running - max(epochs)) > 5e-5:
        print("FAIL: eval accuracy differs from the best epoch's")
        ok = False
    if min(running, batch) < a.min_accuracy:
        print("FAIL: accuracy below %s" % a.min_accuracy)
        ok = False
    if abs(running - batch) > a.max_difference:
        print("FAIL: running vs batch statistics differ by more than %s"
              % a.max_difference)
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
