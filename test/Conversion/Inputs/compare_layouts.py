"""compare_layouts.py G1 G2 LOSS1 LOSS2: the gradients (safetensors) and
losses ('loss: X' lines) of two `cscc grad` runs of the same model, data
and weights with different loop layouts (--loops cpu and gpu). Every
gradient element must be within 1e-5 of the largest gradient magnitude of
the first run (tensors whose gradient is rounding noise, such as a
convolution bias before a batch norm, are held to that scale too), and the
losses within 1e-6 relative."""
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "reference"))
from cscc_io import read_safetensors  # noqa: E402

(a, _), (b, _) = read_safetensors(sys.argv[1]), read_safetensors(sys.argv[2])
if sorted(a) != sorted(b):
    print("layouts: FAIL: different tensors", sorted(set(a) ^ set(b)))
    sys.exit(1)
scale = max(float(np.max(np.abs(v))) for v in a.values())
worst, worst_name, bad = 0.0, "", []
for name in sorted(a):
    d = float(np.max(np.abs(a[name].astype(np.float64) - b[name].astype(np.float64))))
    if d > worst:
        worst, worst_name = d, name
    if not d <= 1e-5 * scale:
        bad.append("%s: max |difference| %g > 1e-5 * %g" % (name, d, scale))
print("layouts: %d tensors, worst %s (%g), within 1e-05 of the largest gradient" %
      (len(a), worst_name, worst) if not bad else "layouts: FAIL")
for line in bad:
    print("layouts: FAIL: " + line)
l1, l2 = (float(re.search(r"loss: ([-0-9.e+]+)", open(p).read()).group(1))
          for p in sys.argv[3:5])
rel = abs(l1 - l2) / max(abs(l1), 1e-30)
print("loss: relative difference %.2e %s 1e-06" % (rel, "<=" if rel <= 1e-6 else ">"))
sys.exit(1 if bad or rel > 1e-6 else 0)
