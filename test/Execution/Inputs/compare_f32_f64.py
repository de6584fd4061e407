"""compare_f32_f64.py Y32.npy Y64.npy G32.safetensors G64.safetensors TOL
The float32 outputs and gradients against the float64 ones (which do not go
through oneDNN): the largest difference relative to the tensor's largest
magnitude, per tensor. Prints the counts it compared; fails above TOL."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "Runtime", "Inputs"))
import st_util  # noqa: E402


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


y32, y64 = np.load(sys.argv[1]), np.load(sys.argv[2])
g32, _, _, _ = st_util.read(sys.argv[3])
g64, _, _, _ = st_util.read(sys.argv[4])
tol = float(sys.argv[5])
assert g32.keys() == g64.keys()
worst = rel(y32, y64)
nonzero = 0
for k in sorted(g32):
    a = np.frombuffer(g32[k][2], st_util.DTYPES[g32[k][0]])
    b = np.frombuffer(g64[k][2], st_util.DTYPES[g64[k][0]])
    nonzero += int(np.abs(b).max() > 0)
    worst = max(worst, rel(a, b))
print("outputs %d, gradients %d (%d nonzero), %s" %
      (y32.size, len(g32), nonzero,
       "within %g" % tol if worst <= tol else "DIFFER: %g" % worst))
