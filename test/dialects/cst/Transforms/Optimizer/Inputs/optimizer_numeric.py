"""cst-optimizer's generated update against torch.optim, step by step.

Usage: optimizer_numeric.py CASE TMPDIR CSC_OPT SHIM_SO [--wrong]

CASE is `synthetic` (a hand-written @train_step whose gradients are
g = 0.5 p*p - t for fixed targets t, parameters of rank 1, 2 and 4 and a
learned scalar, in f64 and f32) or `model` (a small tensor-level @forward
-- bias, learned scale, train-mode batch norm with running statistics,
soft threshold, global average pool, linear, cross-entropy -- through
cst-autodiff, in f64, a new batch every step). For each optimiser setting
the module goes through `csc-opt --cst-optimizer{...}` (plus
`--cst-autodiff` for `model`); the printed signature of @train_update
gives each argument's and result's role (cst.param, cst.opt_state,
cst.hyper, cst.updated, cst.new_state). @main then calls @train_update
for several steps, feeding each step's new parameters, optimiser state
and running statistics to the next, with the hyper tensor of each step
computed by the runtime (runtime/lib/Optimizer.cpp through ctypes:
scheduledLearningRate, then optimizerHyper), and prints every result and
its difference from PyTorch (cst.axpby, exact in the element type).
The module is lowered by cscc's CPU pipeline (--cscc-cst-to-llvm) and run
under mlir-runner.

The reference is torch.optim.SGD / torch.optim.Adam driven by
torch.optim.lr_scheduler (MultiStepLR, CosineAnnealingLR, LinearLR
warm-up; Inputs/optimizer_runtime.py), the gradients from PyTorch
(autograd for `model`). --wrong swaps in a different reference optimiser
(Nesterov for plain momentum, dampening 0.5 for Nesterov, momentum for
none, AdamW for Adam, a constant schedule for a decaying one) so that the comparison must fail.

Prints `ok CASE/NAME` per optimiser setting; exits 1 on any mismatch.
"""
import math
import os
import re
import shutil
import subprocess
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from optimizer_runtime import Runtime, torch_schedulers  # noqa: E402
from mlir_signature import signature, type_of  # noqa: E402

MLIR_ELEM = {torch.float64: "f64", torch.float32: "f32", torch.int64: "i64"}


def literal(v, elem):
    if elem == "i64":
        return str(int(v))
    r = repr(float(v))  # MLIR wants a digit after the point: 1e-08 -> 1.0e-08
    return r.replace("e", ".0e") if "e" in r and "." not in r else r


def ttype(shape, elem, dynamic_batch=False):
    dims = ["?" if (i == 0 and dynamic_batch) else str(d) for i, d in enumerate(shape)]
    return "tensor<" + "".join(d + "x" for d in dims) + elem + ">"


def dense(t):
    elem = MLIR_ELEM[t.dtype]
    flat = [literal(v, elem) for v in t.reshape(-1).tolist()]
    if t.dim() == 0:
        body = flat[0]
    else:
        def nest(vals, shape):
            if len(shape) == 1:
                return "[" + ", ".join(vals) + "]"
            step = len(vals) // shape[0]
            return "[" + ", ".join(nest(vals[i * step:(i + 1) * step], shape[1:])
                                   for i in range(shape[0])) + "]"
        body = nest(flat, list(t.shape))
    return "dense<%s> : %s" % (body, ttype(t.shape, elem))


# ----------------------------------------------------------------------------
# Optimiser settings and their PyTorch reference.

def torch_optimizer(opt, named, steps, wrong):
    """torch.optim for the parameters `named` (name -> tensor); with
    opt["step_lr_scale"], the names in `steps` form a second parameter
    group at that many times the lr (--wrong: one group)."""
    kind = opt["kind"]
    scale = opt.get("step_lr_scale")
    params = list(named.values())
    if scale is not None and not wrong:
        params = [{"params": [p for n, p in named.items() if n not in steps]},
                  {"params": [p for n, p in named.items() if n in steps],
                   "lr": opt["lr"] * scale}]
    if kind == "sgd":
        momentum = opt["momentum"] if opt["buffer"] else 0.0
        nesterov = opt.get("nesterov", False)
        dampening = 0.0
        if wrong:
            if momentum and not nesterov:
                nesterov = True
            elif momentum:
                dampening, nesterov = 0.5, False
            else:
                momentum = 0.5
        return torch.optim.SGD(params, lr=opt["lr"], momentum=momentum,
                               dampening=dampening, nesterov=nesterov,
                               weight_decay=opt.get("weight_decay", 0.0))
    wd = opt.get("weight_decay", 0.0)
    if wrong:  # decoupled weight decay (and some even where there is none)
        return torch.optim.AdamW(params, lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]),
                                 eps=opt["eps"], weight_decay=wd or 0.01)
    return torch.optim.Adam(params, lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]),
                            eps=opt["eps"], weight_decay=wd)


def pass_options(opt):
    scale = (" step-lr-scale=%r" % opt["step_lr_scale"]
             if "step_lr_scale" in opt else "")
    if opt["kind"] == "adam":
        return "optimizer=adam" + scale
    return "optimizer=sgd momentum=%s nesterov=%s%s" % (
        "true" if opt["buffer"] else "false",
        "true" if opt.get("nesterov") else "false", scale)


def state_key(suffix):
    return suffix  # PyTorch's names: momentum_buffer, exp_avg, exp_avg_sq


# ----------------------------------------------------------------------------
# The two kinds of train step.

class Synthetic:
    """g = 0.5 p*p - t; the forward results are an l1 norm of the batch and
    a running statistic passed through unchanged."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.elem = MLIR_ELEM[dtype]
        g = torch.Generator().manual_seed(7)
        r = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64).to(dtype)
        self.shapes = {"conv.weight": (3, 2, 3, 3), "bias": (4,),
                       "fc.weight": (5, 3), "c": (1,)}
        self.init = {k: r(*s) for k, s in self.shapes.items()}
        self.targets = {k: r(*s) for k, s in self.shapes.items()}
        self.state_init = {"bn.running_mean": r(4)}
        self.batches = [(r(2, 2, 3, 3), None) for _ in range(8)]
        self.input_shape = (2, 3, 3)
        self.steps = set()

    def module(self):
        e = self.elem
        xt = ttype((0,) + self.input_shape, e, True)
        args = ["%%x: %s" % xt,
                '%%rm: %s {cst.param = "bn.running_mean", cst.init = "zeros", cst.state}'
                % ttype((4,), e)]
        names = list(self.shapes)
        for i, n in enumerate(names):
            args.append('%%p%d: %s {cst.param = "%s", cst.init = "kaiming"}'
                        % (i, ttype(self.shapes[n], e), n))
        body, rets, rtypes = [], ["%loss", "%rm"], [
            "tensor<%s>" % e, '%s {cst.new_state = "bn.running_mean"}' % ttype((4,), e)]
        body.append("%%loss = cst.l1_norm %%x {weight = 1.0 : f64} : (%s) -> tensor<%s>" % (xt, e))
        # gradients in reverse parameter order: the pass orders them
        for i, n in reversed(list(enumerate(names))):
            t = ttype(self.shapes[n], e)
            body.append("%%pp%d = cst.mul %%p%d, %%p%d : %s" % (i, i, i, t))
            body.append("%%t%d = arith.constant %s" % (i, dense(self.targets[n])))
            body.append("%%g%d = cst.axpby %%pp%d, %%t%d {alpha = 0.5 : f64, beta = -1.0 : f64} : %s"
                        % (i, i, i, t))
            rets.append("%%g%d" % i)
            rtypes.append('%s {cst.grad = "%s"}' % (t, n))
        return ("func.func private @train_step(%s) -> (%s) {\n  %s\n  return %s : %s\n}\n"
                % (", ".join(args), ", ".join(rtypes), "\n  ".join(body), ", ".join(rets),
                   ", ".join(type_of(t) for t in rtypes)))

    passes = ""

    def reference_step(self, params, states, x, labels):
        """Sets p.grad; returns the forward results by role."""
        for n, p in params.items():
            p.grad = 0.5 * (p.detach() * p.detach()) - self.targets[n]
        loss = x.abs().sum() / x.shape[0]
        return {"loss": loss, "new_state": {k: v.clone() for k, v in states.items()}}


class Model:
    """A small train-mode model, differentiated by cst-autodiff."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.elem = MLIR_ELEM[dtype]
        g = torch.Generator().manual_seed(11)
        r = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64).to(dtype)
        self.shapes = {"bias": (3,), "scale": (1,), "bn.weight": (3,), "bn.bias": (3,),
                       "thr": (3,), "fc.weight": (5, 3), "fc.bias": (5,)}
        self.init = {"bias": 0.3 * r(3), "scale": torch.tensor([1.2], dtype=dtype),
                     "bn.weight": 1 + 0.2 * r(3), "bn.bias": 0.1 * r(3),
                     "thr": torch.tensor([0.05, 0.1, 0.2], dtype=dtype),
                     "fc.weight": 0.5 * r(5, 3), "fc.bias": 0.1 * r(5)}
        self.state_init = {"bn.running_mean": 0.1 * r(3),
                           "bn.running_var": 1 + 0.1 * r(3).abs()}
        self.batches = [(r(4, 3, 4, 4) + 0.5,
                         torch.randint(0, 5, (4,), generator=g)) for _ in range(8)]
        self.input_shape = (3, 4, 4)
        self.steps = {"scale"}  # a pursuit's step: marked cst.step

    def module(self):
        e = self.elem
        x = ttype((0, 3, 4, 4), e, True)
        v3, one = ttype((3,), e), ttype((1,), e)
        args = ["%%x: %s" % x, "%labels: tensor<?xi64>"]
        kinds = {"bias": v3, "scale": one, "bn.weight": v3, "bn.bias": v3,
                 "thr": v3, "fc.weight": ttype((5, 3), e), "fc.bias": ttype((5,), e)}
        order = ["bias", "scale", "bn.weight", "bn.bias", "bn.running_mean",
                 "bn.running_var", "thr", "fc.weight", "fc.bias"]
        vid = {}
        for i, n in enumerate(order):
            vid[n] = "%%a%d" % i
            if n.startswith("bn.running"):
                args.append('%s: %s {cst.param = "%s", cst.init = "zeros", cst.state}'
                            % (vid[n], v3, n))
            else:
                args.append('%s: %s {cst.param = "%s", cst.init = "kaiming"%s}'
                            % (vid[n], kinds[n], n,
                               ", cst.step" if n in self.steps else ""))
        logits = ttype((0, 5, 1, 1), e, True)
        body = [
            "%%b = cst.bias_add %%x, %s : (%s, %s) -> %s" % (vid["bias"], x, v3, x),
            "%%s = cst.scale %%b, %s : (%s, %s) -> %s" % (vid["scale"], x, one, x),
            "%%n:5 = cst.batch_norm_train %%s, %s, %s, %s, %s {eps = 1.0e-5 : f64, momentum = 0.1 : f64}"
            " : (%s, %s, %s, %s, %s) -> (%s, %s, %s, %s, %s)"
            % (vid["bn.weight"], vid["bn.bias"], vid["bn.running_mean"], vid["bn.running_var"],
               x, v3, v3, v3, v3, x, v3, v3, v3, v3),
            '%%t = cst.threshold %%n#0, %s {kind = #cst<threshold soft>} : (%s, %s) -> %s' % (vid["thr"], x, v3, x),
            "%%g = cst.global_avg_pool %%t : (%s) -> %s" % (x, ttype((0, 3, 1, 1), e, True)),
            "%%y = cst.linear %%g, %s, %s : (%s, %s, %s) -> %s"
            % (vid["fc.weight"], vid["fc.bias"], ttype((0, 3, 1, 1), e, True),
               kinds["fc.weight"], kinds["fc.bias"], logits),
            "%%l = cst.softmax_cross_entropy %%y, %%labels : (%s, tensor<?xi64>) -> tensor<%s>" % (logits, e),
        ]
        rtypes = [logits, "tensor<%s>" % e,
                  '%s {cst.new_state = "bn.running_mean"}' % v3,
                  '%s {cst.new_state = "bn.running_var"}' % v3]
        return ("func.func private @forward(%s) -> (%s) {\n  %s\n  return %%y, %%l, %%n#1, %%n#2 : %s\n}\n"
                % (", ".join(args), ", ".join(rtypes), "\n  ".join(body),
                   ", ".join(type_of(t) for t in rtypes)))

    passes = "--cst-autodiff"

    def reference_step(self, params, states, x, labels):
        P = params
        y = x + P["bias"].view(1, -1, 1, 1)
        y = y * P["scale"]
        rm, rv = states["bn.running_mean"], states["bn.running_var"]
        n = F.batch_norm(y, rm, rv, P["bn.weight"], P["bn.bias"], training=True,
                         momentum=0.1, eps=1e-5)  # updates rm, rv in place
        z = torch.sign(n) * F.relu(n.abs() - P["thr"].view(1, -1, 1, 1))
        g = z.mean(dim=(2, 3))
        logits = F.linear(g, P["fc.weight"], P["fc.bias"])
        loss = F.cross_entropy(logits, labels)
        for p in params.values():
            p.grad = None
        loss.backward()
        return {"logits": logits.detach().view(x.shape[0], 5, 1, 1), "loss": loss.detach(),
                "new_state": {k: v.clone() for k, v in states.items()}}


# ----------------------------------------------------------------------------

def reference(train, opt, sched, steps_per_epoch, steps, wrong):
    """Per step: the hyper tensor's learning rate (PyTorch's) and the
    expected results by (role, name)."""
    params = {n: torch.nn.Parameter(v.clone()) for n, v in train.init.items()}
    states = {n: v.clone() for n, v in train.state_init.items()}
    optim = torch_optimizer(opt, params, train.steps, wrong)
    if wrong and sched["kind"] != "constant":
        sched = dict(sched, kind="constant", warmup=0)
    per_step, per_epoch = torch_schedulers(optim, sched, steps_per_epoch)
    out = []
    for k in range(steps):
        x, labels = train.batches[k]
        lr = optim.param_groups[0]["lr"]
        fwd = train.reference_step(params, states, x, labels)
        optim.step()
        exp = {}
        if "logits" in fwd:
            exp[("logits", "")] = fwd["logits"]
        exp[("loss", "")] = fwd["loss"]
        for n, v in fwd["new_state"].items():
            exp[("new_state", n)] = v
        for n, p in params.items():
            exp[("updated", n)] = p.detach().clone()
            st = optim.state[p]
            for key in ("momentum_buffer", "exp_avg", "exp_avg_sq"):
                if key in st and st[key] is not None:
                    exp[("opt_state", "%s.%s" % (n, key))] = st[key].detach().clone()
        out.append((lr, exp))
        for sc in per_step:
            sc.step()
        if (k + 1) % steps_per_epoch == 0:
            for sc in per_epoch:
                sc.step()
    return out


def role_of(index, t, attrs):
    if "cst.updated" in attrs:
        return ("updated", attrs["cst.updated"])
    if "cst.opt_state" in attrs:
        return ("opt_state", attrs["cst.opt_state"])
    if "cst.new_state" in attrs:
        return ("new_state", attrs["cst.new_state"])
    if "cst.grad" in attrs:
        return ("grad", attrs["cst.grad"])
    if t.startswith("tensor<") and "x" not in t[len("tensor<"):]:
        return ("loss", "")
    return ("logits", "")


def build_main(train, args, results, hypers, steps):
    e = train.elem
    lines = ["func.func private @printMemrefF64(memref<*xf64>)",
             "func.func private @printMemrefF32(memref<*xf32>)",
             "func.func @main() {"]
    # current value of each argument, by role
    cur = {}
    for i, (t, a) in enumerate(args):
        if "cst.param" in a:
            src = train.init.get(a["cst.param"], train.state_init.get(a["cst.param"]))
            lines.append("  %%init%d = arith.constant %s" % (i, dense(src)))
            cur[i] = "%%init%d" % i
        elif "cst.opt_state" in a:
            assert a.get("cst.init") == "zeros", a
            lines.append("  %%init%d = arith.constant dense<0.0> : %s" % (i, t))
            cur[i] = "%%init%d" % i
    state_arg = {}  # name -> arg index (params, running stats, opt states)
    for i, (t, a) in enumerate(args):
        for k in ("cst.param", "cst.opt_state"):
            if k in a:
                state_arg[a[k]] = i
    printed = []
    for k in range(steps):
        call_args = []
        x, labels = train.batches[k]
        for i, (t, a) in enumerate(args):
            if "cst.hyper" in a:
                lines.append("  %%h%d = arith.constant %s" % (
                    k, dense(torch.tensor(hypers[k], dtype=train.dtype))))
                call_args.append("%%h%d" % k)
            elif i in cur:
                call_args.append(cur[i])
            elif i == 0:
                lines.append("  %%xs%d = arith.constant %s" % (k, dense(x)))
                lines.append("  %%x%d = tensor.cast %%xs%d : %s to %s"
                             % (k, k, ttype(x.shape, e), t))
                call_args.append("%%x%d" % k)
            else:
                lines.append("  %%ls%d = arith.constant %s" % (k, dense(labels)))
                lines.append("  %%l%d = tensor.cast %%ls%d : %s to %s"
                             % (k, k, ttype(labels.shape, "i64"), t))
                call_args.append("%%l%d" % k)
        lines.append("  %%r%d:%d = call @train_update(%s) : (%s) -> (%s)" % (
            k, len(results), ", ".join(call_args), ", ".join(t for t, _ in args),
            ", ".join(t for t, _ in results)))
        for j, (t, a) in enumerate(results):
            role = role_of(j, t, a)
            v = "%%r%d#%d" % (k, j)
            printed.append((k, role, t))
            if role[0] in ("updated", "opt_state", "new_state"):
                cur[state_arg[role[1]]] = v
    lines.append("  return")
    lines.append("}")
    return lines, printed


def print_lines(k, j, got, expected, t, e):
    """Print got and got - expected."""
    lines = []
    static = ttype(expected.shape, e)
    lines.append("  %%e%d_%d = arith.constant %s" % (k, j, dense(expected)))
    exp = "%%e%d_%d" % (k, j)
    if static != t:
        lines.append("  %%ec%d_%d = tensor.cast %s : %s to %s" % (k, j, exp, static, t))
        exp = "%%ec%d_%d" % (k, j)
    lines.append("  %%d%d_%d = cst.axpby %s, %s {alpha = 1.0 : f64, beta = -1.0 : f64} : %s"
                 % (k, j, got, exp, t))
    for what, v in (("g", got), ("d", "%%d%d_%d" % (k, j))):
        mem = t.replace("tensor<", "memref<")
        lines.append("  %%m%s%d_%d = bufferization.to_buffer %s : %s to %s" % (what, k, j, v, t, mem))
        lines.append("  %%u%s%d_%d = memref.cast %%m%s%d_%d : %s to memref<*x%s>"
                     % (what, k, j, what, k, j, mem, e))
        lines.append("  call @printMemref%s(%%u%s%d_%d) : (memref<*x%s>) -> ()"
                     % (e.upper(), what, k, j, e))
    return lines


NUMBER = re.compile(r"-?(?:inf|nan|\d+(?:\.\d*)?(?:e[-+]?\d+)?)")


def parse(output):
    out = []
    for chunk in output.split("Unranked Memref")[1:]:
        sizes = re.search(r"sizes = \[([^\]]*)\]", chunk).group(1)
        sizes = [int(s) for s in sizes.split(",") if s.strip()]
        data = chunk.split("data =", 1)[1]
        out.append((sizes, [float(v) for v in NUMBER.findall(data)]))
    return out


def run_case(case, name, train, opt, sched, steps_per_epoch, steps, tol, tools, wrong):
    tmp, csc_opt, rt = tools
    src = os.path.join(tmp, "%s_%s.mlir" % (case, name))
    with open(src, "w") as f:
        f.write(train.module())
    cmd = [csc_opt, src]
    if train.passes:
        cmd.append(train.passes)
    cmd.append("--cst-optimizer=%s" % pass_options(opt))
    ir = subprocess.run(cmd, capture_output=True, text=True)
    if ir.returncode != 0:
        sys.exit("csc-opt failed on %s:\n%s" % (src, ir.stderr))
    args, results = signature(ir.stdout, "train_update")

    # The runtime's hyper tensor for each step.
    ref = reference(train, opt, sched, steps_per_epoch, steps, wrong)
    hypers, lr_diff = [], 0.0
    for k in range(steps):
        epoch, s = divmod(k, steps_per_epoch)
        lr = rt.lr(sched, opt["lr"], epoch, s, steps_per_epoch)
        lr_diff = max(lr_diff, abs(lr - ref[k][0]) / opt["lr"])
        hypers.append(rt.hyper(dict(opt, momentum=opt.get("momentum", 0.0)), lr, k + 1))

    main, printed = build_main(train, args, results, hypers, steps)
    body = main[:-2]
    for idx, (k, role, t) in enumerate(printed):
        j = idx % len(results)
        if role not in ref[k][1]:
            sys.exit("%s/%s: result %d of @train_update is %s, which PyTorch has no value for"
                     % (case, name, j, role))
        body += print_lines(k, j, "%%r%d#%d" % (k, j), ref[k][1][role], t, train.elem)
    body += main[-2:]
    text = ir.stdout.rstrip()
    assert text.endswith("}")
    full = text[:-1] + "\n".join(body) + "\n}\n"
    full_src = os.path.join(tmp, "%s_%s.run.mlir" % (case, name))
    with open(full_src, "w") as f:
        f.write(full)
    llvm = subprocess.run([csc_opt, full_src, "--cscc-cst-to-llvm"], capture_output=True, text=True)
    if llvm.returncode != 0:
        sys.exit("csc-opt --cscc-cst-to-llvm failed on %s:\n%s" % (full_src, llvm.stderr))
    runner = shutil.which("mlir-runner")
    libdir = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(runner))), "lib")
    libs = ",".join(os.path.join(libdir, l) for l in
                    ("libmlir_c_runner_utils.so", "libmlir_runner_utils.so",
                     # the OpenMP runtime, for cscc-parallel-loops' loops
                     "libomp.so"))
    # the runtime's allocation functions the generated code calls
    libs += "," + os.environ["CSCC_ALLOC_LIB"]
    run = subprocess.run([runner, "-e", "main", "-entry-point-result=void",
                          "-shared-libs=" + libs], input=llvm.stdout,
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("mlir-runner failed on %s:\n%s" % (full_src, run.stderr))
    got = parse(run.stdout)
    if len(got) != 2 * len(printed):
        sys.exit("expected %d printed memrefs, got %d" % (2 * len(printed), len(got)))
    bad, worst_rel = [], 0.0
    for idx, (k, role, t) in enumerate(printed):
        (gs, gv), (ds, dv) = got[2 * idx], got[2 * idx + 1]
        e = ref[k][1][role]
        ev = e.double().reshape(-1).tolist()
        if gs != list(e.shape):
            bad.append("step %d %s: shape %s, expected %s" % (k + 1, role, gs, list(e.shape)))
            continue
        scale = 1.0 + max(abs(v) for v in ev)
        worst = max(math.inf if math.isnan(d) else abs(d) for d in dv)
        worst_rel = max(worst_rel, worst / scale)
        if not worst <= tol * scale:
            bad.append("step %d %s %s: max |got - expected| = %.3g > %.3g"
                       % (k + 1, role[0], role[1], worst, tol * scale))
        for g_, v in zip(gv, ev):
            if not abs(g_ - v) <= 1e-5 * abs(v) + tol * scale:
                bad.append("step %d %s %s: printed %r, expected %r" % (k + 1, role[0], role[1], g_, v))
                break
    if lr_diff > 1e-13:
        bad.append("learning rates: runtime vs torch.optim.lr_scheduler differ by %.3g" % lr_diff)
    roles = sorted(set(r for _, r, _ in printed))
    if bad:
        print("FAIL %s/%s: %s" % (case, name, "; ".join(bad[:6])))
        return False
    print("ok %s/%s: %d steps, %d results per step (%d updated, %d optimiser states), "
          "max |difference| / (1 + max |expected|) %.1e"
          % (case, name, steps, len(results),
             sum(1 for r in roles if r[0] == "updated"),
             sum(1 for r in roles if r[0] == "opt_state"), worst_rel))
    return True


def settings():
    sgd = dict(kind="sgd", lr=0.1, momentum=0.9, buffer=True)
    adam = dict(kind="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    multistep = dict(kind="multistep", milestones=[1, 2], gamma=0.5, epochs=3)
    cosine_warm = dict(kind="cosine", epochs=3, warmup=1)
    return [
        ("sgd_plain", dict(sgd, buffer=False), dict(kind="constant")),
        ("sgd_plain_wd_multistep", dict(sgd, buffer=False, weight_decay=0.05), multistep),
        ("sgd_momentum", sgd, multistep),
        ("sgd_momentum_wd_cosine_warmup", dict(sgd, weight_decay=5e-4), cosine_warm),
        ("sgd_nesterov_wd", dict(sgd, nesterov=True, weight_decay=0.01), multistep),
        ("sgd_nesterov_cosine_warmup", dict(sgd, nesterov=True), cosine_warm),
        ("adam", adam, dict(kind="constant")),
        ("adam_wd_cosine_warmup", dict(adam, weight_decay=0.1), cosine_warm),
        ("adam_betas_wd_multistep", dict(adam, beta1=0.8, beta2=0.99, eps=1e-6,
                                         weight_decay=0.01, lr=0.05), multistep),
        # The steps' parameter group (cst.step arguments; Model only).
        ("sgd_nesterov_wd_step_group", dict(sgd, nesterov=True, weight_decay=0.01,
                                            step_lr_scale=0.01), multistep),
        # (weight decay: the bias before batch norm has a zero gradient up
        # to rounding, which Adam would scale up to lr / eps times)
        ("adam_wd_step_group_cosine_warmup", dict(adam, weight_decay=0.1,
                                                  step_lr_scale=0.05), cosine_warm),
    ]


def main():
    argv = [a for a in sys.argv[1:] if a != "--wrong"]
    wrong = "--wrong" in sys.argv
    case, tmp, csc_opt, shim = argv[:4]
    os.makedirs(tmp, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    tools = (tmp, csc_opt, Runtime(shim))
    failed = 0
    steps_per_epoch, steps = 2, 6  # 3 epochs
    if case == "synthetic":
        for dtype, tol in ((torch.float64, 1e-12), (torch.float32, 1e-5)):
            train = Synthetic(dtype)
            for name, opt, sched in settings():
                if "step_group" in name:  # no step among its parameters
                    continue
                if dtype == torch.float32 and name not in ("sgd_nesterov_wd",
                                                           "adam_wd_cosine_warmup"):
                    continue
                tag = name + ("_f32" if dtype == torch.float32 else "")
                failed += not run_case(case, tag, train, opt, sched, steps_per_epoch, steps,
                                       tol, tools, wrong)
    elif case == "model":
        train = Model(torch.float64)
        for name, opt, sched in settings():
            if name in ("sgd_plain", "sgd_momentum", "adam"):
                continue
            failed += not run_case(case, name, train, opt, sched, steps_per_epoch, steps,
                                   1e-12, tools, wrong)
    else:
        sys.exit("unknown case %s" % case)
    if failed:
        sys.exit("%d optimiser settings failed" % failed)


if __name__ == "__main__":
    main()
