"""Compares two checkpoints tensor by tensor, bitwise.

usage: same_weights.py A.safetensors B.safetensors [--expect-different]

Exit 0 when every tensor has the same name, dtype, shape and bytes (or,
with --expect-different, when at least one differs).
"""
import sys

import torch
from safetensors.torch import load_file


def main():
    a, b = load_file(sys.argv[1]), load_file(sys.argv[2])
    expect_diff = "--expect-different" in sys.argv
    diffs = []
    if set(a) != set(b):
        diffs.append("names: %s vs %s" % (sorted(set(a) ^ set(b)), ""))
    for k in sorted(set(a) & set(b)):
        if a[k].dtype != b[k].dtype or a[k].shape != b[k].shape:
            diffs.append("%s: %s%s vs %s%s" % (k, a[k].dtype, list(a[k].shape),
                                               b[k].dtype, list(b[k].shape)))
        elif not torch.equal(a[k], b[k]):
            d = (a[k].double() - b[k].double()).abs().max().item()
            diffs.append("%s: max |difference| %g" % (k, d))
    if expect_diff:
        if not diffs:
            print("same_weights: FAIL: expected a difference, all %d tensors "
                  "are identical" % len(a))
            sys.exit(1)
        print("same_weights: OK: %d tensors differ" % len(diffs))
        return
    if diffs:
        print("same_weights: FAIL: %d differences:\n  %s"
              % (len(diffs), "\n  ".join(diffs[:20])))
        sys.exit(1)
    print("same_weights: OK: %d tensors bitwise identical" % len(a))


if __name__ == "__main__":
    main()
