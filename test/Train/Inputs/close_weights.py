"""Compares two checkpoints tensor by tensor within a tolerance: a model
trained on the GPU against the same model trained on the CPU (same seed,
data and settings; the arithmetic differs in the last bits: cuDNN's
algorithms, fused multiply-adds, libdevice's functions, which grow over
the steps of training).

usage: close_weights.py A.safetensors B.safetensors [--rtol R]

Exit 0 when both have the same tensors (names, dtypes, shapes) and every
tensor's max |a - b| <= rtol * max(max |a|, 1e-3); prints the worst one.
"""
import sys

from safetensors.torch import load_file


def main():
    a, b = load_file(sys.argv[1]), load_file(sys.argv[2])
    rtol = float(sys.argv[sys.argv.index("--rtol") + 1]) if "--rtol" in sys.argv else 1e-2
    if set(a) != set(b):
        print("close_weights: FAIL: names differ: %s" % sorted(set(a) ^ set(b)))
        return 1
    worst, worst_name, bad = 0.0, "", []
    for k in sorted(a):
        if a[k].dtype != b[k].dtype or a[k].shape != b[k].shape:
            bad.append("%s: %s%s vs %s%s" % (k, a[k].dtype, list(a[k].shape),
                                              b[k].dtype, list(b[k].shape)))
            continue
        x, y = a[k].double(), b[k].double()
        scale = max(x.abs().max().item(), 1e-3)
        rel = (x - y).abs().max().item() / scale
        if rel > worst:
            worst, worst_name = rel, k
        if not rel <= rtol:
            bad.append("%s: max |difference| / max |a| = %g" % (k, rel))
    print("close_weights: %d tensors, worst %s (%g), rtol %g" % (len(a), worst_name, worst, rtol))
    for line in bad:
        print("close_weights: FAIL: " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
