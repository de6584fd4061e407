"""Two runs' metrics.jsonl agree exactly on everything but time.

usage: same_metrics.py A/metrics.jsonl B/metrics.jsonl

Each epoch's step, learning rate, losses, accuracies and sparsity must be
equal (as written, to the last digit); seconds and images per second may
differ. Fails naming the epoch and the field.
"""
import json
import sys

TIME = {"seconds", "images_per_second"}


def read(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def main():
    a, b = read(sys.argv[1]), read(sys.argv[2])
    if len(a) != len(b):
        sys.exit("same_metrics: FAIL: %d epochs vs %d" % (len(a), len(b)))
    for ra, rb in zip(a, b):
        keys = (set(ra) | set(rb)) - TIME
        for k in sorted(keys):
            if ra.get(k) != rb.get(k):
                sys.exit("same_metrics: FAIL: epoch %s, %s: %r vs %r" %
                         (ra.get("epoch"), k, ra.get(k), rb.get(k)))
    print("same_metrics: OK: %d epochs" % len(a))


if __name__ == "__main__":
    main()
