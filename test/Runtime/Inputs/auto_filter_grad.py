"""Which path Auto gives a dilated backward-filter call, against the rule
in runtime/lib/ConvOneDnn.cpp: the per-tap GEMMs where oneDNN's own call
would be its gemm path and x has other than 2 channels, the phases where
it would be gemm and x has 2, oneDNN's call itself where oneDNN has a JIT
kernel (which depends on the CPU: AVX-512 has one for most of these
shapes, AVX2 none).

    auto_filter_grad.py RUNTIME_CHECK X.npy DY.npy [conv flags...]
                        [--as-auto POLICY]

Prints `direct: IMPL`, then `auto: taps|phases|direct (expected E)`, and
exits 1 when Auto's path is not the expected one. --as-auto runs POLICY
in Auto's place (to see the check fail)."""
import subprocess
import sys

import numpy as np

check, x, dy, flags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
auto = "auto"
if "--as-auto" in flags:
    i = flags.index("--as-auto")
    auto = flags[i + 1]
    del flags[i:i + 2]


def impl(policy):
    out = subprocess.run(
        [check, "conv", "bwd_filter", x, dy, "-o", "/dev/null", *flags,
         "--print-impl", "--dilated-filter-grad", policy],
        capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("impl: "))
    return line[len("impl: "):]


def path(name):
    if name.startswith("taps:"):
        return "taps"
    if name.startswith("phases"):
        return "phases"
    return "direct"


direct = impl("direct")
channels = np.load(x, mmap_mode="r").shape[1]
if "gemm" not in direct:
    expected = "direct"
else:
    expected = "phases" if channels == 2 else "taps"
got = path(impl(auto))
print("direct:", direct)
print("auto: %s (expected %s)" % (got, expected))
sys.exit(0 if got == expected else 1)
