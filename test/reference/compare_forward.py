"""cscc's forward pass against the PyTorch reference, every example.

usage: compare_forward.py CSCC EXAMPLES_DIR [--wrong] [--only SUBSTRING]

For every example of csc_reference.EXAMPLES (examples/paper/*.csc and
examples/*.csc, reduced through -D where the full model is slow) and
Inputs/options.csc (every pursuit/stack option once):
  1. `cscc init` writes the initial weights; they are perturbed
     (cscc_io.perturb) so that running statistics, biases, thresholds,
     steps and Gram coefficients all matter;
  2. the reference (float64, `net.double()` before `load_state_dict`, eval
     mode) runs on a random batch;
  3. `cscc run --dtype f64` (F64 weights, float64 input) must match it to a
     relative error max|y - ref| / max|ref| <= 1e-12, and
     `cscc run --dtype f32` (F32 weights, float32 input; the reference runs
     on the same values, rounded to float32) to <= 1e-4.
A few cases mix the dtypes (F32 weights with --dtype f64: exact on the
rounded values; F64 weights and float64 input with --dtype f32).
One line per case; exit 1 naming every failure. --wrong perturbs one weight
of cscc's file only, which must make every case fail (a test of the test).
"""

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import csc_reference as ref  # noqa: E402
from cscc_io import Cscc, perturb, rel_err  # noqa: E402

TOL_F64 = 1e-12      # measured: ~1e-15
TOL_F32 = 1e-4       # measured: ~1e-7
BATCH = 3

# (file relative to examples/, -D overrides): every example once, reduced
# where the full size is slow; some families at a second size.
CASES = [
    ("paper/plain20.csc", {"depth": 8}),
    ("paper/plain56.csc", {"depth": 8}),
    ("paper/resnet20.csc", {"depth": 8}),
    ("paper/resnet56.csc", {"depth": 8}),
    ("paper/resnet110.csc", {"depth": 8}),
    ("paper/res_csc20.csc", {"depth": 14}),
    ("paper/res_csc32.csc", {"depth": 8}),
    ("paper/res_csc44.csc", {"depth": 8}),
    ("paper/res_csc56.csc", {"depth": 8}),
    ("paper/res_csc110.csc", {"depth": 8}),
    ("paper/res_csc218.csc", {"depth": 8}),
    ("paper/res_csc_simplified56.csc", {"depth": 14}),
    ("paper/feedforward6.csc", {}),
    ("paper/ml_csc_ista6.csc", {}),
    ("paper/ml_csc_fista6.csc", {}),
    ("paper/ml_csc_fista6.csc", {"unfold": 4}),
    ("paper/msdnet_d6.csc", {"w": 8}),
    ("paper/msdnet_d9.csc", {"d": 3, "w": 4}),
    ("paper/msdnet_d12.csc", {"d": 3, "w": 4}),
    ("paper/msd_csc_ista_d12.csc", {"d": 3, "w": 4}),
    ("paper/msd_csc_fista_d6.csc", {"d": 6, "w": 4, "unfold": 3}),
    ("paper/msd_csc_fista_d9.csc", {"d": 3, "w": 4}),
    ("paper/msd_csc_fista_d12.csc", {"d": 3, "w": 4}),
    ("paper/authors_msd_csc.csc", {"k": 4, "d": 3}),
    ("paper/authors_msd_csc.csc", {"k": 3, "d": 2, "unfold": 2}),
    ("paper/fig4_ml_csc.csc", {"w": 16}),
    ("paper/fig4_msd_csc.csc", {"w": 16, "unfold": 2}),
    ("msd_csc_fmnist.csc", {}),
    ("two_dilations.csc", {}),
    ("Inputs/options.csc", {}),
    ("Inputs/options.csc", {"u": 3}),
]

# (case label, weight file dtype, cscc --dtype, input dtype) beyond the
# two main runs of every case.
MIXED = [
    ("plain20 depth=8", np.float32, "f64", np.float32),
    ("plain20 depth=8", np.float64, "f32", np.float64),
    ("authors_msd_csc d=3 k=4", np.float32, "f64", np.float64),
    ("Inputs/options", np.float64, "f32", np.float32),
]


def model_path(examples, relpath):
    if relpath.startswith("Inputs/"):
        return os.path.join(HERE, relpath)
    return os.path.join(examples, relpath)


def build_reference(relpath, overrides):
    if relpath == "Inputs/options.csc":
        return ref.options(**overrides)
    return ref.build_example(relpath, **overrides)


def reference_forward(relpath, overrides, weights, x):
    """The reference in float64 on `weights` (dict of arrays)."""
    net = build_reference(relpath, overrides)
    net = net.double()                    # before load_state_dict
    state = {k: torch.from_numpy(np.asarray(v, np.float64))
             for k, v in weights.items()}
    net.load_state_dict(state, strict=True)
    net.eval()
    with torch.no_grad():
        y = net(torch.from_numpy(np.asarray(x, np.float64)))
    return y.numpy()


def round32(d):
    return {k: np.asarray(v, np.float32).astype(np.float64)
            for k, v in d.items()}


def label(relpath, overrides):
    name = os.path.basename(relpath)[:-4]
    if relpath.startswith("Inputs/"):
        name = relpath[:-4]
    if overrides:
        name += " " + " ".join("%s=%s" % kv for kv in sorted(overrides.items()))
    return name


def run_case(cscc, examples, idx, relpath, overrides, wrong):
    """-> (lines, failures, {tag: error}) of one model."""
    name = label(relpath, overrides)
    path = model_path(examples, relpath)
    lines, failures, errs = [], [], {}
    try:
        w0 = cscc.init(path, overrides, seed=idx + 1)
        w = perturb(w0, seed=idx)
        w_cscc = perturb(w0, seed=idx, wrong=True) if wrong else w
        net = build_reference(relpath, overrides)
        rng = np.random.RandomState(1000 + idx)
        x = rng.standard_normal((BATCH,) + net.in_shape)
        runs = [("f64", np.float64, "f64", np.float64),
                ("f32", np.float32, "f32", np.float32)]
        runs += [("mix %s weights, --dtype %s, %s input" % (
            np.dtype(wd).name, dt, np.dtype(xd).name), wd, dt, xd)
            for lab, wd, dt, xd in MIXED if lab == name]
        for tag, wdt, dt, xdt in runs:
            xr = x.astype(xdt)
            # the reference sees exactly the values cscc is given
            wr = round32(w) if wdt == np.float32 else w
            yref = reference_forward(relpath, overrides, wr,
                                     xr.astype(np.float64))
            t0 = time.time()
            y = cscc.run(path, w_cscc, xr, dt, overrides, wdt)
            secs = time.time() - t0
            want = np.float64 if dt == "f64" else np.float32
            if y.dtype != want:
                raise RuntimeError("output dtype %s for --dtype %s"
                                   % (y.dtype, dt))
            err = rel_err(y, yref)
            tol = TOL_F64 if dt == "f64" else TOL_F32
            errs[tag] = err
            ok = err <= tol and bool(np.all(np.isfinite(y)))
            lines.append("%-4s %-40s %-4s rel err %.3e (tol %.0e) out %s "
                         "max|ref| %.3g  %.2fs" % (
                             "ok" if ok else "FAIL", name,
                             tag if len(tag) < 5 else "", err, tol,
                             list(y.shape), np.max(np.abs(yref)), secs))
            if len(tag) >= 5:
                lines[-1] += "\n       (" + tag + ")"
            if not ok:
                failures.append("%s (%s): relative error %.3e > %.0e"
                                % (name, tag, err, tol))
    except Exception as e:  # noqa: BLE001
        lines.append("FAIL %-40s %s" % (name, str(e).replace("\n", "\n     ")))
        failures.append("%s: %s" % (name, str(e).splitlines()[0]))
    return lines, failures, errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cscc")
    ap.add_argument("examples")
    ap.add_argument("--wrong", action="store_true",
                    help="perturb one weight in cscc's file only")
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    args = ap.parse_args()
    cscc = Cscc(args.cscc)
    torch.set_num_threads(1)

    covered = {rel for rel, _ in CASES}
    missing = sorted(set(ref.EXAMPLES) - covered)
    on_disk = sorted(
        os.path.relpath(os.path.join(d, f), args.examples)
        for d in (args.examples, os.path.join(args.examples, "paper"))
        for f in os.listdir(d) if f.endswith(".csc"))
    missing += [f for f in on_disk if f not in covered]
    failures = []
    labels = [label(r, o) for r, o in CASES]
    failures += ["MIXED names no case: " + m[0] for m in MIXED
                 if m[0] not in labels]
    if missing:
        failures.append("examples without a case: %s" % ", ".join(missing))

    t_start = time.time()
    todo = [(i, r, o) for i, (r, o) in enumerate(CASES)
            if args.only in label(r, o)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, cscc, args.examples, i, r, o,
                               args.wrong) for i, r, o in todo]
        results = [f.result() for f in futures]
    worst = {"f64": 0.0, "f32": 0.0}
    for lines, fails, errs in results:
        for line in lines:
            print(line)
        failures += fails
        for tag in worst:
            worst[tag] = max(worst[tag], errs.get(tag, 0.0))
    print("worst relative error: f64 %.3e, f32 %.3e; %d models in %.1fs"
          % (worst["f64"], worst["f32"], len(todo), time.time() - t_start))
    if failures:
        for f in failures:
            print("FAIL: " + f)
        print("%d failures" % len(failures))
        return 1
    # Counted as made (a case whose runs were skipped counts none).
    compared = sum(len(errs) for _, _, errs in results)
    print("all %d forward comparisons passed (%d models)"
          % (compared, len(todo)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
