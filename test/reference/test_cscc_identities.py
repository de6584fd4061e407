"""The paper's identities, checked on cscc's own outputs (`cscc run`, f64).

usage: test_cscc_identities.py CSCC EXAMPLES_DIR

  * MSD-CSC with unfold = 0 is MSDNet (same weights, same tensor names), and
    differs with unfold = 1;
  * FISTA = ISTA for unfold < 2 and differs at unfold = 2 (the paper's
    feed-forward and MSD families, and Inputs/solver_switch.csc: warm starts,
    bn = prox, per-channel steps, a stacked pursuit);
  * ResNet is Res-CSC with the learned Gram coefficients c = 0 (and differs
    for c != 0); MSD-CSC-ISTA at unfold 0 is MSDNet as well;
  * a conv layer relu(F x + b) is one ISTA step from 0 (pursuit with
    D^T = F, step = none, threshold = -b);
  * with step 1/L (L = lambda_max(D^T D), checked against the reference's
    power iteration) and threshold beta/L, a pursuit is ISTA/FISTA on the
    Lasso min 1/2 ||x - D g||^2 + beta ||g||_1: its code equals a NumPy
    ISTA/FISTA on the explicit matrix D iterate for iterate, the objective
    decreases with the unfolding count, and enough unfoldings reach the
    Lasso solution (found by a long NumPy FISTA and checked by its KKT
    conditions) to a relative error of 1e-6 (Inputs/lasso.csc: an ML-CSC
    dictionary with ISTA, continued by warm-started pursuits; a strided
    dictionary with the non-negative (relu) Lasso and FISTA; an MSD
    dictionary [I; F] with FISTA, held to 1e-3 because its unrolled FISTA
    compiles slowly, see LASSO).
Prints one line per check; exit 1 on any failure.
"""

import math
import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "Inputs")
sys.path.insert(0, HERE)
import csc_reference as ref  # noqa: E402
from cscc_io import Cscc, perturb, read_safetensors, rel_err  # noqa: E402

EQUAL = 1e-13        # "equal": relative difference (measured: 0 or ~1e-16)
DIFFER = 1e-4        # "differs": relative difference above this
ITERATE_TOL = 1e-11  # cscc's code vs the NumPy iterate of the same count

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


class Ctx:
    cscc = None
    examples = None


def ex(relpath):
    return os.path.join(Ctx.examples, relpath)


def inp(name):
    return os.path.join(INPUTS, name)


def batch(shape, seed, n=3):
    return np.random.RandomState(seed).standard_normal((n,) + tuple(shape))


def assert_equal(a, b, what):
    err = rel_err(a, b)
    assert err <= EQUAL, "%s: relative difference %.3e > %.0e" % (
        what, err, EQUAL)
    return err


def assert_differ(a, b, what):
    err = rel_err(a, b)
    assert err > DIFFER, "%s: expected a difference, got %.3e" % (what, err)
    return err


def same_names(m1, d1, m2, d2, extra=()):
    """The tensor names/shapes of two models (`cscc summary --weights`),
    model 2 having `extra` names more."""
    n1 = Ctx.cscc.weight_names(m1, d1)
    n2 = Ctx.cscc.weight_names(m2, d2)
    k1, k2 = set(n1), set(n2) - set(extra)
    assert k1 == k2, "names differ: only in %s: %s; only in %s: %s" % (
        os.path.basename(m1), sorted(k1 - k2)[:5], os.path.basename(m2),
        sorted(k2 - k1)[:5])
    for k in k1:
        assert n1[k][0] == n2[k][0], "%s: shape %s vs %s" % (k, n1[k][0],
                                                             n2[k][0])
    return n1, n2


# ---------------------------------------------------------------------------
# Model identities
# ---------------------------------------------------------------------------

@check
def msd_csc_unfold0_is_msdnet():
    """MSD-CSC-FISTA / -ISTA with unfold = 0 is MSDNet; unfold = 1 is not."""
    c = Ctx.cscc
    small = {"w": 8}
    net = ex("paper/msdnet_d6.csc")
    w = perturb(c.init(net, small, seed=3), seed=3)
    x = batch((3, 32, 32), 1)
    y_msdnet = c.run(net, w, x, "f64", small)
    out = []
    for other, d in [("paper/msd_csc_fista_d6.csc", {"unfold": 0}),
                     ("paper/msd_csc_ista_d12.csc", {"d": 6, "unfold": 0})]:
        d = dict(small, **d)
        same_names(net, small, ex(other), d)
        y = c.run(ex(other), w, x, "f64", d)
        out.append("%s unfold=0: %.1e" % (
            os.path.basename(other), assert_equal(y, y_msdnet, other)))
    d = dict(small, unfold=1)
    y1 = c.run(ex("paper/msd_csc_fista_d6.csc"), w, x, "f64", d)
    out.append("unfold=1 differs by %.2e" % assert_differ(
        y1, y_msdnet, "msd_csc_fista_d6 unfold=1 vs MSDNet"))
    return "; ".join(out)


@check
def fista_equals_ista_below_two():
    """Same weights, models differing only by solver: equal for unfold 0 and
    1, different at 2."""
    c = Ctx.cscc
    out = []
    cases = [
        (ex("paper/ml_csc_ista6.csc"), ex("paper/ml_csc_fista6.csc"), {},
         "unfold", (3, 32, 32)),
        (ex("paper/msd_csc_ista_d12.csc"), ex("paper/msd_csc_fista_d12.csc"),
         {"d": 3, "w": 4}, "unfold", (3, 32, 32)),
        (inp("solver_switch.csc"), inp("solver_switch.csc"),
         None, "u", (3, 8, 8)),
    ]
    for a, b, base, knob, shape in cases:
        da = {"use_fista": 0} if base is None else dict(base)
        db = {"use_fista": 1} if base is None else dict(base)
        same_names(a, dict(da, **{knob: 2}), b, dict(db, **{knob: 2}))
        w = perturb(c.init(a, dict(da, **{knob: 2}), seed=5), seed=5)
        x = batch(shape, 2)
        errs = []
        for u in (0, 1, 2):
            # the per-iteration batch-norm statistics of unfold u
            names = c.weight_names(a, dict(da, **{knob: u}))
            wu = {k: v for k, v in w.items() if k in names}
            ya = c.run(a, wu, x, "f64", dict(da, **{knob: u}))
            yb = c.run(b, wu, x, "f64", dict(db, **{knob: u}))
            what = "%s vs %s, %s=%d" % (os.path.basename(a),
                                        os.path.basename(b), knob, u)
            errs.append(assert_equal(ya, yb, what) if u < 2
                        else assert_differ(ya, yb, what))
        out.append("%s: %.1e %.1e, differ %.2e" % (
            os.path.basename(b), errs[0], errs[1], errs[2]))
    return "; ".join(out)


@check
def resnet_is_res_csc_with_gram_zero():
    """Res-CSC's learned Gram coefficients set to 0 give ResNet (same other
    weights); c != 0 does not."""
    c = Ctx.cscc
    d = {"depth": 14}
    rc, rn = ex("paper/res_csc20.csc"), ex("paper/resnet20.csc")
    names_rc = c.weight_names(rc, d)
    grams = [k for k in names_rc if k.rsplit(".", 1)[-1] == "gram"]
    # one learned scalar per warm-started pursuit (every second layer)
    assert len(grams) == 3 * (14 - 2) // 6, "gram tensors: %s" % grams
    assert all(names_rc[k][0] == (1,) for k in grams)
    same_names(rn, d, rc, d, extra=grams)
    w = perturb(c.init(rc, d, seed=7), seed=7)
    assert all(w[k][0] != 0 for k in grams)
    x = batch((3, 32, 32), 3)
    w_resnet = {k: v for k, v in w.items() if k not in grams}
    y_resnet = c.run(rn, w_resnet, x, "f64", d)
    w0 = dict(w, **{k: np.zeros(1) for k in grams})
    e0 = assert_equal(c.run(rc, w0, x, "f64", d), y_resnet,
                      "Res-CSC (c = 0) vs ResNet")
    e1 = assert_differ(c.run(rc, w, x, "f64", d), y_resnet,
                       "Res-CSC (c != 0) vs ResNet")
    # one coefficient alone matters too
    w1 = dict(w0, **{grams[-1]: np.array([0.3])})
    e2 = assert_differ(c.run(rc, w1, x, "f64", d), y_resnet,
                       "Res-CSC (last c = 0.3) vs ResNet")
    return "c = 0: %.1e; c != 0 differs by %.2e (one c: %.2e)" % (e0, e1, e2)


@check
def conv_relu_is_one_ista_step():
    """relu(F x + b) = pursuit([F], step = none) with threshold = -b."""
    c = Ctx.cscc
    m = inp("conv_is_pursuit.csc")
    w = perturb(c.init(m, {"pursuit": 0}, seed=9), seed=9)
    assert set(w) == {"conv0.weight", "conv0.bias"}, sorted(w)
    x = batch((3, 9, 9), 4)
    y_conv = c.run(m, w, x, "f64", {"pursuit": 0})
    wp = {"pursuit0.dict.0.weight": w["conv0.weight"],
          "pursuit0.threshold": -w["conv0.bias"]}
    y_p = c.run(m, wp, x, "f64", {"pursuit": 1})
    assert np.count_nonzero(y_conv) not in (0, y_conv.size), "trivial relu"
    return "%.1e" % assert_equal(y_p, y_conv, "pursuit vs conv + relu")


# ---------------------------------------------------------------------------
# Lasso: explicit matrices and a NumPy solver, independent of cscc and torch
# ---------------------------------------------------------------------------

def conv_matrix(w, H, W, stride, pad, dil=1):
    """The matrix of conv2d(x, w) (no bias): rows = output (o, i, j),
    columns = input (c, y, x), both flattened in C-order."""
    O, C, k, _ = w.shape
    Ho = (H + 2 * pad - dil * (k - 1) - 1) // stride + 1
    Wo = (W + 2 * pad - dil * (k - 1) - 1) // stride + 1
    M = np.zeros((O, Ho, Wo, C, H, W))
    for u in range(k):
        for v in range(k):
            for i in range(Ho):
                y = i * stride - pad + u * dil
                if not 0 <= y < H:
                    continue
                for j in range(Wo):
                    xx = j * stride - pad + v * dil
                    if 0 <= xx < W:
                        M[:, i, j, :, y, xx] += w[:, :, u, v]
    return M.reshape(O * Ho * Wo, C * H * W), (O, Ho, Wo)


def np_prox(z, b, nonneg):
    if nonneg:
        return np.maximum(z - b, 0.0)
    return np.sign(z) * np.maximum(np.abs(z) - b, 0.0)


def np_pursuit(Dt, X, L, beta, nonneg, fista, steps, restart=None):
    """`steps` ISTA/FISTA steps from 0 with step 1/L and threshold beta/L on
    the columns of X (FISTA as Beck and Teboulle: y_1 = x_0, t_1 = 1,
    x_k = P(y_k - grad(y_k) / L), y_{k+1} = x_k + (t_k - 1) / t_{k+1}
    (x_k - x_{k-1}), so the first two steps are ISTA steps). FISTA restarts
    (y = x, t = 1) every `restart` steps (a warm-started pursuit). Returns
    the codes [K, N]."""
    G = np.zeros((Dt.shape[0], X.shape[1]))
    Y, t = G, 1.0
    for s in range(steps):
        if restart and s % restart == 0:
            Y, t = G, 1.0
        G_new = np_prox(Y - (Dt @ (Dt.T @ Y - X)) / L, beta / L, nonneg)
        if fista:
            tn = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
            Y = G_new + ((t - 1.0) / tn) * (G_new - G)
            t = tn
        else:
            Y = G_new
        G = G_new
    return G


def lasso_solution(Dt, X, beta, nonneg, L, iters=6000):
    """The Lasso minimiser for each column of X (long FISTA), checked by
    its optimality conditions."""
    G = np_pursuit(Dt, X, L, beta, nonneg, True, iters)
    R = Dt @ (X - Dt.T @ G)                   # D^T (x - D g)
    on = G != 0
    assert np.abs(R[on] - beta * np.sign(G[on])).max() < 1e-9, "KKT support"
    if nonneg:
        assert np.all(R[~on] <= beta + 1e-9), "KKT off support (nonneg)"
    else:
        assert np.all(np.abs(R[~on]) <= beta + 1e-9), "KKT off support"
    return G


def objective(Dt, X, G, beta):
    r = X - Dt.T @ G
    return 0.5 * float((r * r).sum()) + beta * float(np.abs(G).sum())


# (model of Inputs/lasso.csc, signal [C, H, W], dictionary blocks ("I" or
#  (stride, padding) of the 3x3 conv), nonneg, fista, unfold counts of the
#  single pursuit, (chain model, unfold) or None, beta as a fraction of
#  max |D^T x|, tolerance on the distance to the Lasso solution).
# The counts are small because cscc's compile time grows faster than
# linearly with the unfolding count (measured at 581ffbe..77434b7: ML-CSC
# unfold 100 ~1 s, 300 ~10 s; MSD [I; F] FISTA unfold 100 ~11 s, 200 ~90 s),
# so the ML-CSC case reaches the solution through three warm-started
# pursuits (150 ISTA steps) and the MSD case (slowest to converge and to
# compile) is held to 1e-3 after 46 FISTA steps (objective gap ~4e-7).
LASSO = [
    ("lasso_conv", (2, 8, 8), [(1, 1)], False, False, (0, 3, 10, 30),
     ("lasso_conv_chain", 49), 0.5, 1e-6),
    ("lasso_msd_fista", (2, 8, 8), ["I", (1, 1)], False, True,
     (0, 3, 10, 45), None, 0.5, 1e-3),
    ("lasso_relu_stride", (2, 8, 8), [(2, 1)], True, True, (0, 3, 10, 30, 70),
     None, 0.5, 1e-6),
]


def lasso_case(model, shape, blocks, nonneg, fista, counts, chain, frac,
               tol):
    c = Ctx.cscc
    path = inp("lasso.csc")
    wfile = c.path("lasso", "safetensors")
    c("init", path, "--model", model, "-o", wfile, "--seed", 11)
    w0 = read_safetensors(wfile)[0]
    fname = [k for k in w0 if k.endswith(".weight")]
    assert len(fname) == 1, fname
    F = w0[fname[0]]
    C, H, W = shape
    rows = []
    for b in blocks:
        if b == "I":
            rows.append(np.eye(C * H * W))
        else:
            M, _ = conv_matrix(F, H, W, b[0], b[1])
            rows.append(M)
    Dt = np.vstack(rows)                      # analysis D^T: code x signal
    L = float(np.linalg.eigvalsh(Dt @ Dt.T).max())

    # L against the reference's power iteration on the operator
    spec = [ref.IDENTITY if b == "I" else ref.Atom(F.shape[0], 3, stride=b[0],
                                                  padding=b[1])
            for b in blocks]
    dic = ref.Dictionary(spec, C).double()
    with torch.no_grad():
        dic[len(blocks) - 1].weight.copy_(torch.from_numpy(F))
    hw = dic.out_hw((H, W))
    L_ref = ref.power_iteration(dic, (1, dic.code_channels) + hw, (H, W),
                                iters=1000)
    # (a Rayleigh quotient: from below, slowly where the eigengap is small)
    assert L - 1e-3 * L <= L_ref <= L + 1e-9 * L, \
        "L %.12g vs power iteration %.12g" % (L, L_ref)
    # and D^T of the reference equals the explicit matrix
    xs = batch(shape, 21, n=2)
    Dt_ref = dic.analysis(torch.from_numpy(xs)).detach().numpy()
    X = xs.reshape(2, -1).T                   # signals as columns [CHW, N]
    assert rel_err(Dt_ref.reshape(2, -1).T, Dt @ X) < 1e-13, "D^T matrix"

    beta = frac * float(np.abs(Dt @ X).max())
    code_ch = Dt.shape[0] // (hw[0] * hw[1])

    def weights(prefixes):
        out = {}
        for p in prefixes:
            out[p + fname[0].split(".", 1)[1]] = F
            out[p + "step"] = np.array([1.0 / L])
            out[p + "threshold"] = np.full(code_ch, beta / L)
        return out

    prefix = fname[0].split(".", 1)[0] + "."
    G_star = lasso_solution(Dt, X, beta, nonneg, L)
    F_star = objective(Dt, X, G_star, beta)
    nnz = int(np.count_nonzero(G_star))
    assert 0 < nnz < G_star.size // 2, "trivial Lasso solution (%d nonzeros)" \
        % nnz

    def code_of(y):                           # [N, K, h, w] -> [K*h*w, N]
        return y.reshape(y.shape[0], -1).T

    lines, objs = [], []
    for u in counts:
        y = c.run(path, weights([prefix]), xs, "f64", {"u": u},
                  extra=("--model", model))
        G = code_of(y)
        G_np = np_pursuit(Dt, X, L, beta, nonneg, fista, u + 1)
        e_it = rel_err(G, G_np)
        assert e_it <= ITERATE_TOL, "%s u=%d: cscc vs NumPy iterate %.3e" % (
            model, u, e_it)
        obj = objective(Dt, X, G, beta)
        objs.append(obj)
        lines.append("u=%d obj-F* %.2e (iterate %.0e)" % (
            u, obj - F_star, e_it))
    for a, b, ua, ub in zip(objs, objs[1:], counts, counts[1:]):
        # strictly while away from the minimum, never up
        ok = b < a if a - F_star > 1e-9 * abs(F_star) else \
            b <= a + 1e-12 * abs(a)
        assert ok, "%s: objective does not decrease from u=%d (%.15g) " \
            "to u=%d (%.15g)" % (model, ua, a, ub, b)
    assert objs[-1] >= F_star - 1e-9 * abs(F_star), "below the minimum"
    final = G
    steps = counts[-1] + 1
    if chain:
        cmodel, cu = chain
        wc = weights(["g0.", "g1.", "g2."])
        y = c.run(path, wc, xs, "f64", {"u": cu}, extra=("--model", cmodel))
        final = code_of(y)
        steps = 3 * (cu + 1)
        G_np = np_pursuit(Dt, X, L, beta, nonneg, fista, steps,
                          restart=cu + 1)
        e_it = rel_err(final, G_np)
        assert e_it <= ITERATE_TOL, "%s: cscc vs NumPy iterate %.3e" % (
            cmodel, e_it)
        obj = objective(Dt, X, final, beta)
        assert obj <= objs[-1], "%s: objective %.15g above %.15g" % (
            cmodel, obj, objs[-1])
        lines.append("%s 3x(u=%d) obj-F* %.2e (iterate %.0e)" % (
            cmodel, cu, obj - F_star, e_it))
    e = rel_err(final, G_star)
    assert e <= tol, "%s: after %d steps, relative error to the Lasso " \
        "solution %.3e > %.0e" % (model, steps, e, tol)
    return "L=%.4f beta=%.3f nnz=%d/%d; %s; %d steps: error to Lasso %.2e" % (
        L, beta, nnz, G_star.size, ", ".join(lines), steps, e)


def _lasso_check(case):
    def fn():
        return lasso_case(*case)
    fn.__name__ = "lasso_" + case[0].replace("lasso_", "")
    return fn


for _case in LASSO:
    check(_lasso_check(_case))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    Ctx.cscc = Cscc(sys.argv[1])
    Ctx.examples = sys.argv[2]
    torch.set_num_threads(1)
    t0 = time.time()

    def run(fn):
        t = time.time()
        try:
            info = fn()
            return True, "ok   %-34s %s  (%.1fs)" % (fn.__name__, info or "",
                                                   time.time() - t)
        except Exception:  # noqa: BLE001
            return False, "FAIL %s\n%s" % (fn.__name__, traceback.format_exc())

    # independent checks, two at a time (most of the time is cscc compiling)
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        results = list(pool.map(run, CHECKS))
    failed = 0
    for ok, text in results:
        print(text)
        failed += not ok
    print("%d of %d cscc identity checks failed" % (failed, len(CHECKS))
          if failed else "all %d cscc identity checks passed in %.1fs"
          % (len(CHECKS), time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
