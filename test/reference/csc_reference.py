"""Independent PyTorch reference for cscc models.

Written from the mathematics of docs/design.md §1 and the option tables of
docs/language.md, not from the compiler. Parameter and buffer names follow
the names cscc gives its `csc.param`s, so that a reference model's
`state_dict()` can be compared with (and later loaded from) cscc's.

Conventions (see the README beside this file for the choices made where the
docs leave room):
  * a dictionary is given by its analysis side D^T, a list of blocks; a block
    is IDENTITY, an Atom (one convolution) or a list of Atoms (a composition
    A >> B >> ..., applied left to right);
  * D^T X = concat over blocks; D G = sum over blocks of the block adjoints;
  * prox relu:  P_b(z) = max(z - b, 0);   soft: sign(z) max(|z| - b, 0);
    hard: z 1[|z| > b] (the l0 proximal map; autograd gives b no gradient);
  * layer-wise pursuit (G0 = 0):  G1 = P_b(c D^T X);
    with init G0:                 G1 = P_b(k G0 + c D^T X + g D^T D G0);
    each unfolding:               G <- P_b(G - c D^T (D G - X))
    (FISTA: on the extrapolated point, t_1 = 1);
    bn = prox puts BN_t on the whole prox argument of application t
    (t = 0 .. unfold, running statistics per t); bn = analysis replaces the
    term c D^T X by c BN(D^T X), one batch norm (one set of running
    statistics, shared affine) computed once per forward;
  * stacked pursuit: docs/design.md §1's ML-ISTA / ML-FISTA with the same prox / bn
    conventions per level.

Only torch and the standard library are used; float32 and float64 both work
(the dtype of the model follows `.to(dtype)` / `.double()`).
"""

import contextlib
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

IDENTITY = "identity"


# ---------------------------------------------------------------------------
# Dictionaries
# ---------------------------------------------------------------------------

class Atom:
    """conv(out, kernel, dilation = 1, stride = 1, padding = 0, init = kaiming)."""

    def __init__(self, out, kernel, dilation=1, stride=1, padding=0,
                 init="kaiming"):
        if padding == "same":
            padding = dilation * (kernel - 1) // 2
        self.out, self.kernel, self.dilation = out, kernel, dilation
        self.stride, self.padding, self.init = stride, padding, init

    def out_size(self, n):
        return (n + 2 * self.padding - self.dilation * (self.kernel - 1) - 1) \
            // self.stride + 1

    def __repr__(self):
        return "conv(%d, %d, dilation=%d, stride=%d, padding=%d)" % (
            self.out, self.kernel, self.dilation, self.stride, self.padding)


def conv(out, kernel, dilation=1, stride=1, padding=0, init="kaiming"):
    return Atom(out, kernel, dilation, stride, padding, init)


def init_filter(w, init):
    fan_in = w.shape[1] * w.shape[2] * w.shape[3]
    with torch.no_grad():
        if init == "kaiming":
            w.normal_(0.0, math.sqrt(2.0 / fan_in))
        elif init == "authors":
            w.normal_(0.0, 1.0).mul_(0.1 / math.sqrt(fan_in))
        else:
            raise ValueError("unknown init " + init)


class ConvAtom(nn.Module):
    """One convolution F of a dictionary (no bias): analysis F x, synthesis
    F^T g (transposed convolution with the same stride/padding/dilation and
    the output padding that gives back the signal size)."""

    def __init__(self, spec, cin):
        super().__init__()
        self.spec = spec
        self.weight = nn.Parameter(
            torch.empty(spec.out, cin, spec.kernel, spec.kernel))
        init_filter(self.weight, spec.init)

    def analysis(self, x):
        s = self.spec
        return F.conv2d(x, self.weight, None, s.stride, s.padding, s.dilation)

    def synthesis(self, g, hw):
        s = self.spec
        op = []
        for n_in, n_out in zip(hw, g.shape[-2:]):
            base = (n_out - 1) * s.stride - 2 * s.padding + \
                s.dilation * (s.kernel - 1) + 1
            op.append(n_in - base)
        return F.conv_transpose2d(g, self.weight, None, s.stride, s.padding,
                                  tuple(op), 1, s.dilation)

    def out_hw(self, hw):
        return tuple(self.spec.out_size(n) for n in hw)


class IdentityBlock(nn.Module):
    """The identity block: D^T part X, D part the slice itself."""

    def __init__(self, cin):
        super().__init__()
        self.out = cin

    def analysis(self, x):
        return x

    def synthesis(self, g, hw):
        return g


class Composition(nn.ModuleList):
    """A >> B >> ...: analysis applies the atoms left to right, synthesis the
    adjoints in reverse order."""

    def __init__(self, specs, cin):
        mods, c = [], cin
        for s in specs:
            mods.append(ConvAtom(s, c))
            c = s.out
        super().__init__(mods)
        self.out = c

    def analysis(self, x):
        for a in self:
            x = a.analysis(x)
        return x

    def synthesis(self, g, hw):
        sizes = [tuple(hw)]
        for a in list(self)[:-1]:
            sizes.append(a.out_hw(sizes[-1]))
        for a, size in zip(reversed(list(self)), reversed(sizes)):
            g = a.synthesis(g, size)
        return g


class Dictionary(nn.ModuleList):
    """D^T = vertical stack of blocks (state_dict keys `<i>.weight` for a conv
    block, `<i>.<j>.weight` for atom j of a composition)."""

    def __init__(self, spec, cin):
        blocks, widths, conv_mask = [], [], []
        for b in spec:
            if isinstance(b, str):
                assert b == IDENTITY, b
                m = IdentityBlock(cin)
                widths.append(cin)
                conv_mask.append(False)
            elif isinstance(b, Atom):
                m = ConvAtom(b, cin)
                widths.append(b.out)
                conv_mask.append(True)
            else:
                m = Composition(list(b), cin)
                widths.append(m.out)
                conv_mask.append(True)
            blocks.append(m)
        super().__init__(blocks)
        self.cin = cin
        self.widths = widths
        self.conv_mask = conv_mask
        self.code_channels = sum(widths)
        self.conv_channels = sum(w for w, c in zip(widths, conv_mask) if c)

    def out_hw(self, hw):
        sizes = set()
        for b, spec in zip(self, self._specs()):
            h = tuple(hw)
            for a in spec:
                h = a.out_hw(h)
            sizes.add(h)
        if len(sizes) != 1:
            raise ValueError("dictionary blocks give different sizes: %s"
                             % sorted(sizes))
        return sizes.pop()

    def _specs(self):
        out = []
        for b in self:
            if isinstance(b, IdentityBlock):
                out.append([])
            elif isinstance(b, ConvAtom):
                out.append([b])
            else:
                out.append(list(b))
        return out

    def analysis(self, x):                        # D^T x
        return torch.cat([b.analysis(x) for b in self], dim=1)

    def synthesis(self, g, hw):                   # D g
        parts = torch.split(g, self.widths, dim=1)
        out = None
        for b, p in zip(self, parts):
            y = b.synthesis(p, hw)
            out = y if out is None else out + y
        return out

    def gram(self, g, hw):                        # D^T D g
        return self.analysis(self.synthesis(g, hw))


def power_iteration(dictionary, code_shape, signal_hw, iters=200, seed=0,
                    dtype=torch.float64):
    """lambda_max(D^T D) by power iteration on the operator (code space)."""
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(code_shape, generator=gen, dtype=dtype)
    v = v / v.norm()
    lam = 0.0
    with torch.no_grad():
        for _ in range(iters):
            w = dictionary.gram(v, signal_hw)
            lam = float((v * w).sum())
            v = w / w.norm()
    return lam


# ---------------------------------------------------------------------------
# Prox and batch norm
# ---------------------------------------------------------------------------

def prox(z, b, kind):
    """P_b: relu = max(z - b, 0); soft = sign(z) max(|z| - b, 0); hard =
    z 1[|z| > b]; b may be a [C] tensor (per channel) or None (b = 0)."""
    if b is not None:
        b = b.view(1, -1, 1, 1)
    if kind == "relu":
        return torch.relu(z if b is None else z - b)
    if kind == "soft":
        return torch.sign(z) * torch.relu(z.abs() if b is None else z.abs() - b)
    if kind == "hard":
        # The comparison is not differentiable: autograd gives b no
        # gradient, as the derivative in b is 0 away from the jump.
        return torch.where(z.abs() > (0.0 if b is None else b), z,
                           torch.zeros_like(z))
    raise ValueError("unknown prox " + kind)


def _bn(x, mean, var, weight, bias, training, momentum, eps):
    return F.batch_norm(x, mean, var, weight, bias, training, momentum, eps)


class BatchNorm(nn.Module):
    """`bn` layer: weight, bias, running_mean, running_var (no
    num_batches_tracked: cscc has none)."""

    def __init__(self, c, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.register_buffer("running_mean", torch.zeros(c))
        self.register_buffer("running_var", torch.ones(c))

    def forward(self, x):
        return _bn(x, self.running_mean, self.running_var, self.weight,
                   self.bias, self.training, self.momentum, self.eps)


class _Stats(nn.Module):
    def __init__(self, c, affine, stats=True):
        super().__init__()
        if affine:
            self.weight = nn.Parameter(torch.ones(c))
            self.bias = nn.Parameter(torch.zeros(c))
        if stats:
            self.register_buffer("running_mean", torch.zeros(c))
            self.register_buffer("running_var", torch.ones(c))


class IterBatchNorm(nn.Module):
    """The batch norm of a pursuit (`P.bn`).

    bn = prox: one set of running statistics per prox application
    t = 0..unfold (`bn.<t>.running_mean/var`), affine `bn.weight/bias`
    (shared) or `bn.<t>.weight/bias` (per_iter); forward(z, t) normalises z.

    bn = analysis: D^T X is the same in every iteration, so it is normalised
    once with one set of statistics (`bn.running_mean/var`, one update per
    forward) and one shared scale/shift (`bn.weight/bias`); `analysis(x)`
    gives BN(x)."""

    def __init__(self, c, n_iter, affine="shared", eps=1e-5, momentum=0.1,
                 mode="prox"):
        super().__init__()
        assert affine in ("shared", "per_iter"), affine
        assert mode in ("prox", "analysis"), mode
        self.affine, self.n_iter, self.mode = affine, n_iter, mode
        self.eps, self.momentum = eps, momentum
        if affine == "shared":
            self.weight = nn.Parameter(torch.ones(c))
            self.bias = nn.Parameter(torch.zeros(c))
        if mode == "analysis":
            if affine != "shared":
                raise ValueError("bn_affine = per_iter needs bn = prox")
            self.register_buffer("running_mean", torch.zeros(c))
            self.register_buffer("running_var", torch.ones(c))
        else:
            for t in range(n_iter):
                self.add_module(str(t), _Stats(c, affine == "per_iter"))

    def _affine_params(self, t):
        if self.affine == "shared":
            return self.weight, self.bias
        s = getattr(self, str(t))
        return s.weight, s.bias

    def forward(self, x, t):
        assert self.mode == "prox"
        s = getattr(self, str(t))
        w, b = self._affine_params(t)
        return _bn(x, s.running_mean, s.running_var, w, b, self.training,
                   self.momentum, self.eps)

    def analysis(self, x):
        assert self.mode == "analysis"
        return _bn(x, self.running_mean, self.running_var, self.weight,
                   self.bias, self.training, self.momentum, self.eps)


# ---------------------------------------------------------------------------
# Layer-wise pursuit
# ---------------------------------------------------------------------------

def add_step_and_threshold(module, step, threshold):
    """The learned step c and threshold b of one pursuit level over
    module.dict: c is [1] (scalar), [K] (channel) or absent; b is [K]
    (channel), one per conv-block channel (conv_channels) or absent."""
    K = module.dict.code_channels
    if step == "scalar":
        module.step = nn.Parameter(torch.ones(1))
    elif step == "channel":
        module.step = nn.Parameter(torch.ones(K))
    if threshold == "channel":
        module.threshold = nn.Parameter(torch.zeros(K))
    elif threshold == "conv_channels":
        module.threshold = nn.Parameter(torch.zeros(module.dict.conv_channels))


class Pursuit(nn.Module):
    """pursuit(DICT, prox, solver, unfold, init?, gram, keep_init, step,
    threshold, bn, bn_affine)."""

    def __init__(self, dict_spec, cin, prox="relu", solver="ista", unfold=0,
                 has_init=False, gram="on", keep_init=True, step="scalar",
                 threshold="channel", bn="none", bn_affine="shared"):
        super().__init__()
        assert prox in ("relu", "soft", "hard") and solver in ("ista", "fista")
        assert gram in ("on", "off", "learned")
        assert step in ("scalar", "channel", "none")
        assert threshold in ("channel", "conv_channels", "none")
        assert bn in ("none", "prox", "analysis")
        self.prox_kind, self.solver, self.unfold = prox, solver, unfold
        self.has_init, self.gram_mode, self.keep_init = has_init, gram, keep_init
        self.step_mode, self.threshold_mode, self.bn_mode = step, threshold, bn
        self.dict = Dictionary(dict_spec, cin)
        K = self.dict.code_channels
        self.code_channels = K
        add_step_and_threshold(self, step, threshold)
        if has_init and gram == "learned":
            self.gram = nn.Parameter(torch.zeros(1))
        if bn != "none":
            self.bn = IterBatchNorm(K, unfold + 1, bn_affine, mode=bn)

    # c as a broadcastable tensor (or None for c = 1)
    def _c(self):
        if self.step_mode == "none":
            return None
        return self.step.view(1, -1, 1, 1)

    # the full per-code-channel threshold b (or None for b = 0)
    def _b(self):
        if self.threshold_mode == "none":
            return None
        if self.threshold_mode == "channel":
            return self.threshold
        parts, pos = [], 0
        for w, is_conv in zip(self.dict.widths, self.dict.conv_mask):
            if is_conv:
                parts.append(self.threshold[pos:pos + w])
                pos += w
            else:
                parts.append(self.threshold.new_zeros(w))
        return torch.cat(parts)

    def forward(self, X, G0=None):
        D, hw = self.dict, X.shape[-2:]
        c, b = self._c(), self._b()

        def mul_c(v):
            return v if c is None else c * v

        if self.bn_mode == "analysis":                # c BN(D^T X), once
            cDtX = mul_c(self.bn.analysis(D.analysis(X)))
        else:
            cDtX = mul_c(D.analysis(X))

        def analysis_term(t):
            return cDtX

        def P(z, t):
            if self.bn_mode == "prox":
                z = self.bn(z, t)
            return prox(z, b, self.prox_kind)

        # first step
        z = analysis_term(0)
        if G0 is not None:
            if self.keep_init:
                z = z + G0
            if self.gram_mode == "on":
                z = z - mul_c(D.gram(G0, hw))
            elif self.gram_mode == "learned":
                z = z + self.gram * D.gram(G0, hw)
        G = P(z, 0)
        prev = G0 if G0 is not None else torch.zeros_like(G)
        t_k = 1.0
        for k in range(1, self.unfold + 1):
            if self.solver == "fista":
                t_next = (1.0 + math.sqrt(1.0 + 4.0 * t_k * t_k)) / 2.0
                Z = G + ((t_k - 1.0) / t_next) * (G - prev)
                t_k = t_next
            else:
                Z = G
            prev = G
            # Z - c D^T (D Z - X) = Z - c D^T D Z + c D^T X
            G = P(Z - mul_c(D.gram(Z, hw)) + analysis_term(k), k)
        return G


# ---------------------------------------------------------------------------
# Stacked pursuit (ML-ISTA / ML-FISTA, the authors' MSD-CSC block)
# ---------------------------------------------------------------------------

class StackLevel(nn.Module):
    def __init__(self, dict_spec, cin, n_iter, step, threshold, bn, bn_affine):
        super().__init__()
        self.dict = Dictionary(dict_spec, cin)
        K = self.dict.code_channels
        self.code_channels = K
        self.step_mode, self.threshold_mode, self.bn_mode = step, threshold, bn
        add_step_and_threshold(self, step, threshold)
        if bn == "prox":
            self.bn = IterBatchNorm(K, n_iter, bn_affine)

    _c = Pursuit._c
    _b = Pursuit._b

    def mul_c(self, v):
        c = self._c()
        return v if c is None else c * v

    def P(self, z, t, kind):
        if self.bn_mode == "prox":
            z = self.bn(z, t)
        return prox(z, self._b(), kind)


class StackedPursuit(nn.ModuleList):
    """stack(prox, solver, unfold, step, threshold, bn, bn_affine) { D_1; ...
    D_d }: docs/design.md §1, "Stacked (multi-layer) pursuit"; output the top code."""

    def __init__(self, dict_specs, cin, prox="relu", solver="ista", unfold=0,
                 step="scalar", threshold="channel", bn="none",
                 bn_affine="shared"):
        assert bn in ("none", "prox")
        levels, c = [], cin
        for spec in dict_specs:
            lvl = StackLevel(spec, c, unfold + 1, step, threshold, bn, bn_affine)
            levels.append(lvl)
            c = lvl.code_channels
        super().__init__(levels)
        self.prox_kind, self.solver, self.unfold = prox, solver, unfold
        self.code_channels = c

    def forward(self, X):
        d = len(self)
        lv = list(self)
        G = [X] + [None] * d
        for i in range(1, d + 1):                       # encode
            L = lv[i - 1]
            G[i] = L.P(L.mul_c(L.dict.analysis(G[i - 1])), 0, self.prox_kind)
        sizes = [g.shape[-2:] for g in G]
        prev_top, t_k = G[d], 1.0
        for k in range(1, self.unfold + 1):
            if self.solver == "fista":                  # momentum on G_d only
                t_next = (1.0 + math.sqrt(1.0 + 4.0 * t_k * t_k)) / 2.0
                Z = G[d] + ((t_k - 1.0) / t_next) * (G[d] - prev_top)
                t_k = t_next
                prev_top = G[d]
                G[d] = Z
            for i in range(d, 1, -1):                   # backward sweep
                G[i - 1] = lv[i - 1].dict.synthesis(G[i], sizes[i - 1])
            for i in range(1, d + 1):                   # forward sweep
                L = lv[i - 1]
                Dt = L.dict
                grad = Dt.gram(G[i], sizes[i - 1]) - Dt.analysis(G[i - 1])
                G[i] = L.P(G[i] - L.mul_c(grad), k, self.prox_kind)
        return G[d]


# ---------------------------------------------------------------------------
# Other layers
# ---------------------------------------------------------------------------

class Conv(nn.Module):
    def __init__(self, spec, cin, bias=True):
        super().__init__()
        self.spec = spec
        self.weight = nn.Parameter(
            torch.empty(spec.out, cin, spec.kernel, spec.kernel))
        init_filter(self.weight, spec.init)
        if bias:
            self.bias = nn.Parameter(torch.zeros(spec.out))
        else:
            self.bias = None

    def forward(self, x):
        s = self.spec
        return F.conv2d(x, self.weight, self.bias, s.stride, s.padding,
                        s.dilation)


class Linear(nn.Module):
    """linear on the flattened C*H*W features: logits N x out."""

    def __init__(self, fin, out, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out, fin))
        with torch.no_grad():
            self.weight.normal_(0.0, math.sqrt(2.0 / fin))
        self.bias = nn.Parameter(torch.zeros(out)) if bias else None

    def forward(self, x):
        return F.linear(x.flatten(1), self.weight, self.bias)


def shortcut(x, channels, stride):
    """Option-A shortcut: subsample by stride, zero-pad channels at the end."""
    y = x[:, :, ::stride, ::stride]
    extra = channels - y.shape[1]
    assert extra >= 0
    if extra:
        y = F.pad(y, (0, 0, 0, 0, 0, extra))
    return y


def cross_entropy(logits, labels):
    return F.cross_entropy(logits, labels, reduction="mean")


def pool_out(n, k, s, p):
    return (n + 2 * p - k) // s + 1


# ---------------------------------------------------------------------------
# Network builder (mirrors the elaboration of a .csc model, names included)
# ---------------------------------------------------------------------------

class _Node(nn.Module):
    """A container for the dotted name hierarchy."""


class Net(nn.Module):
    """A network built statement by statement like a .csc model.

    Tensors are integer ids (0 = the input); each layer call returns the id
    of its output. Layer names follow cscc: unnamed layers `<kind><index>`,
    named ones `<name>` (+ `.<i>` per enclosing loop), inside block calls
    prefixed by `<block><instance>.` (or the call's name)."""

    def __init__(self, in_shape):
        super().__init__()
        self.in_shape = tuple(in_shape)
        self._shapes = [tuple(in_shape)]
        self._ops = []                     # (kind, module, inputs, extra)
        self._prefix = []
        self._loops = []
        self._instances = {}
        self._block_inputs = []
        self.layer_names = []
        self.current = 0
        self.loss = None

    # -- naming ---------------------------------------------------------
    @contextlib.contextmanager
    def block(self, name, call_name=None):
        """A block call; yields the id of its `input`."""
        inst = self._instances.get(name, 0)
        self._instances[name] = inst + 1
        self._prefix.append(call_name if call_name else name + str(inst))
        try:
            yield self.current
        finally:
            self._prefix.pop()

    @contextlib.contextmanager
    def loop(self, i):
        self._loops.append(i)
        try:
            yield i
        finally:
            self._loops.pop()

    def _path(self, kind, name):
        if name is None:
            base = kind + str(len(self._ops))
        else:
            base = name + "".join("." + str(i) for i in self._loops)
        return ".".join(self._prefix + [base])

    def _register(self, path, module):
        parts = path.split(".")
        node = self
        for p in parts[:-1]:
            if p not in node._modules:
                node.add_module(p, _Node())
            node = node._modules[p]
        assert parts[-1] not in node._modules, "layer name used twice: " + path
        node.add_module(parts[-1], module)

    def _add(self, kind, name, module, inputs, out_shape, extra=None):
        path = self._path(kind, name)
        if module is not None:
            self._register(path, module)
        self._ops.append((kind, module, inputs, extra))
        self._shapes.append(tuple(out_shape))
        self.layer_names.append(path)
        self.current = len(self._shapes) - 1
        return self.current

    def shape(self, t=None):
        return self._shapes[self.current if t is None else t]

    # -- layers ---------------------------------------------------------
    def conv(self, out, kernel, dilation=1, stride=1, padding=0, bias=True,
             init="kaiming", name=None):
        C, H, W = self.shape()
        a = Atom(out, kernel, dilation, stride, padding, init)
        return self._add("conv", name, Conv(a, C, bias), [self.current],
                         (out, a.out_size(H), a.out_size(W)))

    def bn(self, eps=1e-5, momentum=0.1, name=None):
        C = self.shape()[0]
        return self._add("bn", name, BatchNorm(C, eps, momentum),
                         [self.current], self.shape())

    def relu(self, name=None):
        return self._add("relu", name, None, [self.current], self.shape())

    def maxpool(self, kernel, stride=None, padding=0, name=None):
        return self._pool("maxpool", kernel, stride, padding, name)

    def avgpool(self, kernel, stride=None, padding=0, name=None):
        return self._pool("avgpool", kernel, stride, padding, name)

    def _pool(self, kind, k, s, p, name):
        s = k if s is None else s
        C, H, W = self.shape()
        return self._add(kind, name, None, [self.current],
                         (C, pool_out(H, k, s, p), pool_out(W, k, s, p)),
                         (k, s, p))

    def global_avgpool(self, name=None):
        C = self.shape()[0]
        return self._add("global_avgpool", name, None, [self.current],
                         (C, 1, 1))

    def linear(self, out, bias=True, name=None):
        C, H, W = self.shape()
        return self._add("linear", name, Linear(C * H * W, out, bias),
                         [self.current], (out, 1, 1))

    def shortcut(self, src, channels, stride, name=None):
        C, H, W = self.shape(src)
        return self._add("shortcut", name, None, [src],
                         (channels, (H - 1) // stride + 1,
                          (W - 1) // stride + 1), (channels, stride))

    def pursuit(self, dict_spec, prox="relu", solver="ista", unfold=0,
                init=None, gram="on", keep_init=True, step="scalar",
                threshold="channel", bn="none", bn_affine="shared", name=None):
        """init: a tensor id, or ("shortcut", id, channels, stride)."""
        C, H, W = self.shape()
        m = Pursuit(dict_spec, C, prox, solver, unfold, init is not None, gram,
                    keep_init, step, threshold, bn, bn_affine)
        oh, ow = m.dict.out_hw((H, W))
        inputs = [self.current]
        extra = None
        if init is not None:
            if isinstance(init, tuple):
                _, src, ch, st = init
                inputs.append(src)
                extra = (ch, st)
            else:
                inputs.append(init)
        out = (m.code_channels, oh, ow)
        if init is not None:
            s = self.shape(inputs[1])
            if extra:
                s = (extra[0], (s[1] - 1) // extra[1] + 1,
                     (s[2] - 1) // extra[1] + 1)
            assert tuple(s) == out, "init shape %s != code shape %s" % (s, out)
        return self._add("pursuit", name, m, inputs, out, extra)

    def stack(self, dict_specs, prox="relu", solver="ista", unfold=0,
              step="scalar", threshold="channel", bn="none",
              bn_affine="shared", name=None):
        C, H, W = self.shape()
        m = StackedPursuit(dict_specs, C, prox, solver, unfold, step,
                           threshold, bn, bn_affine)
        hw = (H, W)
        for lvl in m:
            hw = lvl.dict.out_hw(hw)
        return self._add("stack", name, m, [self.current],
                         (m.code_channels,) + tuple(hw))

    def set_loss(self, kind="cross_entropy"):
        assert kind == "cross_entropy"
        self.loss = kind

    # -- running --------------------------------------------------------
    def forward(self, x, labels=None, return_all=False):
        vals = [x]
        for kind, m, inputs, extra in self._ops:
            a = vals[inputs[0]]
            if kind in ("conv", "bn", "linear", "stack"):
                y = m(a)
            elif kind == "relu":
                y = torch.relu(a)
            elif kind == "maxpool":
                k, s, p = extra
                y = F.max_pool2d(a, k, s, p)
            elif kind == "avgpool":
                k, s, p = extra
                y = F.avg_pool2d(a, k, s, p)
            elif kind == "global_avgpool":
                y = a.mean(dim=(2, 3), keepdim=True)
            elif kind == "shortcut":
                y = shortcut(a, *extra)
            elif kind == "pursuit":
                g0 = None
                if len(inputs) > 1:
                    g0 = vals[inputs[1]]
                    if extra is not None:
                        g0 = shortcut(g0, *extra)
                y = m(a, g0)
            else:
                raise ValueError(kind)
            vals.append(y)
        out = vals[-1]
        if return_all:
            return vals
        if labels is not None and self.loss:
            return out, cross_entropy(out, labels)
        return out

    def parameter_count(self):
        return sum(p.numel() for p in self.parameters())


# ---------------------------------------------------------------------------
# Model builders: one per family of examples/ (same size parameters)
# ---------------------------------------------------------------------------

# --- examples/paper/lib/cifar_resnet.csc -----------------------------------

def _csc_pair(net, ch, stride, warm, gram="off", keep=True):
    with net.block("csc_pair") as inp:
        net.pursuit([Atom(ch, 3, stride=stride, padding=1)], step="none",
                    threshold="none", bn="analysis")
        if warm:
            net.pursuit([Atom(ch, 3, padding=1)],
                        init=("shortcut", inp, ch, stride), gram=gram,
                        keep_init=keep, step="none", threshold="none",
                        bn="analysis")
        else:
            net.pursuit([Atom(ch, 3, padding=1)], step="none",
                        threshold="none", bn="analysis")


def _stage(net, ch, n, stride, warm, gram, keep):
    with net.block("stage"):
        for i in range(n):
            with net.loop(i):
                _csc_pair(net, ch, stride if i == 0 else 1, warm, gram, keep)


def cifar_resnet(net, depth, warm, gram="off", keep=True, classes=10):
    with net.block("cifar_resnet"):
        n = (depth - 2) // 6
        net.pursuit([Atom(16, 3, padding=1)], step="none", threshold="none",
                    bn="analysis")
        _stage(net, 16, n, 1, warm, gram, keep)
        _stage(net, 32, n, 2, warm, gram, keep)
        _stage(net, 64, n, 2, warm, gram, keep)
        net.global_avgpool()
        net.linear(classes)


def _cifar_model(depth, warm, gram, keep, in_shape=(3, 32, 32), classes=10):
    net = Net(in_shape)
    cifar_resnet(net, depth, warm, gram, keep, classes)
    net.set_loss()
    return net


def plain(depth=20, **kw):
    """plain20 / plain56: layered thresholding, no warm start."""
    return _cifar_model(depth, False, "off", True, **kw)


def resnet(depth=20, **kw):
    """resnet20 / 56 / 110: warm start, Gram term dropped."""
    return _cifar_model(depth, True, "off", True, **kw)


def res_csc(depth=20, **kw):
    """res_csc20 .. 218: Eq. 3 / Eq. 5 alternate, learned Gram coefficient."""
    return _cifar_model(depth, True, "learned", True, **kw)


def res_csc_simplified(depth=56, **kw):
    """res_csc_simplified56: the X_-1 term dropped."""
    return _cifar_model(depth, True, "learned", False, **kw)


# --- examples/paper/lib/feedforward.csc ------------------------------------

def ml_csc6(net, unfold, solver="ista", classes=10):
    with net.block("ml_csc6"):
        net.pursuit([Atom(32, 4, stride=2, padding=1)], unfold=unfold, solver=solver)
        net.pursuit([Atom(64, 4, stride=2, padding=1)], unfold=unfold, solver=solver)
        net.pursuit([Atom(128, 4, stride=2, padding=1)], unfold=unfold, solver=solver)
        net.pursuit([Atom(256, 3, padding=1)], unfold=unfold, solver=solver)
        net.pursuit([Atom(512, 3, padding=1)], unfold=unfold, solver=solver)
        net.pursuit([Atom(512, 3, padding=1)], unfold=unfold, solver=solver)
        net.global_avgpool()
        net.linear(classes)


def feedforward6(unfold=0, solver="ista", in_shape=(3, 32, 32), classes=10):
    """feedforward6 (unfold 0), ml_csc_ista6 (1), ml_csc_fista6 (2, fista)."""
    net = Net(in_shape)
    ml_csc6(net, unfold, solver, classes)
    net.set_loss()
    return net


# --- examples/paper/lib/msd.csc ---------------------------------------------

def msd_dict(w, s):
    return [IDENTITY, Atom(w, 3, dilation=s, padding=s)]


def msd_net(net, d, w, unfold, solver="ista", classes=10):
    with net.block("msd_net"):
        for i in range(d):
            with net.loop(i):
                net.pursuit(msd_dict(w, i % 3 + 1), solver=solver,
                            unfold=unfold, threshold="conv_channels")
                if i + 1 == d // 3 or i + 1 == 2 * d // 3:
                    net.maxpool(2)
        net.global_avgpool()
        net.linear(classes)


def msd(d=12, w=32, unfold=0, solver="ista", in_shape=(3, 32, 32), classes=10):
    """msdnet_d* (unfold 0), msd_csc_ista_d12, msd_csc_fista_d*."""
    net = Net(in_shape)
    msd_net(net, d, w, unfold, solver, classes)
    net.set_loss()
    return net


# --- examples/paper/fig4_*.csc ------------------------------------------------

def fig4(w=128, unfold=1, noise=1, dense=False, in_shape=(100, 1, 1),
         classes=100):
    """fig4_ml_csc (dense False) and fig4_msd_csc (True): two pursuits over
    dense dictionaries (1x1 convolutions), [conv] or [identity, conv]."""
    del noise  # the data's, not the model's
    net = Net(in_shape)
    for _ in range(2):
        if dense:
            net.pursuit([IDENTITY, Atom(w, 1)], unfold=unfold,
                        threshold="conv_channels")
        else:
            net.pursuit([Atom(w, 1)], unfold=unfold)
    net.linear(classes)
    net.set_loss()
    return net


# --- examples/paper/authors_msd_csc.csc -------------------------------------

def authors_level(k, i):
    s = i % 6 + 1
    return [IDENTITY, Atom(k, 3, dilation=s, padding=s, init="authors")]


def _msd_block(net, k, d, unfold):
    with net.block("msd_block"):
        net.stack([authors_level(k, i) for i in range(d)], unfold=unfold,
                  bn="prox")


def authors_msd_csc(k=12, d=12, unfold=1, in_shape=(3, 32, 32)):
    net = Net(in_shape)
    net.conv(16, 3, padding=1)
    net.bn()
    net.relu()
    _msd_block(net, k, d, unfold)
    net.conv(16 + d * k, 1)
    net.maxpool(2)
    _msd_block(net, k, d, unfold)
    net.conv(16 + 2 * d * k, 1)
    net.maxpool(2)
    _msd_block(net, k, d, unfold)
    net.avgpool(8)
    net.linear(10)
    net.set_loss()
    return net


# --- examples/msd_csc_fmnist.csc ---------------------------------------------

def msd_csc_fmnist(d=4, w=12, unfold=1, in_shape=(1, 28, 28)):
    net = Net(in_shape)
    net.conv(16, 3, padding=1)
    net.bn()
    net.relu()
    net.maxpool(2)
    for i in range(d):
        with net.loop(i):
            s = i % 3 + 1
            net.pursuit([IDENTITY, Atom(w, 3, dilation=s, padding=s)],
                        unfold=unfold, bn="prox", name="g")
            if i == d // 2 - 1:
                net.maxpool(2)
    net.global_avgpool()
    net.linear(10)
    net.set_loss()
    return net


# --- examples/two_dilations.csc ----------------------------------------------

def two_dilations(w=8, in_shape=(1, 28, 28)):
    net = Net(in_shape)
    two_scales = [Atom(w, 3, dilation=1, padding=1),
                  Atom(w, 3, dilation=3, padding=3)]
    net.pursuit(two_scales, solver="fista", unfold=2, prox="soft", bn="prox",
                name="g1")
    net.maxpool(2)
    net.pursuit([[Atom(4 * w, 1), Atom(2 * w, 3, padding="same")]], unfold=1,
                step="channel", name="g2")
    net.global_avgpool()
    net.linear(10)
    net.set_loss()
    return net


# --- test/reference/Inputs/options.csc (every option once) ------------------

def _pair(net, ch, call_name=None):
    with net.block("pair", call_name) as inp:
        net.conv(ch, 3, padding=1, bias=False)
        net.bn(eps=1e-3, momentum=0.01)
        net.relu()
        net.pursuit([Atom(ch, 3, padding=1)], init=inp, gram="off",
                    step="none", threshold="none", bn="analysis")


def options(u=2, in_shape=(3, 12, 12)):
    net = Net(in_shape)
    net.pursuit([Atom(4, 3, padding=1)], unfold=u, bn="analysis", name="a")
    b = net.pursuit([IDENTITY, Atom(4, 3, padding=1)], unfold=u, bn="prox",
                    bn_affine="per_iter", threshold="conv_channels",
                    step="channel", solver="fista", prox="soft", name="b")
    net.pursuit([IDENTITY, Atom(4, 3, padding=1)], threshold="none",
                step="none", init=("shortcut", b, 12, 1), gram="learned",
                keep_init=False, bn="analysis", unfold=1, name="c")
    _pair(net, 12, "p")
    p = net.current
    _pair(net, 12)

    def zdict():
        return [[Atom(2, 1), Atom(3, 3, dilation=2, padding="same")],
                IDENTITY, Atom(5, 3, padding=1)]
    for i in range(2):
        with net.loop(i):
            if i == 0:
                net.pursuit(zdict(), unfold=2, threshold="conv_channels",
                            gram="on", init=("shortcut", p, 20, 1), name="z")
            else:
                net.pursuit(zdict(), unfold=i, name="z")
            net.maxpool(1, name="q")
    net.stack([[IDENTITY, Atom(2, 3, padding=1)],
               [[Atom(3, 1), Atom(5, 3, padding=1)]]],
              unfold=u, bn="prox", bn_affine="per_iter", step="none",
              threshold="none", solver="fista", prox="soft")
    net.stack([[Atom(3, 3, padding=1)] for _ in range(2)], unfold=0,
              name="s2")
    s2 = net.current
    net.avgpool(3, stride=1, padding=1)
    net.maxpool(3, stride=2, padding=1)
    net.shortcut(s2, 6, 2, name="x")
    net.conv(4, 3, stride=2, dilation=1, padding=1, init="authors")
    net.pursuit([IDENTITY, Atom(3, 3, padding=1)], prox="hard", unfold=1,
                name="h")
    net.linear(10, bias=False)
    net.set_loss()
    return net


# Example file (path relative to examples/) -> (builder, fixed arguments,
# names of the file's `param`s passed through as keyword arguments).
EXAMPLES = {
    "paper/plain20.csc": (plain, {}, ["depth"]),
    "paper/plain56.csc": (plain, {}, ["depth"]),
    "paper/resnet20.csc": (resnet, {}, ["depth"]),
    "paper/resnet56.csc": (resnet, {}, ["depth"]),
    "paper/resnet110.csc": (resnet, {}, ["depth"]),
    "paper/res_csc20.csc": (res_csc, {}, ["depth"]),
    "paper/res_csc32.csc": (res_csc, {}, ["depth"]),
    "paper/res_csc44.csc": (res_csc, {}, ["depth"]),
    "paper/res_csc56.csc": (res_csc, {}, ["depth"]),
    "paper/res_csc110.csc": (res_csc, {}, ["depth"]),
    "paper/res_csc218.csc": (res_csc, {}, ["depth"]),
    "paper/res_csc_simplified56.csc": (res_csc_simplified, {}, ["depth"]),
    "paper/feedforward6.csc": (feedforward6, {"solver": "ista"}, ["unfold"]),
    "paper/ml_csc_ista6.csc": (feedforward6, {"solver": "ista"}, ["unfold"]),
    "paper/ml_csc_fista6.csc": (feedforward6, {"solver": "fista"}, ["unfold"]),
    "paper/msdnet_d6.csc": (msd, {"solver": "ista"}, ["d", "w", "unfold"]),
    "paper/msdnet_d9.csc": (msd, {"solver": "ista"}, ["d", "w", "unfold"]),
    "paper/msdnet_d12.csc": (msd, {"solver": "ista"}, ["d", "w", "unfold"]),
    "paper/msd_csc_ista_d12.csc": (msd, {"solver": "ista"}, ["d", "w", "unfold"]),
    "paper/msd_csc_fista_d6.csc": (msd, {"solver": "fista"}, ["d", "w", "unfold"]),
    "paper/msd_csc_fista_d9.csc": (msd, {"solver": "fista"}, ["d", "w", "unfold"]),
    "paper/msd_csc_fista_d12.csc": (msd, {"solver": "fista"}, ["d", "w", "unfold"]),
    "paper/authors_msd_csc.csc": (authors_msd_csc, {}, ["k", "d", "unfold"]),
    "paper/fig4_ml_csc.csc": (fig4, {"dense": False}, ["w", "unfold", "noise"]),
    "paper/fig4_msd_csc.csc": (fig4, {"dense": True}, ["w", "unfold", "noise"]),
    "msd_csc_fmnist.csc": (msd_csc_fmnist, {}, ["d", "w", "unfold"]),
    "two_dilations.csc": (two_dilations, {}, ["w"]),
}

# The defaults of each file's params (as written in the file).
EXAMPLE_DEFAULTS = {
    "paper/plain20.csc": {"depth": 20},
    "paper/plain56.csc": {"depth": 56},
    "paper/resnet20.csc": {"depth": 20},
    "paper/resnet56.csc": {"depth": 56},
    "paper/resnet110.csc": {"depth": 110},
    "paper/res_csc20.csc": {"depth": 20},
    "paper/res_csc32.csc": {"depth": 32},
    "paper/res_csc44.csc": {"depth": 44},
    "paper/res_csc56.csc": {"depth": 56},
    "paper/res_csc110.csc": {"depth": 110},
    "paper/res_csc218.csc": {"depth": 218},
    "paper/res_csc_simplified56.csc": {"depth": 56},
    "paper/feedforward6.csc": {"unfold": 0},
    "paper/ml_csc_ista6.csc": {"unfold": 1},
    "paper/ml_csc_fista6.csc": {"unfold": 2},
    "paper/msdnet_d6.csc": {"d": 6, "w": 32, "unfold": 0},
    "paper/msdnet_d9.csc": {"d": 9, "w": 32, "unfold": 0},
    "paper/msdnet_d12.csc": {"d": 12, "w": 32, "unfold": 0},
    "paper/msd_csc_ista_d12.csc": {"d": 12, "w": 32, "unfold": 2},
    "paper/msd_csc_fista_d6.csc": {"d": 6, "w": 32, "unfold": 2},
    "paper/msd_csc_fista_d9.csc": {"d": 9, "w": 32, "unfold": 2},
    "paper/msd_csc_fista_d12.csc": {"d": 12, "w": 32, "unfold": 2},
    "paper/authors_msd_csc.csc": {"k": 12, "d": 12, "unfold": 1},
    "paper/fig4_ml_csc.csc": {"w": 128, "unfold": 1, "noise": 1},
    "paper/fig4_msd_csc.csc": {"w": 128, "unfold": 1, "noise": 1},
    "msd_csc_fmnist.csc": {"d": 4, "w": 12, "unfold": 1},
    "two_dilations.csc": {"w": 8},
}


def build_example(relpath, **overrides):
    """The reference model of examples/<relpath> with `-D` style overrides."""
    fn, fixed, params = EXAMPLES[relpath]
    args = dict(EXAMPLE_DEFAULTS[relpath])
    for k, v in overrides.items():
        if k not in params:
            raise KeyError("%s has no param %s" % (relpath, k))
        args[k] = v
    args.update(fixed)
    return fn(**args)
