"""Identities the PyTorch reference must satisfy (float64).

Each check compares the reference against a closed form or against code
written independently here (explicit NumPy matrices built from the filters,
a plain NumPy ISTA/FISTA, a hand-written MSDNet and ResNet block). Run:
    /usr/bin/python3 test_identities.py      (exit 1 on any failure)
"""

import math
import os
import sys
import traceback

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import csc_reference as ref  # noqa: E402
from csc_reference import IDENTITY, Atom  # noqa: E402

torch.set_default_dtype(torch.float64)
DT = torch.float64
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def close(a, b, tol, what):
    a = np.asarray(a.detach().numpy() if torch.is_tensor(a) else a, float)
    b = np.asarray(b.detach().numpy() if torch.is_tensor(b) else b, float)
    assert a.shape == b.shape, "%s: shapes %s vs %s" % (what, a.shape, b.shape)
    err = np.max(np.abs(a - b)) / max(1.0, np.max(np.abs(b)))
    assert err <= tol, "%s: relative error %.3g > %.3g" % (what, err, tol)
    return err


def differ(a, b, what, tol=1e-6):
    err = float((a - b).abs().max())
    assert err > tol, "%s: expected a difference, got %.3g" % (what, err)


def randomize(module, seed, thresholds=0.05, steps=(0.5, 1.0)):
    """Random filters, steps in `steps`, thresholds in [0, thresholds]."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            last = name.rsplit(".", 1)[-1]
            if last == "step":
                p.uniform_(*steps, generator=g)
            elif last == "threshold":
                p.uniform_(0.0, thresholds, generator=g)
            elif last == "gram":
                p.uniform_(-0.5, 0.5, generator=g)
            elif "bn" in name.split("."):
                p.uniform_(0.5, 1.5, generator=g) if last == "weight" else \
                    p.uniform_(-0.2, 0.2, generator=g)
            else:
                p.normal_(0.0, 1.0 / math.sqrt(max(1, p[0].numel())),
                          generator=g)
    return module


# ---------------------------------------------------------------------------
# Independent explicit matrices (NumPy, loops over the filter taps)
# ---------------------------------------------------------------------------

def np_conv_matrix(w, H, W, stride, pad, dil):
    w = w.detach().numpy()
    O, C, k, _ = w.shape
    Ho = (H + 2 * pad - dil * (k - 1) - 1) // stride + 1
    Wo = (W + 2 * pad - dil * (k - 1) - 1) // stride + 1
    M = np.zeros((O * Ho * Wo, C * H * W))
    for o in range(O):
        for i in range(Ho):
            for j in range(Wo):
                r = (o * Ho + i) * Wo + j
                for c in range(C):
                    for u in range(k):
                        y = i * stride - pad + u * dil
                        if not 0 <= y < H:
                            continue
                        for v in range(k):
                            x = j * stride - pad + v * dil
                            if 0 <= x < W:
                                M[r, (c * H + y) * W + x] += w[o, c, u, v]
    return M, Ho, Wo


def np_dict_matrix(dictionary, C, H, W):
    """The analysis matrix D^T (rows: code, columns: signal)."""
    rows, size = [], None
    for blk in dictionary:
        if isinstance(blk, ref.IdentityBlock):
            M, hw = np.eye(C * H * W), (H, W)
        else:
            atoms = [blk] if isinstance(blk, ref.ConvAtom) else list(blk)
            M, h, w = np.eye(C * H * W), H, W
            for a in atoms:
                s = a.spec
                A, h, w = np_conv_matrix(a.weight, h, w, s.stride, s.padding,
                                         s.dilation)
                M = A @ M
            hw = (h, w)
        assert size is None or size == hw
        size = hw
        rows.append(M)
    return np.vstack(rows), size


def np_prox(z, b, kind):
    if kind == "relu":
        return np.maximum(z - b, 0.0)
    return np.sign(z) * np.maximum(np.abs(z) - b, 0.0)


def np_pursuit(Dt, x, c, b, kind, solver, unfold, g0=None, k=1.0, g=None):
    """Layer-wise pursuit on explicit matrices, one sample (vectors)."""
    if g0 is None:
        G = np_prox(c * (Dt @ x), b, kind)
        prev = np.zeros_like(G)
    else:
        gram_coef = -c if g is None else g
        G = np_prox(k * g0 + c * (Dt @ x) + gram_coef * (Dt @ (Dt.T @ g0)),
                    b, kind)
        prev = g0
    t = 1.0
    for _ in range(unfold):
        if solver == "fista":
            tn = (1 + math.sqrt(1 + 4 * t * t)) / 2
            Z = G + (t - 1) / tn * (G - prev)
            t = tn
        else:
            Z = G
        prev = G
        G = np_prox(Z - c * (Dt @ (Dt.T @ Z - x)), b, kind)
    return G


def lasso_np(A, x, beta, nonneg, iters=20000):
    """min_g 1/2 ||x - A g||^2 + beta ||g||_1 (g >= 0 if nonneg): FISTA."""
    L = np.linalg.eigvalsh(A.T @ A).max()
    g = np.zeros(A.shape[1])
    y, prev, t = g.copy(), g.copy(), 1.0
    for _ in range(iters):
        z = y - A.T @ (A @ y - x) / L
        g = np.maximum(z - beta / L, 0) if nonneg else \
            np.sign(z) * np.maximum(np.abs(z) - beta / L, 0)
        tn = (1 + math.sqrt(1 + 4 * t * t)) / 2
        y = g + (t - 1) / tn * (g - prev)
        prev, t = g, tn
    # optimality (KKT) of the NumPy solution itself
    r = A.T @ (x - A @ g)
    on = g != 0
    assert np.allclose(r[on], beta * np.sign(g[on]), atol=1e-7), "KKT (support)"
    if nonneg:
        assert np.all(r[~on] <= beta + 1e-7), "KKT (off support, nonneg)"
    else:
        assert np.all(np.abs(r[~on]) <= beta + 1e-7), "KKT (off support)"
    return g


# ---------------------------------------------------------------------------
# Dictionaries used below
# ---------------------------------------------------------------------------

DICTS = [
    ("plain 3x3", [Atom(3, 3, padding=1)], (2, 6, 6)),
    ("msd dilation 2", [IDENTITY, Atom(4, 3, dilation=2, padding=2)], (2, 7, 7)),
    ("stride 2 even", [Atom(3, 3, stride=2, padding=1)], (2, 8, 8)),
    ("stride 2 odd", [Atom(3, 3, stride=2, padding=1)], (2, 7, 9)),
    ("4x4 stride 2", [Atom(2, 4, stride=2, padding=1)], (3, 8, 7)),
    ("dilated strided", [Atom(3, 3, dilation=3, stride=2, padding=3)], (1, 9, 10)),
    ("stride 3 no pad", [Atom(2, 2, stride=3)], (2, 8, 8)),
    ("composition", [[Atom(4, 1), Atom(3, 3, stride=2, padding=1)]], (2, 7, 7)),
    ("composition 3", [[Atom(3, 3, stride=2), Atom(2, 3, dilation=2, padding=2),
                        Atom(2, 1)]], (1, 9, 8)),
    ("two dilations + identity",
     [Atom(2, 3, padding="same"), Atom(2, 3, dilation=3, padding="same"),
      IDENTITY, [Atom(3, 1), Atom(2, 3, padding=1)]], (2, 6, 6)),
]


@check
def adjoint():
    """<D^T x, g> == <x, D g>; D^T equals the explicit matrix; D = its
    transpose (so transposed convs and output padding are right)."""
    for i, (label, spec, (C, H, W)) in enumerate(DICTS):
        torch.manual_seed(i)
        D = randomize(ref.Dictionary(spec, C).to(DT), i)
        K = D.code_channels
        h, w = D.out_hw((H, W))
        x = torch.randn(3, C, H, W)
        g = torch.randn(3, K, h, w)
        dtx = D.analysis(x)
        assert dtx.shape == g.shape, (label, dtx.shape, g.shape)
        dg = D.synthesis(g, (H, W))
        assert dg.shape == x.shape, (label, dg.shape, x.shape)
        lhs, rhs = float((dtx * g).sum()), float((x * dg).sum())
        assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), \
            "%s: <D^T x, g> = %r, <x, D g> = %r" % (label, lhs, rhs)
        M, size = np_dict_matrix(D, C, H, W)
        assert size == (h, w), (label, size, (h, w))
        close(dtx.reshape(3, -1), (M @ x.reshape(3, -1).numpy().T).T, 1e-12,
              label + ": D^T vs explicit matrix")
        close(dg.reshape(3, -1), (M.T @ g.reshape(3, -1).numpy().T).T, 1e-12,
              label + ": D vs explicit matrix transpose")


@check
def power_iteration_and_lemma3():
    """lambda_max(D^T D) by power iteration equals the explicit matrix's.
    Lemma 3, stated correctly: for D^T = [I; F] (F: n x m), D^T D =
    [I F^T; F F F^T] has the eigenvalues 1 + mu_j(F^T F), j = 1..m, and n
    zeros (n = rows of F = the conv block's code size; the paper says
    lambda_i(F F^T) + 1 and m zeros, which holds only for n = m since the
    rank is m). Hence lambda_max grows by exactly 1 (the paper's
    L = 2 lambda_max by exactly 2)."""
    C, H, W = 2, 5, 5
    for s in (1, 2):
        torch.manual_seed(10 + s)
        ml = randomize(ref.Dictionary([Atom(3, 3, dilation=s, padding=s)], C)
                       .to(DT), 10 + s)
        msd = ref.Dictionary([IDENTITY, Atom(3, 3, dilation=s, padding=s)], C).to(DT)
        msd[1].weight.data.copy_(ml[0].weight.data)
        Fm, _ = np_dict_matrix(ml, C, H, W)
        Bm, _ = np_dict_matrix(msd, C, H, W)
        n, m = Fm.shape
        assert n != m and np.allclose(Bm[:m], np.eye(m)) and np.allclose(Bm[m:], Fm)
        ev_ml = np.linalg.eigvalsh(Fm.T @ Fm)
        ev_msd = np.linalg.eigvalsh(Bm @ Bm.T)       # D^T D on code space
        want = np.sort(np.concatenate([ev_ml + 1.0, np.zeros(n)]))
        close(ev_msd, want, 1e-10, "Lemma 3 spectrum (dilation %d)" % s)
        lam_ml = ref.power_iteration(ml, (1, 3, H, W), (H, W), iters=3000)
        lam_msd = ref.power_iteration(msd, (1, C + 3, H, W), (H, W), iters=3000)
        close(lam_ml, ev_ml.max(), 1e-8, "power iteration, ML-CSC")
        close(lam_msd, ev_msd.max(), 1e-8, "power iteration, MSD-CSC")
        close(lam_msd, lam_ml + 1.0, 1e-8, "lambda_max([I;F]) = 1 + lambda_max(F)")
        close(2 * lam_msd, 2 * lam_ml + 2.0, 1e-8, "L_MSD = L_ML + 2")


def _lasso_case(spec, C, H, W, kind, seed, beta=0.2):
    torch.manual_seed(seed)
    X = torch.randn(1, C, H, W)
    results = {}
    for solver, unfold in (("fista", 4000), ("ista", 6000)):
        torch.manual_seed(seed)
        p = ref.Pursuit(spec, C, prox=kind, solver=solver, unfold=unfold,
                        step="scalar", threshold="channel").to(DT)
        randomize(p, seed)
        if solver == "ista":
            p.dict.load_state_dict(results["fista"][1].dict.state_dict())
        K = p.dict.code_channels
        h, w = p.dict.out_hw((H, W))
        L = ref.power_iteration(p.dict, (1, K, h, w), (H, W), iters=3000)
        with torch.no_grad():
            p.step.fill_(1.0 / L)
            p.threshold.fill_(beta / L)
            G = p(X)
        results[solver] = (G, p)
    Dt, _ = np_dict_matrix(results["fista"][1].dict, C, H, W)
    g = lasso_np(Dt.T, X.reshape(-1).numpy(), beta, kind == "relu")
    for solver in ("fista", "ista"):
        close(results[solver][0].reshape(-1), g, 1e-6,
              "Lasso (%s prox, %s) vs NumPy solution" % (kind, solver))
    assert np.count_nonzero(g) > 0 and np.count_nonzero(g == 0) > 0, \
        "degenerate Lasso test (all zero or no zero)"


@check
def lasso_convergence():
    """A layer-wise pursuit with c = 1/L (power iteration), b = beta/L and
    many unfoldings reaches the Lasso solution of a NumPy solver."""
    _lasso_case([Atom(2, 3, padding=1)], 1, 5, 5, "soft", 21)
    _lasso_case([IDENTITY, Atom(2, 3, dilation=2, padding=2)], 1, 5, 5, "relu", 22)
    _lasso_case([Atom(3, 3, stride=2, padding=1)], 2, 6, 6, "soft", 23)


@check
def pursuit_matches_explicit_iterations():
    """A few unfoldings (ISTA, FISTA, warm starts, per-channel step,
    conv-channel thresholds) equal the same iterations on explicit
    matrices, one sample at a time."""
    C, H, W = 2, 5, 5
    spec = [IDENTITY, [Atom(3, 1), Atom(2, 3, dilation=2, padding=2)]]
    cases = [
        dict(solver="ista", unfold=3, prox="relu"),
        dict(solver="fista", unfold=4, prox="soft"),
        dict(solver="fista", unfold=3, prox="relu", step="channel",
             threshold="conv_channels"),
        dict(solver="fista", unfold=3, prox="soft", init=True, gram="on"),
        dict(solver="ista", unfold=2, prox="relu", init=True, gram="off"),
        dict(solver="ista", unfold=1, prox="soft", init=True, gram="learned",
             keep_init=False, step="none", threshold="none"),
    ]
    for n, opts in enumerate(cases):
        opts = dict(opts)
        has_init = opts.pop("init", False)
        torch.manual_seed(30 + n)
        p = randomize(ref.Pursuit(spec, C, has_init=has_init, **opts).to(DT),
                      30 + n, thresholds=0.2)
        K = p.dict.code_channels
        X = torch.randn(2, C, H, W)
        G0 = torch.randn(2, K, H, W) if has_init else None
        with torch.no_grad():
            out = p(X, G0)
        Dt, _ = np_dict_matrix(p.dict, C, H, W)
        hw = H * W
        c = np.repeat(p._c().reshape(-1).detach().numpy(), hw) \
            if p._c() is not None else 1.0
        if np.ndim(c) and c.size == hw:
            c = np.tile(c, K)
        b = p._b()
        b = np.repeat(b.detach().numpy(), hw) if b is not None else 0.0
        for s in range(2):
            kw = {}
            if has_init:
                kw = dict(g0=G0[s].reshape(-1).numpy(),
                          k=1.0 if p.keep_init else 0.0,
                          g=None if p.gram_mode == "on" else
                          (0.0 if p.gram_mode == "off" else float(p.gram)))
            want = np_pursuit(Dt, X[s].reshape(-1).numpy(), c, b,
                              p.prox_kind, p.solver, p.unfold, **kw)
            close(out[s].reshape(-1), want, 1e-11, "pursuit case %d" % n)


@check
def fista_equals_ista_below_two():
    """FISTA = ISTA for unfold 0 and 1 (layer-wise and stacked), and not at
    unfold 2 (so the comparison can fail)."""
    C, H, W = 3, 6, 6
    spec = [IDENTITY, Atom(4, 3, dilation=2, padding=2)]
    X = torch.randn(2, C, H, W)
    for unfold in (0, 1, 2):
        out = {}
        for solver in ("ista", "fista"):
            torch.manual_seed(40)
            p = randomize(ref.Pursuit(spec, C, solver=solver, unfold=unfold,
                                      prox="soft").to(DT), 40)
            out[solver] = p(X)
        if unfold < 2:
            close(out["fista"], out["ista"], 1e-14, "layer-wise unfold %d" % unfold)
        else:
            differ(out["fista"], out["ista"], "layer-wise unfold 2")
        out = {}
        for solver in ("ista", "fista"):
            torch.manual_seed(41)
            s = randomize(ref.StackedPursuit(
                [ref.authors_level(2, i) for i in range(3)], C, solver=solver,
                unfold=unfold).to(DT), 41)
            out[solver] = s(X)
        if unfold < 2:
            close(out["fista"], out["ista"], 1e-14, "stacked unfold %d" % unfold)
        else:
            differ(out["fista"], out["ista"], "stacked unfold 2")


@check
def stacked_matches_explicit_iterations():
    """ML-ISTA / ML-FISTA of the stack equal docs/design.md §1's algorithm written on
    explicit matrices (encode, backward sweep, forward sweep, momentum on the
    top code only)."""
    C, H, W = 2, 5, 5
    specs = [[IDENTITY, Atom(2, 3, padding=1)],
             [Atom(3, 3, dilation=2, padding=2)],
             [IDENTITY, [Atom(2, 1), Atom(2, 3, padding=1)]]]
    for n, (solver, unfold, kind) in enumerate(
            [("ista", 2, "relu"), ("fista", 3, "soft"), ("fista", 0, "relu")]):
        torch.manual_seed(50 + n)
        s = randomize(ref.StackedPursuit(specs, C, prox=kind, solver=solver,
                                         unfold=unfold).to(DT), 50 + n,
                      thresholds=0.1)
        X = torch.randn(2, C, H, W)
        with torch.no_grad():
            out = s(X)
        mats, cs, bs, c_in = [], [], [], C
        for lvl in s:
            M, _ = np_dict_matrix(lvl.dict, c_in, H, W)
            mats.append(M)
            cs.append(float(lvl.step))
            bs.append(np.repeat(lvl.threshold.detach().numpy(), H * W))
            c_in = lvl.code_channels
        d = len(mats)
        for smp in range(2):
            G = [X[smp].reshape(-1).numpy()] + [None] * d
            for i in range(1, d + 1):
                G[i] = np_prox(cs[i - 1] * mats[i - 1] @ G[i - 1], bs[i - 1], kind)
            prev, t = G[d], 1.0
            for _ in range(unfold):
                if solver == "fista":
                    tn = (1 + math.sqrt(1 + 4 * t * t)) / 2
                    Z = G[d] + (t - 1) / tn * (G[d] - prev)
                    prev, t, G[d] = G[d], tn, Z
                for i in range(d, 1, -1):
                    G[i - 1] = mats[i - 1].T @ G[i]
                for i in range(1, d + 1):
                    A = mats[i - 1]
                    G[i] = np_prox(G[i] - cs[i - 1] * (A @ (A.T @ G[i]) - A @ G[i - 1]),
                                   bs[i - 1], kind)
            close(out[smp].reshape(-1), G[d], 1e-11, "stack case %d" % n)


@check
def msd_csc_unfold0_is_msdnet():
    """MSD-CSC (ISTA or FISTA) with unfold 0 is MSDNet: a hand-written dense
    network concat(X, relu(F_s X - b)) with the same weights, on a
    non-negative input (the identity channels pass through the ReLU)."""
    d, w = 6, 3
    x = torch.relu(torch.randn(2, 3, 12, 12))
    labels = torch.tensor([1, 7])
    for solver in ("ista", "fista"):
        torch.manual_seed(60)
        net = ref.msd(d=d, w=w, unfold=0, solver=solver, in_shape=(3, 12, 12))
        net = net.to(DT)
        randomize(net, 60, thresholds=0.3, steps=(1.0, 1.0))
        sd = net.state_dict()
        h = x
        for i in range(d):
            s = i % 3 + 1
            pre = "msd_net0.pursuit%d." % (i + (1 if i >= d // 3 else 0)
                                          + (1 if i >= 2 * d // 3 else 0))
            f = F.conv2d(h, sd[pre + "dict.1.weight"], None, 1, s, s)
            h = torch.cat([h, torch.relu(f - sd[pre + "threshold"].view(1, -1, 1, 1))], 1)
            if i + 1 in (d // 3, 2 * d // 3):
                h = F.max_pool2d(h, 2)
        lin = [k for k in sd if k.endswith("weight") and "linear" in k][0]
        logits = F.linear(h.mean((2, 3)), sd[lin], sd[lin[:-6] + "bias"])
        out, loss = net(x, labels)
        close(out, logits, 1e-12, "MSD-CSC-%s unfold 0 vs MSDNet" % solver)
        close(loss, F.cross_entropy(logits, labels), 1e-12, "loss")
    torch.manual_seed(60)
    net1 = randomize(ref.msd(d=d, w=w, unfold=1, in_shape=(3, 12, 12)).to(DT),
                     60, thresholds=0.3, steps=(1.0, 1.0))
    differ(net1(x), logits, "MSD-CSC unfold 1 vs MSDNet")


@check
def resnet_block_is_res_csc_with_gram_off():
    """A ResNet pair equals the Res-CSC pair with the learned Gram
    coefficient at 0 and a hand-written basic block relu(bn(conv(relu(bn(conv
    x)))) + shortcut(x)); with a non-zero coefficient it is
    relu(bn(F2 h) + s + c F2 F2^T s)."""
    cin, ch, stride = 4, 8, 2
    x = torch.randn(3, cin, 8, 8)
    outs = {}
    for gram in ("off", "learned"):
        net = ref.Net((cin, 8, 8))
        ref._csc_pair(net, ch, stride, warm=True, gram=gram)
        torch.manual_seed(70)
        randomize(net.to(DT), 70)
        if gram == "learned":
            net.load_state_dict(outs["off"][1].state_dict(), strict=False)
            with torch.no_grad():
                net.csc_pair0.pursuit1.gram.zero_()
        # non-trivial running statistics for the eval-mode comparison
        for name, buf in net.named_buffers():
            buf.copy_(torch.rand(buf.shape) + (0.5 if "var" in name else -0.5))
        outs[gram] = (None, net)
    for mode in ("eval", "train"):
        res = {}
        for gram in ("off", "learned"):
            net = outs[gram][1]
            net.train(mode == "train")
            with torch.no_grad():
                res[gram] = net(x)
        close(res["learned"], res["off"], 1e-14, "Res-CSC(c=0) vs ResNet, " + mode)
        net = outs["off"][1]
        sd = net.state_dict()
        p0, p1 = "csc_pair0.pursuit0.", "csc_pair0.pursuit1."

        def bn(z, pre):
            return F.batch_norm(z, sd[pre + "bn.running_mean"].clone(),
                                sd[pre + "bn.running_var"].clone(),
                                sd[pre + "bn.weight"], sd[pre + "bn.bias"],
                                mode == "train", 0.1, 1e-5)
        h = torch.relu(bn(F.conv2d(x, sd[p0 + "dict.0.weight"], None, stride, 1), p0))
        sc = F.pad(x[:, :, ::stride, ::stride], (0, 0, 0, 0, 0, ch - cin))
        y = torch.relu(bn(F.conv2d(h, sd[p1 + "dict.0.weight"], None, 1, 1), p1) + sc)
        close(res["off"], y, 1e-12, "ResNet pair vs basic block, " + mode)
    # learned Gram coefficient: Eq. 5 with the explicit Gram term
    net = outs["learned"][1]
    net.eval()
    with torch.no_grad():
        net.csc_pair0.pursuit1.gram.fill_(0.3)
        z = net(x)
    sd = net.state_dict()
    w1 = sd[p1 + "dict.0.weight"]
    h = torch.relu(F.batch_norm(F.conv2d(x, sd[p0 + "dict.0.weight"], None, stride, 1),
                                sd[p0 + "bn.running_mean"], sd[p0 + "bn.running_var"],
                                sd[p0 + "bn.weight"], sd[p0 + "bn.bias"], False, 0.1, 1e-5))
    Fm, _ = np_dict_matrix(net.csc_pair0.pursuit1.dict, ch, 4, 4)
    gram_sc = torch.from_numpy((Fm @ Fm.T @ sc.reshape(3, -1).numpy().T).T).reshape(sc.shape)
    want = torch.relu(F.batch_norm(F.conv2d(h, w1, None, 1, 1),
                                   sd[p1 + "bn.running_mean"], sd[p1 + "bn.running_var"],
                                   sd[p1 + "bn.weight"], sd[p1 + "bn.bias"], False, 0.1, 1e-5)
                      + sc + 0.3 * gram_sc)
    close(z, want, 1e-12, "Res-CSC Eq. 5")
    differ(z, res["off"], "Res-CSC with c = 0.3 vs ResNet")


@check
def bn_statistics_per_iteration():
    """After a train-mode forward, each prox application's batch norm has its
    own running statistics (all different); eval mode uses them: the output
    equals the iterations recomputed by hand with statistics t at step t."""
    C, H, W = 3, 6, 6
    spec = [IDENTITY, Atom(4, 3, padding=1)]
    X = torch.randn(8, C, H, W)
    for affine in ("shared", "per_iter"):
        torch.manual_seed(80)
        p = randomize(ref.Pursuit(spec, C, unfold=2, bn="prox", bn_affine=affine,
                                  solver="fista").to(DT), 80)
        p.train()
        with torch.no_grad():
            p(X)
        stats = [(getattr(p.bn, str(t)).running_mean.clone(),
                  getattr(p.bn, str(t)).running_var.clone()) for t in range(3)]
        for a in range(3):
            assert float(stats[a][1].sub(1).abs().max()) > 1e-6, "bn.%d not updated" % a
            for b in range(a + 1, 3):
                differ(stats[a][0], stats[b][0], "running_mean %d vs %d" % (a, b))
                differ(stats[a][1], stats[b][1], "running_var %d vs %d" % (a, b))
        p.eval()
        with torch.no_grad():
            out = p(X)
        D, c, b = p.dict, p._c(), p._b()

        def P(z, t):
            s = getattr(p.bn, str(t))
            wgt = p.bn.weight if affine == "shared" else s.weight
            bia = p.bn.bias if affine == "shared" else s.bias
            z = (z - s.running_mean.view(1, -1, 1, 1)) / torch.sqrt(
                s.running_var.view(1, -1, 1, 1) + 1e-5) * wgt.view(1, -1, 1, 1) \
                + bia.view(1, -1, 1, 1)
            return torch.relu(z - b.view(1, -1, 1, 1))
        with torch.no_grad():
            G = P(c * D.analysis(X), 0)
            prev, t = torch.zeros_like(G), 1.0
            for k in (1, 2):
                tn = (1 + math.sqrt(1 + 4 * t * t)) / 2
                Z = G + (t - 1) / tn * (G - prev)
                t, prev = tn, G
                G = P(Z - c * D.analysis(D.synthesis(Z, (H, W)) - X), k)
        close(out, G, 1e-12, "eval with per-iteration statistics (%s)" % affine)
    # bn = analysis: D^T X is normalised once per forward (one update of its
    # one set of statistics); every iteration uses c BN(D^T X)
    torch.manual_seed(82)
    p = randomize(ref.Pursuit(spec, C, unfold=2, bn="analysis",
                              solver="fista").to(DT), 82)
    with torch.no_grad():
        p.bn.running_mean.zero_()
        p.bn.running_var.fill_(1.0)
    p.train()
    with torch.no_grad():
        out_train = p(X)
    dtx = p.dict.analysis(X)
    close(p.bn.running_mean, 0.1 * dtx.mean((0, 2, 3)), 1e-12,
          "analysis bn: one running-mean update per forward")
    close(p.bn.running_var, 0.9 + 0.1 * dtx.var((0, 2, 3), unbiased=True),
          1e-12, "analysis bn: one running-var update per forward")
    D, c, b = p.dict, p._c(), p._b()
    with torch.no_grad():
        xhat = (dtx - dtx.mean((0, 2, 3), keepdim=True)) / torch.sqrt(
            dtx.var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5)

        def term(t):
            return c * (xhat * p.bn.weight.view(1, -1, 1, 1)
                        + p.bn.bias.view(1, -1, 1, 1))
        G = torch.relu(term(0) - b.view(1, -1, 1, 1))
        prev, t = torch.zeros_like(G), 1.0
        for k in (1, 2):
            tn = (1 + math.sqrt(1 + 4 * t * t)) / 2
            Z = G + (t - 1) / tn * (G - prev)
            t, prev = tn, G
            G = torch.relu(Z - c * D.analysis(D.synthesis(Z, (H, W))) + term(k)
                           - b.view(1, -1, 1, 1))
    close(out_train, G, 1e-12, "analysis bn (train)")
    # the stack keeps them per iteration too
    torch.manual_seed(81)
    s = randomize(ref.StackedPursuit([ref.authors_level(2, i) for i in range(2)],
                                     C, unfold=2, bn="prox").to(DT), 81)
    s.train()
    with torch.no_grad():
        s(X)
    for lvl in s:
        m = [getattr(lvl.bn, str(t)).running_mean for t in range(3)]
        differ(m[0], m[1], "stack running_mean 0 vs 1")
        differ(m[1], m[2], "stack running_mean 1 vs 2")


@check
def float32_matches_float64():
    """The reference runs in float32 too, close to float64."""
    torch.manual_seed(90)
    net = ref.options()
    x = torch.randn(2, 3, 12, 12)
    net64 = net.to(DT)
    net64.eval()
    with torch.no_grad():
        a = net64(x)
        b = net64.to(torch.float32)(x.float())
    assert b.dtype == torch.float32
    close(b.double(), a, 1e-4, "float32 vs float64")


def main():
    failed = 0
    for fn in CHECKS:
        try:
            fn()
            print("ok   %s" % fn.__name__)
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc(file=sys.stdout)
    print("%d of %d identity checks failed" % (failed, len(CHECKS)) if failed
          else "all %d identity checks passed" % len(CHECKS))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
