"""Checks that the PyTorch reference models have exactly cscc's parameters.

usage: check_names.py CSCC EXAMPLES_DIR

For every example file (at its own size and at reduced sizes through -D),
builds the reference model (csc_reference.build_example) and compares
  * its state_dict (parameters + buffers) names and shapes with the
    `csc.param "NAME" {...} : tensor<SHAPE>` lines of `cscc --emit=mlir`,
    buffers being exactly the params marked `state`;
  * its learned-parameter count with `total parameters: N` of `cscc summary`.
Prints every difference and exits 1 if there is any.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import csc_reference as ref  # noqa: E402

PARAM_RE = re.compile(
    r'csc\.param\s+"([^"]+)"\s*\{([^}]*)\}\s*:\s*tensor<([^>]*)>')

# (example, overrides): every example at its own size, the families also at
# reduced and varied sizes (the builders take the same params as the files).
CASES = [(name, {}) for name in sorted(ref.EXAMPLES)] + [
    ("paper/resnet20.csc", {"depth": 8}),
    ("paper/res_csc20.csc", {"depth": 14}),
    ("paper/plain20.csc", {"depth": 8}),
    ("paper/res_csc_simplified56.csc", {"depth": 8}),
    ("paper/ml_csc_ista6.csc", {"unfold": 3}),
    ("paper/ml_csc_fista6.csc", {"unfold": 0}),
    ("paper/msdnet_d6.csc", {"d": 3, "w": 4}),
    ("paper/msd_csc_fista_d6.csc", {"d": 4, "w": 5, "unfold": 3}),
    ("paper/msd_csc_ista_d12.csc", {"d": 7, "w": 3, "unfold": 1}),
    ("paper/authors_msd_csc.csc", {"k": 3, "d": 2, "unfold": 2}),
    ("paper/authors_msd_csc.csc", {"k": 4, "d": 3, "unfold": 0}),
    ("msd_csc_fmnist.csc", {"d": 3, "w": 4, "unfold": 2}),
    ("msd_csc_fmnist.csc", {"d": 2, "w": 2, "unfold": 0}),
    ("two_dilations.csc", {"w": 3}),
]


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (" ".join(cmd),
                                                    p.returncode, p.stderr))
    return p.stdout


def cscc_params(cscc, path, defs):
    text = run([cscc, "--emit=mlir", path] + defs)
    params, state = {}, set()
    for name, attrs, ty in PARAM_RE.findall(text):
        dims = ty.split("x")[:-1]             # "16x3x3x3xf32" -> 16,3,3,3
        if name in params:
            raise RuntimeError("cscc declares %s twice" % name)
        params[name] = tuple(int(d) for d in dims)
        if re.search(r"\bstate\b", attrs):
            state.add(name)
    if not params:
        raise RuntimeError("no csc.param in the output of cscc for " + path)
    return params, state


def cscc_total(cscc, path, defs):
    text = run([cscc, "summary", path] + defs)
    m = re.search(r"total parameters:\s*(\d+)", text)
    if not m:
        raise RuntimeError("no 'total parameters' in cscc summary of " + path)
    return int(m.group(1))


INPUTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs")
# Files beside this script: (file, builder, overrides).
EXTRA = [
    ("options.csc", ref.options, {}),
    ("options.csc", ref.options, {"u": 0}),
    ("options.csc", ref.options, {"u": 3}),
]


def check(cscc, examples, rel, overrides, builder=None):
    path = os.path.join(examples, rel)
    defs = []
    for k, v in sorted(overrides.items()):
        defs += ["-D", "%s=%s" % (k, v)]
    label = rel + ("" if not overrides else " " + " ".join(defs))
    errors = []
    want, want_state = cscc_params(cscc, path, defs)
    total = cscc_total(cscc, path, defs)
    if builder is None:
        model = ref.build_example(rel, **overrides)
    else:
        model = builder(**overrides)
    sd = model.state_dict()
    got = {k: tuple(v.shape) for k, v in sd.items()}
    got_state = {k for k, _ in model.named_buffers()}
    for k in sorted(set(want) - set(got)):
        errors.append("  only in cscc:      %-60s %s" % (k, list(want[k])))
    for k in sorted(set(got) - set(want)):
        errors.append("  only in reference: %-60s %s" % (k, list(got[k])))
    for k in sorted(set(want) & set(got)):
        if want[k] != got[k]:
            errors.append("  shape of %s: cscc %s, reference %s"
                          % (k, list(want[k]), list(got[k])))
        if (k in want_state) != (k in got_state):
            errors.append("  %s: cscc %s, reference %s" % (
                k, "state" if k in want_state else "parameter",
                "buffer" if k in got_state else "parameter"))
    count = model.parameter_count()
    if count != total:
        errors.append("  parameter count: cscc summary %d, reference %d"
                      % (total, count))
    status = "FAIL" if errors else "ok"
    print("%-4s %s (%d tensors, %d parameters)" % (status, label, len(want),
                                                   total))
    for e in errors:
        print(e)
    return not errors


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    cscc, examples = argv[1], argv[2]
    # Every example file must be covered: a new example needs a builder.
    on_disk = set()
    for root, _, files in os.walk(examples):
        for f in files:
            if f.endswith(".csc") and os.path.basename(root) != "lib":
                on_disk.add(os.path.relpath(os.path.join(root, f), examples))
    ok = True
    for missing in sorted(on_disk - set(ref.EXAMPLES)):
        print("FAIL %s: no reference builder for this example" % missing)
        ok = False
    for rel, ov in CASES:
        try:
            ok = check(cscc, examples, rel, ov) and ok
        except Exception as e:  # report and go on with the other cases
            print("FAIL %s %s: %s" % (rel, ov, e))
            ok = False
    for rel, builder, ov in EXTRA:
        try:
            ok = check(cscc, INPUTS, rel, ov, builder) and ok
        except Exception as e:
            print("FAIL %s %s: %s" % (rel, ov, e))
            ok = False
    print("all reference names match" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
