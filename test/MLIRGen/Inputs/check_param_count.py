"""Cross-checks two independent counts of a model's parameters.

`cscc summary` adds up the front end's per-layer counts; MLIRGen emits one
`csc.param` per learned tensor. For every file given, the learned (non-state)
csc.param elements must sum to the summary's total. Prints one line per
model, exits 1 on any mismatch.
"""
import re
import subprocess
import sys

cscc, files = sys.argv[1], sys.argv[2:]
param = re.compile(r'csc\.param "([^"]+)" \{([^}]*)\} : tensor<([0-9x]+)xf32>')
bad = 0
for f in files:
    summary = subprocess.run([cscc, "summary", f], capture_output=True,
                             text=True, check=True).stdout
    total = int(re.search(r"^total parameters: (\d+)$", summary, re.M).group(1))
    mlir = subprocess.run([cscc, "--emit=mlir", f], capture_output=True,
                          text=True, check=True).stdout
    learned, names = 0, set()
    for name, attrs, shape in param.findall(mlir):
        if name in names:
            print(f"{f}: parameter name {name} used twice")
            bad = 1
        names.add(name)
        if "state" in attrs:
            continue
        n = 1
        for d in shape.split("x"):
            n *= int(d)
        learned += n
    status = "ok" if learned == total else "MISMATCH"
    bad |= learned != total
    print(f"{status} {f.split('/')[-1]}: summary {total}, csc.param {learned}")
sys.exit(bad)
