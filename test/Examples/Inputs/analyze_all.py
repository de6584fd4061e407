"""`cscc analyze --json` on every example: it must run without error and
report, for each of the model's dictionaries (one per layer-wise pursuit,
one per level of a stack: as many as `cscc summary` lists pursuits and
stack levels), a converged lambda_max(D^T D) > 0 with a small residual, the
step's c L, and its stability class. Prints one line per example and a
count; exits 1 on the first failure."""
import glob
import json
import math
import os
import re
import subprocess
import sys

cscc, root = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(root, "*.csc")) +
               glob.glob(os.path.join(root, "paper", "*.csc")))
for path in files:
    name = os.path.relpath(path, root)
    p = subprocess.run([cscc, "analyze", path, "--json"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit("%s: cscc analyze failed (exit %d): %s" %
                 (name, p.returncode, p.stderr.strip()))
    report = json.loads(p.stdout)
    dicts = report["dictionaries"]
    # The summary's layers with dictionaries (pursuits and stacks) are the
    # report's: a pursuit's by its name, a stack's as NAME.0, NAME.1, ...
    summary = subprocess.run([cscc, "summary", path], capture_output=True,
                             text=True, check=True).stdout
    layers = {}
    for line in summary.splitlines():
        m = re.match(r"\s*\d+\s+(\S+)\s+(pursuit|stack)", line)
        if m:
            layers[m.group(1)] = m.group(2)
    reported = {}
    for d in dicts:
        layer, _, level = d["name"].rpartition(".")
        if d["name"] in layers and layers[d["name"]] == "pursuit":
            reported.setdefault(d["name"], []).append(None)
        elif layers.get(layer) == "stack":
            reported.setdefault(layer, []).append(int(level))
        else:
            sys.exit("%s: dictionary '%s' is no pursuit or stack level of "
                     "the summary" % (name, d["name"]))
    missing = sorted(set(layers) - set(reported))
    if missing:
        sys.exit("%s: no dictionary reported for %s" % (name,
                                                        ", ".join(missing)))
    for layer, levels in reported.items():
        if layers[layer] == "stack" and levels != list(range(len(levels))):
            sys.exit("%s: stack %s reports levels %s" % (name, layer, levels))
    expected = len(layers)
    bad = [d["name"] for d in dicts
           if not (d["lambda_max"] > 0 and math.isfinite(d["lambda_max"])
                   and d["converged"] and d["relative_residual"] < 1e-4
                   and math.isfinite(d["c_times_lipschitz"]))]
    if bad:
        sys.exit("%s: dictionaries without a converged lambda_max: %s" %
                 (name, ", ".join(bad)))
    fallback = sum(1 for d in dicts
                   if d["tolerance"] > report["eigensolver"]["lanczos_tolerance"])
    print("%s: %d dictionaries in %d pursuits and stacks (%d at the fallback "
          "tolerance), largest c L %.3g"
          % (name, len(dicts), expected, fallback,
                                max([d["c_times_lipschitz"] for d in dicts],
                                    default=0)))
print("analyzed %d examples" % len(files))
