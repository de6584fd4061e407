"""cscc's gradients (`cscc grad`) against PyTorch autograd, every family.

usage: compare_grad.py CSCC EXAMPLES_DIR [--wrong [weight|grad|names]]
                       [--only SUBSTRING] [--reference-only] [--verbose]

For every case of CASES (one per example family, reduced through -D like
compare_forward.py; Inputs/options.csc for every pursuit/stack option,
Inputs/penalties.csc for l1 penalties, Inputs/maxpool_ties.csc for max-pool
ties):
  1. `cscc init`, then cscc_io.perturb (running statistics, biases,
     thresholds, steps, Gram coefficients and batch-norm scales off their
     0/1 initial values, so that every parameter matters), a random batch
     of N = 3 images and random labels (int64; one case int32);
  2. `cscc grad --dtype f64` -> G.safetensors and `loss: V` on stdout;
  3. the reference (csc_reference, float64, `net.train()`: batch norms use
     batch statistics, one set per unfolding inside pursuits) on the same
     weights: loss = mean softmax cross-entropy + sum_j w_j ||z_j||_1 / N
     over the model's penalties, loss.backward(). csc_reference models the
     forward pass only: the penalties are listed here (EXAMPLE_PENALTIES,
     `penalties()`), and must equal the `penalty:` lines of cscc summary;
  4. checks
       * the loss to 1e-10 relative;
       * the SET of names in G = the reference's learned parameters
         (named_parameters: no missing, no extra, no running statistics),
         each with its parameter's shape, dtype F64;
       * every gradient: max|g - ref| / max(max|ref|, tiny) <= 1e-5, tiny =
         1e-6 x the largest reference gradient entry of the model (a conv
         bias followed by a train-mode batch norm has gradient 0 exactly;
         both sides then compute rounding noise ~1e-16 x the gradient
         scale, which is no relative error of anything; such tensors are
         reported apart).
Inputs/maxpool_ties.csc runs on small-integer images and filters: the conv
outputs are exact and 39 of its 144 first-pool windows hold a tied maximum;
routing each window's gradient to its last maximum instead of the first
(PyTorch's) changes the reference's conv-filter gradient by ~12%.
A few cases also run `--dtype f32` (F32 weights and input, the reference on
the same rounded values): G must be F32, the loss and gradients within
TOL_F32.
One line per case (worst tensor named); every failing tensor is listed.
--wrong (a test of the test; every case must then fail):
  weight  adds 0.5 to one entry of the first learned tensor in cscc's file;
  grad    changes the largest entry of cscc's gradient by 1e-4 relative
          (1e-2 in f32 runs);
  names   drops one gradient from G and adds a running statistic.
--reference-only runs only the reference (loss; tensors whose gradient is
0; all gradient norms with --verbose).
"""

import argparse
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import csc_reference as ref  # noqa: E402
from csc_reference import IDENTITY, Atom  # noqa: E402
from cscc_io import Cscc, perturb  # noqa: E402

TOL_LOSS = 1e-10
TOL_GRAD = 1e-5
TINY = 1e-6          # x the largest reference gradient entry of the model
TOL_F32 = 1e-3       # f32 runs: loss and gradients (relative, as above)
BATCH = 3

# (file relative to examples/ or test/reference/Inputs/, -D overrides)
CASES = [
    ("paper/plain20.csc", {"depth": 8}),
    ("paper/resnet20.csc", {"depth": 8}),
    ("paper/res_csc20.csc", {"depth": 14}),
    ("paper/res_csc_simplified56.csc", {"depth": 8}),
    ("paper/feedforward6.csc", {}),
    ("paper/ml_csc_ista6.csc", {}),                  # unfold 1
    ("paper/ml_csc_fista6.csc", {}),                 # unfold 2: momentum
    ("paper/msdnet_d6.csc", {"w": 8}),
    ("paper/msd_csc_ista_d12.csc", {"d": 3, "w": 4}),
    ("paper/msd_csc_fista_d6.csc", {"d": 3, "w": 4}),
    ("paper/authors_msd_csc.csc", {"k": 2, "d": 2}),
    ("paper/fig4_msd_csc.csc", {"w": 8}),
    ("msd_csc_fmnist.csc", {"d": 3, "w": 4}),
    ("two_dilations.csc", {}),
    ("Inputs/options.csc", {}),
    ("Inputs/penalties.csc", {}),
    ("Inputs/maxpool_ties.csc", {}),
]

# labels of the cases that also run --dtype f32 / get int32 labels
F32_CASES = ["resnet20 depth=8", "two_dilations", "Inputs/penalties"]
INT32_LABELS = ["Inputs/penalties"]


# --- l1 penalties ------------------------------------------------------------

# The penalties of the example files (csc_reference's builders model the
# forward pass only): (code name, weight) as written in the file.
EXAMPLE_PENALTIES = {
    "two_dilations.csc": [("g1", 1e-4), ("g2", 1e-4)],
}


def penalties(beta=0.005):
    """The reference of Inputs/penalties.csc (net.penalties: (name,
    weight), `input` being the model's input)."""
    net = ref.Net((2, 10, 10))
    pen = []
    net.conv(6, 3, padding=1, name="a")
    net.bn()
    net.relu()
    net.pursuit([Atom(6, 3, padding=1)], unfold=1, name="g1")
    net.pursuit([IDENTITY, Atom(4, 3, padding=1)], prox="soft",
                solver="fista", unfold=2, bn="prox",
                threshold="conv_channels", name="g2")
    for i in range(2):
        with net.loop(i):
            net.pursuit([IDENTITY, Atom(3, 3, dilation=i + 1,
                                        padding=i + 1)],
                        unfold=i, prox="soft", name="g")
            pen.append(("g.%d" % i, beta * (i + 1)))
    net.stack([[Atom(6, 3, padding=1)], [Atom(5, 1)]], unfold=1,
              prox="soft", name="s")
    net.maxpool(2)
    net.global_avgpool()
    net.linear(4)
    net.set_loss()
    pen += [("a", beta), ("g1", 2 * beta), ("g2", beta), ("g2", beta / 2),
            ("s", 3 * beta), ("g1", 0.0), ("input", beta)]
    net.penalties = pen
    return net


# --- test/reference/Inputs/maxpool_ties.csc ----------------------------------

def maxpool_ties():
    net = ref.Net((1, 8, 8))
    net.conv(3, 3, padding=1)
    net.maxpool(2)
    net.maxpool(3, stride=2, padding=1)
    net.linear(4)
    net.set_loss()
    return net


# Cases run on small-integer images and filters (exact conv outputs, so
# that max-pool windows hold ties).
INTEGER_CASES = ["Inputs/maxpool_ties.csc"]


def integer_data(w, x, rng):
    """Small-integer filters and images, and the convolutions' biases
    multiples of 1/4: every conv output is exact in any order of summation
    (PyTorch adds the bias first, cscc last; with a bias like 0.0555 the
    same integer sum could round differently, so a tie in one was none in
    the other and the gradient went elsewhere)."""
    w = dict(w)
    for k, v in w.items():
        if v.ndim == 4:
            w[k] = rng.randint(-1, 2, v.shape).astype(np.float64)
            bias = k[:-len("weight")] + "bias"
            if bias in w:
                w[bias] = rng.randint(-2, 3, w[bias].shape) / 4.0
    return w, rng.randint(0, 3, x.shape).astype(np.float64)


def reference_penalties(relpath, net):
    return list(getattr(net, "penalties", EXAMPLE_PENALTIES.get(relpath, [])))


def penalty_ids(net, pens):
    """(name, weight) -> (tensor id of Net.forward(return_all), weight)."""
    out = []
    for name, w in pens:
        if name == "input":
            out.append((0, w))
        elif name in net.layer_names:
            out.append((net.layer_names.index(name) + 1, w))
        else:
            raise KeyError("penalty on %s: no such layer in the reference"
                           % name)
    return out


def cscc_penalties(cscc, path, overrides):
    """(name, weight) of the `penalty: l1(NAME, W)` lines of cscc summary."""
    out = []
    for line in cscc("summary", path, *cscc.defs(overrides)).splitlines():
        m = re.match(r"penalty: l1\((\S+), (\S+)\)$", line.strip())
        if m:
            out.append((m.group(1), float(m.group(2))))
        elif line.startswith("penalty:"):
            raise RuntimeError("unknown penalty line: " + line)
    return out


def same_penalties(a, b):
    if len(a) != len(b):
        return False
    # summary prints 6 significant digits
    return all(na == nb and abs(wa - wb) <= 1e-5 * max(abs(wa), 1e-300)
               for (na, wa), (nb, wb) in zip(sorted(a), sorted(b)))


def model_path(examples, relpath):
    if relpath.startswith("Inputs/"):
        return os.path.join(HERE, relpath)
    return os.path.join(examples, relpath)


def build_reference(relpath, overrides):
    if relpath == "Inputs/options.csc":
        return ref.options(**overrides)
    if relpath == "Inputs/penalties.csc":
        return penalties(**overrides)
    if relpath == "Inputs/maxpool_ties.csc":
        return maxpool_ties(**overrides)
    return ref.build_example(relpath, **overrides)


def label(relpath, overrides):
    name = os.path.basename(relpath)[:-4]
    if relpath.startswith("Inputs/"):
        name = relpath[:-4]
    if overrides:
        name += " " + " ".join("%s=%s" % kv for kv in sorted(overrides.items()))
    return name


def reference_grad(relpath, overrides, weights, x, labels):
    """-> (loss, {learned name: gradient}, set of buffer names), float64,
    train mode."""
    net = build_reference(relpath, overrides).double()
    state = {k: torch.from_numpy(np.asarray(v, np.float64))
             for k, v in weights.items()}
    net.load_state_dict(state, strict=True)
    net.train()
    net.zero_grad()
    x = torch.from_numpy(np.asarray(x, np.float64))
    vals = net(x, return_all=True)
    logits = vals[-1].reshape(x.shape[0], -1)
    loss = F.cross_entropy(logits, torch.from_numpy(labels.astype(np.int64)),
                           reduction="mean")
    for t, w in penalty_ids(net, reference_penalties(relpath, net)):
        loss = loss + w * vals[t].abs().sum() / x.shape[0]
    loss.backward()
    grads = {}
    for name, p in net.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        grads[name] = g.detach().numpy().copy()
    buffers = {name for name, _ in net.named_buffers()}
    return float(loss), grads, buffers, net


def grad_errors(g, gref):
    """{name: relative error} over the names both have (shape mismatches
    -> inf), with the model's tiny floor."""
    scale = max([float(np.max(np.abs(v))) for v in gref.values() if v.size]
                + [0.0])
    floor = max(TINY * scale, 1e-300)
    errs = {}
    for name in gref:
        if name not in g:
            continue
        a = np.asarray(g[name], np.float64)
        r = np.asarray(gref[name], np.float64)
        if a.shape != r.shape:
            errs[name] = float("inf")
            continue
        if a.size == 0:
            errs[name] = 0.0
            continue
        if not np.all(np.isfinite(a)):
            errs[name] = float("inf")
            continue
        errs[name] = float(np.max(np.abs(a - r)) /
                           max(float(np.max(np.abs(r))), floor))
    return errs, scale


def check_run(tag, name, loss, g, loss_ref, gref, buffers, want_dtype, tol_l,
              tol_g, secs, lines, failures, verbose):
    """Compares one cscc grad result; appends lines / failures; -> (loss
    err, worst grad err, worst over the tensors with gradient 0)."""
    bad = []
    got, want = set(g), set(gref)
    missing, extra = sorted(want - got), sorted(got - want)
    stats = sorted(got & buffers)
    if missing:
        bad.append("missing gradients: " + ", ".join(missing))
    if stats:
        bad.append("running statistics in G: " + ", ".join(stats))
    other = [n for n in extra if n not in buffers]
    if other:
        bad.append("unknown names in G: " + ", ".join(other))
    dts = sorted({str(np.asarray(v).dtype) for v in g.values()})
    if any(d != np.dtype(want_dtype).name for d in dts):
        bad.append("gradient dtypes %s, want %s" % (
            dts, np.dtype(want_dtype).name))
    lerr = abs(loss - loss_ref) / max(abs(loss_ref), 1e-300)
    if not lerr <= tol_l:
        bad.append("loss %.17g, reference %.17g (relative error %.3e > %.0e)"
                   % (loss, loss_ref, lerr, tol_l))
    errs, scale = grad_errors(g, gref)
    # tensors whose exact gradient is 0 (a bias before a train-mode batch
    # norm): reported apart, their error is noise over the tiny floor
    zero = {n for n in errs if gref[n].size == 0
            or float(np.max(np.abs(gref[n]))) < TINY * scale}
    main = [n for n in errs if n not in zero] or list(errs)
    worst_name = max(main, key=lambda n: errs[n]) if main else "-"
    worst = max([errs[n] for n in main if n not in zero] + [0.0])
    worst_zero = max([errs[n] for n in zero] + [0.0])
    failing = sorted((n for n in errs if not errs[n] <= tol_g),
                     key=lambda n: -errs[n])
    ok = not bad and not failing
    lines.append("%-4s %-38s %-3s loss err %.2e  grad err %.2e (%s)  "
                 "%d tensors, max|g| %.3g" % (
                     "ok" if ok else "FAIL", name, tag, lerr,
                     errs.get(worst_name, 0.0), worst_name, len(gref), scale))
    lines[-1] += "  %.2fs" % secs
    if zero:
        zmax = max(zero, key=lambda n: errs[n])
        lines[-1] += "; %d with gradient 0: err %.2e (%s)" % (
            len(zero), errs[zmax], zmax)
    for b in bad:
        lines.append("       " + b)
    for n in failing[:12]:
        a, r = np.asarray(g[n], np.float64), gref[n]
        if a.shape == r.shape and a.size:
            i = int(np.argmax(np.abs(a - r)))
            lines.append("       %-30s rel err %.3e  max|ref| %.3e  worst at "
                         "flat %d: cscc %.10g ref %.10g" % (
                             n, errs[n], float(np.max(np.abs(r))), i,
                             a.flat[i], r.flat[i]))
        else:
            lines.append("       %-30s shape %s, reference %s" % (
                n, list(a.shape), list(r.shape)))
    if len(failing) > 12:
        lines.append("       ... and %d more tensors" % (len(failing) - 12))
    if verbose:
        for n in sorted(errs):
            lines.append("         %-34s %.3e  max|ref| %.3e" % (
                n, errs[n], float(np.max(np.abs(gref[n])))
                if gref[n].size else 0.0))
    if bad:
        failures.append("%s (%s): %s" % (name, tag, bad[0]))
    if failing:
        failures.append("%s (%s): %d gradients off, worst %s %.3e > %.0e" % (
            name, tag, len(failing), failing[0], errs[failing[0]], tol_g))
    return lerr, worst, worst_zero


def round32(d):
    return {k: np.asarray(v, np.float32).astype(np.float64)
            for k, v in d.items()}


def run_case(cscc, examples, idx, relpath, overrides, wrong, ref_only,
             verbose):
    name = label(relpath, overrides)
    path = model_path(examples, relpath)
    lines, failures, errs = [], [], {}
    try:
        w0 = cscc.init(path, overrides, seed=idx + 1)
        w = perturb(w0, seed=idx)
        net = build_reference(relpath, overrides)
        learned = sorted(n for n, _ in net.named_parameters())
        classes = net._shapes[-1][0]
        rng = np.random.RandomState(2000 + idx)
        x = rng.standard_normal((BATCH,) + net.in_shape)
        if relpath in INTEGER_CASES:
            w, x = integer_data(w, x, rng)
        pen = reference_penalties(relpath, net)
        if not same_penalties(pen, cscc_penalties(cscc, path, overrides)):
            raise RuntimeError("penalties: reference %s, cscc summary %s" % (
                sorted(pen), sorted(cscc_penalties(cscc, path, overrides))))
        ldt = np.int32 if name in INT32_LABELS else np.int64
        labels = rng.randint(0, classes, BATCH).astype(ldt)
        if ref_only:
            t0 = time.time()
            loss_ref, gref, buffers, _ = reference_grad(relpath, overrides,
                                                        w, x, labels)
            lines.append("ref  %-38s loss %.17g  %d learned, %d state, "
                         "%.2fs" % (name, loss_ref, len(gref), len(buffers),
                                    time.time() - t0))
            scale = max(float(np.max(np.abs(v))) for v in gref.values())
            for n in sorted(gref):
                m = float(np.max(np.abs(gref[n])))
                if verbose or m < TINY * scale:
                    lines.append("       %-34s max|g| %.3e%s" % (
                        n, m, "  (below tiny)" if m < TINY * scale else ""))
            return lines, failures, errs
        w_cscc = w
        if wrong == "weight":
            w_cscc = {k: v.copy() for k, v in w.items()}
            w_cscc[learned[0]].flat[0] += 0.5
        runs = [("f64", np.float64, "f64", TOL_LOSS, TOL_GRAD)]
        if name in F32_CASES:
            runs.append(("f32", np.float32, "f32", TOL_F32, TOL_F32))
        for tag, wdt, dt, tol_l, tol_g in runs:
            xr = x.astype(wdt)
            wr = round32(w) if wdt == np.float32 else w
            loss_ref, gref, buffers, _ = reference_grad(
                relpath, overrides, wr, xr.astype(np.float64), labels)
            t0 = time.time()
            loss, g = cscc.grad(path, w_cscc, xr, labels, dt, overrides, wdt)
            secs = time.time() - t0
            if wrong == "grad":
                n = max(gref, key=lambda k: float(np.max(np.abs(gref[k])))
                        if gref[k].size else 0.0)
                if n in g:
                    g[n] = np.array(g[n], copy=True)
                    i = int(np.argmax(np.abs(g[n])))
                    g[n].flat[i] *= 1 + 1e-4 * (1 if dt == "f64" else 100)
            elif wrong == "names":
                g.pop(learned[-1], None)
                if buffers:
                    g[sorted(buffers)[0]] = np.zeros(1, wdt)
            lerr, gerr, zerr = check_run(tag, name, loss, g, loss_ref, gref,
                                   buffers, wdt, tol_l, tol_g, secs, lines,
                                   failures, verbose)
            errs[tag] = (lerr, gerr, zerr)
    except Exception as e:  # noqa: BLE001
        lines.append("FAIL %-38s %s" % (name, str(e).replace("\n", "\n     ")))
        failures.append("%s: %s" % (name, str(e).splitlines()[0]))
    return lines, failures, errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cscc")
    ap.add_argument("examples")
    ap.add_argument("--wrong", nargs="?", const="weight",
                    choices=["weight", "grad", "names"],
                    help="break cscc's side so that every case must fail")
    ap.add_argument("--only", default="")
    ap.add_argument("--reference-only", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    args = ap.parse_args()
    cscc = Cscc(args.cscc)
    torch.set_num_threads(1)

    failures = []
    labels = [label(r, o) for r, o in CASES]
    failures += ["%s names no case" % n for n in F32_CASES + INT32_LABELS
                 if n not in labels]
    missing = sorted(set(ref.EXAMPLES[r][0].__name__ for r in ref.EXAMPLES)
                     - set(ref.EXAMPLES[r][0].__name__ for r, _ in CASES
                           if r in ref.EXAMPLES))
    if missing:
        failures.append("example families without a case: "
                        + ", ".join(missing))

    t_start = time.time()
    todo = [(i, r, o) for i, (r, o) in enumerate(CASES)
            if args.only in label(r, o)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, cscc, args.examples, i, r, o,
                               args.wrong, args.reference_only, args.verbose)
                   for i, r, o in todo]
        results = [f.result() for f in futures]
    worst = {}
    for lines, fails, errs in results:
        for line in lines:
            print(line)
        failures += fails
        for tag, e in errs.items():
            worst[tag] = tuple(max(a, b) for a, b in
                               zip(worst.get(tag, (0.0, 0.0, 0.0)), e))
    for tag in sorted(worst):
        print("worst %s: loss %.3e, gradients %.3e (tensors whose gradient "
              "is 0: max|g - ref| / tiny %.3e)" % ((tag,) + worst[tag]))
    print("%d models in %.1fs" % (len(todo), time.time() - t_start))
    if failures:
        for f in failures:
            print("FAIL: " + f)
        print("%d failures" % len(failures))
        return 1
    # Counted as made (none with --reference-only).
    compared = sum(len(errs) for _, _, errs in results)
    print("all %d gradient comparisons passed (%d models)"
          % (compared, len(todo)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
