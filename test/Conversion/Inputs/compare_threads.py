"""compare_threads.py A.safetensors B.safetensors: the gradients of two
`cscc grad` runs at different OMP_NUM_THREADS. Every tensor must be
bitwise identical, except convolution filters (4-d): oneDNN's
backward-weights kernel sums over the batch in per-thread parts, so those
may differ in the last bits (relative 1e-5 at most). The generated code's
own reductions (batch-norm statistics and their gradients, biases,
thresholds, steps, the linear layer) never split across threads.
Prints one line per tensor class and 'threads: OK' or fails."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "reference"))
from cscc_io import read_safetensors  # noqa: E402


(a, _), (b, _) = read_safetensors(sys.argv[1]), read_safetensors(sys.argv[2])
assert sorted(a) == sorted(b), "different tensors"
bad = 0
identical = 0
for name in sorted(a):
    if np.array_equal(a[name], b[name]):
        identical += 1
        continue
    rel = float(np.max(np.abs(a[name] - b[name])) / max(np.max(np.abs(a[name])), 1e-30))
    if a[name].ndim == 4 and rel < 1e-5:
        print("convolution filter %s differs (oneDNN), relative %.1e" % (name, rel))
        continue
    print("FAIL: %s differs, relative %.3e" % (name, rel))
    bad += 1
print("%d of %d tensors identical" % (identical, len(a)))
if bad:
    sys.exit(1)
print("threads: OK")
