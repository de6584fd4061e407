"""Numerical check of cst-lower-to-linalg's backward-pass ops against PyTorch.

Usage: cst_grad_numeric.py GROUP TMPDIR CSC_OPT

For each case of GROUP, a private function @fI applies one backward-pass op
to its arguments (a dynamic batch, as in the generated code); @main calls it
on constants drawn here (seeded), and for each result prints the result and
`result - expected` (cst.axpby, so the difference is exact in the element
type: printMemref shows only 6 digits). The module goes through
`csc-opt --cscc-cst-to-llvm` (cscc's whole CPU lowering) and runs under
mlir-runner. Expected values come from PyTorch autograd on the forward op
(max_pool2d, avg_pool2d, batch_norm, linear, cross_entropy, ...), in float64.

Prints one `ok NAME` line per case; exits 1 on any mismatch.
"""
import math
import os
import re
import shutil
import subprocess
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(20261)
torch.set_default_dtype(torch.float64)

MLIR_TYPE = {torch.float64: "f64", torch.float32: "f32", torch.int64: "i64"}


def literal(v, elem):
    if elem == "i64":
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return {"f64": "0x7FF8000000000000", "f32": "0x7FC00000"}[elem]
    if math.isinf(v):
        bits = {"f64": ("0x7FF0000000000000", "0xFFF0000000000000"),
                "f32": ("0x7F800000", "0xFF800000")}[elem]
        return bits[0] if v > 0 else bits[1]
    return repr(v)


def tensor_type(shape, elem, dynamic_batch):
    dims = ["?" if (i == 0 and dynamic_batch) else str(d)
            for i, d in enumerate(shape)]
    return "tensor<" + "".join(d + "x" for d in dims) + elem + ">"


def dense(t):
    elem = MLIR_TYPE[t.dtype]
    flat = [literal(v, elem) for v in t.reshape(-1).tolist()]
    if t.dim() == 0:
        body = flat[0]
    else:
        # nested brackets in the tensor's shape
        def nest(vals, shape):
            if len(shape) == 1:
                return "[" + ", ".join(vals) + "]"
            step = len(vals) // shape[0]
            return "[" + ", ".join(nest(vals[i * step:(i + 1) * step], shape[1:])
                                   for i in range(shape[0])) + "]"
        body = nest(flat, list(t.shape))
    return "dense<%s> : %s" % (body, tensor_type(t.shape, elem, False))


class Case:
    """One op applied to `args`; `expected` its results (torch tensors).
    `dyn`: which arguments / results have a dynamic batch."""

    def __init__(self, name, op_text, args, arg_dyn, expected, res_dyn, tol=None):
        self.name, self.op_text = name, op_text
        self.args, self.arg_dyn = args, arg_dyn
        self.expected, self.res_dyn = expected, res_dyn
        elem = MLIR_TYPE[expected[0].dtype]
        self.tol = tol if tol is not None else (1e-12 if elem == "f64" else 2e-6)

    def arg_types(self):
        return [tensor_type(a.shape, MLIR_TYPE[a.dtype], d)
                for a, d in zip(self.args, self.arg_dyn)]

    def res_types(self):
        return [tensor_type(e.shape, MLIR_TYPE[e.dtype], d)
                for e, d in zip(self.expected, self.res_dyn)]


def module(cases):
    lines = []
    for i, c in enumerate(cases):
        at, rt = c.arg_types(), c.res_types()
        params = ", ".join("%%a%d: %s" % (j, t) for j, t in enumerate(at))
        lines.append("func.func private @f%d(%s) -> (%s) {" % (i, params, ", ".join(rt)))
        # op_text uses %a0.. and defines %r (or %r:K) with the result types
        text = c.op_text.format(args=", ".join("%%a%d" % j for j in range(len(at))),
                                argtypes=", ".join(at), restypes=", ".join(rt),
                                restype=rt[0])
        lines.append("  " + text)
        if len(rt) == 1:
            lines.append("  return %%r : %s" % rt[0])
        else:
            lines.append("  return %s : %s" % (", ".join("%%r#%d" % k for k in range(len(rt))),
                                               ", ".join(rt)))
        lines.append("}")
    lines.append("func.func private @printMemrefF64(memref<*xf64>)")
    lines.append("func.func private @printMemrefF32(memref<*xf32>)")
    lines.append("func.func @main() {")
    for i, c in enumerate(cases):
        at, rt = c.arg_types(), c.res_types()
        names = []
        for j, a in enumerate(c.args):
            static = tensor_type(a.shape, MLIR_TYPE[a.dtype], False)
            lines.append("  %%c%d_%d = arith.constant %s" % (i, j, dense(a)))
            name = "%%c%d_%d" % (i, j)
            if at[j] != static:
                lines.append("  %%d%d_%d = tensor.cast %s : %s to %s" % (i, j, name, static, at[j]))
                name = "%%d%d_%d" % (i, j)
            names.append(name)
        lines.append("  %%o%d:%d = call @f%d(%s) : (%s) -> (%s)" % (
            i, len(rt), i, ", ".join(names), ", ".join(at), ", ".join(rt)))
        for k, e in enumerate(c.expected):
            elem = MLIR_TYPE[e.dtype]
            static = tensor_type(e.shape, elem, False)
            got = "%%o%d#%d" % (i, k)
            lines.append("  %%e%d_%d = arith.constant %s" % (i, k, dense(e)))
            exp = "%%e%d_%d" % (i, k)
            if rt[k] != static:
                lines.append("  %%ed%d_%d = tensor.cast %s : %s to %s" % (i, k, exp, static, rt[k]))
                exp = "%%ed%d_%d" % (i, k)
            lines.append("  %%x%d_%d = cst.axpby %s, %s {alpha = 1.0 : f64, beta = -1.0 : f64} : %s"
                         % (i, k, got, exp, rt[k]))
            for what, v in (("g", got), ("x", "%%x%d_%d" % (i, k))):
                mem = rt[k].replace("tensor<", "memref<")
                lines.append("  %%m%s%d_%d = bufferization.to_buffer %s : %s to %s"
                             % (what, i, k, v, rt[k], mem))
                lines.append("  %%u%s%d_%d = memref.cast %%m%s%d_%d : %s to memref<*x%s>"
                             % (what, i, k, what, i, k, mem, elem))
                lines.append("  call @printMemref%s(%%u%s%d_%d) : (memref<*x%s>) -> ()"
                             % (elem.upper(), what, i, k, elem))
    lines.append("  return")
    lines.append("}")
    return "\n".join(lines) + "\n"


NUMBER = re.compile(r"-?(?:inf|nan|\d+(?:\.\d*)?(?:e[-+]?\d+)?)")


def parse(output):
    """The printed memrefs: (sizes, values)."""
    out = []
    for chunk in output.split("Unranked Memref")[1:]:
        sizes = re.search(r"sizes = \[([^\]]*)\]", chunk).group(1)
        sizes = [int(s) for s in sizes.split(",") if s.strip()]
        data = chunk.split("data =", 1)[1]
        out.append((sizes, [float(v) for v in NUMBER.findall(data)]))
    return out


# ----------------------------------------------------------------------------
# Cases. Each builds the forward op in PyTorch and takes the gradient.

def grad(outputs, inputs, grad_outputs):
    return torch.autograd.grad(outputs, inputs, grad_outputs)


def rand(*shape, dtype=torch.float64):
    return torch.randn(*shape, dtype=dtype)


def case_elementwise():
    cases = []
    x, y = rand(3, 2, 4, 5), rand(3, 2, 4, 5)
    cases.append(Case("mul", "%r = cst.mul {args} : {restype}", [x, y], [True, True],
                      [x * y], [True]))
    v, w = rand(4), rand(4)
    cases.append(Case("mul_vector", "%r = cst.mul {args} : {restype}", [v, w], [False, False],
                      [v * w], [False]))
    s, t = rand(()), rand(())
    cases.append(Case("mul_scalar", "%r = cst.mul {args} : {restype}", [s, t], [False, False],
                      [s * t], [False]))
    x = rand(3, 2, 4, 5)
    x[0, 0, 0, :3] = torch.tensor([0.0, -0.0, 0.0])
    cases.append(Case("sign", "%r = cst.sign {args} : {restype}", [x], [True],
                      [torch.sign(x)], [True]))
    v = torch.tensor([1.5, 0.0, -2.0, -0.0, math.nan])  # PyTorch: sign(NaN) = 0
    cases.append(Case("sign_vector", "%r = cst.sign {args} : {restype}", [v], [False],
                      [torch.sign(v)], [False]))
    # embed: the gradient of a channel slice
    big = rand(3, 7, 4, 5).requires_grad_()
    dy = rand(3, 3, 4, 5)
    (g,) = grad(big[:, 2:5], big, dy)
    cases.append(Case("embed", "%r = cst.embed {args}[2] : ({argtypes}) -> {restype}",
                      [dy], [True], [g], [True]))
    (g,) = grad(big[:, 4:7], big, dy)
    cases.append(Case("embed_last", "%r = cst.embed {args}[4] : ({argtypes}) -> {restype}",
                      [dy], [True], [g], [True]))
    # reduce_channels: the gradient of a per-channel bias (sum dy), of a
    # per-channel scale (sum dy * x) and of a learned scalar (sum of all).
    x, dy = rand(3, 4, 5, 5), rand(3, 4, 5, 5)
    b = torch.zeros(4).requires_grad_()
    (g,) = grad(x + b.view(1, 4, 1, 1), b, dy)
    cases.append(Case("reduce_channels", "%r = cst.reduce_channels {args} {{scale = 1.0 : f64}}"
                      " : ({argtypes}) -> {restype}", [dy], [True], [g], [False]))
    sc = rand(4).requires_grad_()
    (g,) = grad(x * sc.view(1, 4, 1, 1) * -0.5, sc, dy)
    cases.append(Case("reduce_channels_other_scale",
                      "%r = cst.reduce_channels {args} {{scale = -0.5 : f64}}"
                      " : ({argtypes}) -> {restype}", [dy, x], [True, True], [g], [False]))
    c = rand(1).requires_grad_()
    (g,) = grad(x * c * 2.0, c, dy)
    cases.append(Case("reduce_channels_scalar",
                      "%r = cst.reduce_channels {args} {{scale = 2.0 : f64}}"
                      " : ({argtypes}) -> {restype}", [x, dy], [True, True], [g], [False]))
    x1 = rand(3, 1, 5, 5)
    dy1 = rand(3, 1, 5, 5)
    cases.append(Case("reduce_channels_one_channel",
                      "%r = cst.reduce_channels {args} {{scale = 1.0 : f64}}"
                      " : ({argtypes}) -> {restype}", [dy1], [True],
                      [dy1.sum((0, 2, 3))], [False]))
    # global average pooling
    x = rand(3, 4, 5, 6).requires_grad_()
    dy = rand(3, 4, 1, 1)
    (g,) = grad(F.adaptive_avg_pool2d(x, 1), x, dy)
    cases.append(Case("global_avg_pool_grad", "%r = cst.global_avg_pool_grad {args}"
                      " : ({argtypes}) -> {restype}", [dy], [True], [g], [True]))
    # shortcut (option A): x[:, :, ::s, ::s] with zero channels appended
    for s, cin, cout, hw in ((2, 3, 5, 7), (2, 4, 4, 8), (1, 2, 6, 5), (3, 2, 2, 7)):
        x = rand(2, cin, hw, hw).requires_grad_()
        sub = x[:, :, ::s, ::s]
        out = F.pad(sub, (0, 0, 0, 0, 0, cout - cin))
        dy = rand(*out.shape)
        (g,) = grad(out, x, dy)
        cases.append(Case("shortcut_grad_s%d_%dto%d" % (s, cin, cout),
                          "%r = cst.shortcut_grad {args} {{stride = " + str(s) + " : i64}}"
                          " : ({argtypes}) -> {restype}", [dy], [True], [g], [True]))
    # l1 penalty: weight * sum |x| / N
    x = rand(3, 2, 4, 4)
    x[1, 1, 2, :2] = 0.0
    x[2, 0, 0, 0] = math.nan  # abs' gradient there: 0
    x.requires_grad_()
    dl = torch.tensor(0.7)
    (g,) = grad(0.25 * x.abs().sum() / 3, x, dl)
    cases.append(Case("l1_norm_grad", "%r = cst.l1_norm_grad {args} {{weight = 0.25 : f64}}"
                      " : ({argtypes}) -> {restype}", [x.detach(), dl], [True, False], [g], [True]))
    return cases


def case_pool():
    cases = []
    # Max pooling: small integers so that windows tie often (the first
    # maximum in row-major order gets the gradient), negative values so
    # that padding would win if it could, overlapping windows.
    configs = [  # (k, s, p, H, W)
        (2, 2, 0, 6, 6), (3, 2, 1, 7, 7), (3, 1, 1, 5, 6), (2, 1, 0, 5, 5),
        (3, 2, 0, 8, 7), (2, 2, 1, 5, 5), (3, 3, 1, 7, 8), (1, 2, 0, 5, 5),
        # windows that tile the input (the vectorised lowering), with rows
        # and columns left over
        (2, 2, 0, 7, 7), (3, 3, 0, 8, 7),
    ]
    for k, s, p, H, W in configs:
        x = torch.randint(-3, 1, (2, 3, H, W)).double()
        x[0, 0] = -5.0  # a plane of ties
        x.requires_grad_()
        y = F.max_pool2d(x, k, s, p)
        dy = rand(*y.shape)
        (g,) = grad(y, x, dy)
        cases.append(Case("max_pool_grad_k%d_s%d_p%d_%dx%d" % (k, s, p, H, W),
                          "%%r = cst.max_pool_grad {args} {{kernel = %d : i64, stride = %d : i64,"
                          " padding = %d : i64}} : ({argtypes}) -> {restype}" % (k, s, p),
                          [x.detach(), y.detach(), dy], [True, True, True], [g], [True]))
    # -inf everywhere in a window: its first in-range pixel gets it.
    x = torch.randn(1, 1, 4, 4)
    x[0, 0, :2, :2] = -math.inf
    x.requires_grad_()
    y = F.max_pool2d(x, 3, 2, 1)
    dy = rand(*y.shape)
    (g,) = grad(y, x, dy)
    cases.append(Case("max_pool_grad_neg_inf",
                      "%r = cst.max_pool_grad {args} {{kernel = 3 : i64, stride = 2 : i64,"
                      " padding = 1 : i64}} : ({argtypes}) -> {restype}",
                      [x.detach(), y.detach(), dy], [True, True, True], [g], [True]))
    # float32, random values: overlapping windows, and windows that tile
    for name, (k, s, p, H, W) in [("max_pool_grad_f32", (3, 2, 1, 7, 7)),
                                  ("max_pool_grad_f32_tiled", (2, 2, 0, 6, 7))]:
        x = torch.randn(2, 3, H, W, dtype=torch.float32).requires_grad_()
        y = F.max_pool2d(x, k, s, p)
        dy = torch.randn(*y.shape, dtype=torch.float32)
        (g,) = grad(y, x, dy)
        cases.append(Case(name,
                          "%%r = cst.max_pool_grad {args} {{kernel = %d : i64, stride = %d : i64,"
                          " padding = %d : i64}} : ({argtypes}) -> {restype}" % (k, s, p),
                          [x.detach(), y.detach(), dy], [True, True, True], [g], [True]))
    # Average pooling, zero padding counted (PyTorch's default).
    for k, s, p, H, W in configs:
        x = rand(2, 3, H, W).requires_grad_()
        y = F.avg_pool2d(x, k, s, p, count_include_pad=True)
        dy = rand(*y.shape)
        (g,) = grad(y, x, dy)
        cases.append(Case("avg_pool_grad_k%d_s%d_p%d_%dx%d" % (k, s, p, H, W),
                          "%%r = cst.avg_pool_grad {args} {{kernel = %d : i64, stride = %d : i64,"
                          " padding = %d : i64}} : ({argtypes}) -> {restype}" % (k, s, p),
                          [dy], [True], [g], [True]))
    return cases


def case_batch_norm():
    cases = []
    for dtype, C, H, W in ((torch.float64, 3, 4, 5), (torch.float64, 1, 3, 3),
                           (torch.float32, 4, 5, 5)):
        x = (torch.randn(3, C, H, W, dtype=dtype) * 2 + 0.5).requires_grad_()
        w = torch.randn(C, dtype=dtype).requires_grad_()
        b = torch.randn(C, dtype=dtype).requires_grad_()
        eps = 1e-5
        y = F.batch_norm(x, None, None, w, b, training=True, eps=eps)
        dy = torch.randn(*y.shape, dtype=dtype)
        gx, gw, gb = grad(y, (x, w, b), dy)
        xd = x.detach()
        mean = xd.mean((0, 2, 3))
        inv = 1.0 / torch.sqrt(xd.var((0, 2, 3), unbiased=False) + eps)
        cases.append(Case("batch_norm_grad_%s_c%d" % (MLIR_TYPE[dtype], C),
                          "%r:3 = cst.batch_norm_grad {args} : ({argtypes}) -> ({restypes})",
                          [xd, dy, w.detach(), mean, inv], [True, True, False, False, False],
                          [gx, gw, gb], [True, False, False]))
    return cases


def case_linear_loss():
    cases = []
    for C, H, W, O in ((4, 2, 3, 5), (6, 1, 1, 3)):
        x = rand(3, C, H, W).requires_grad_()
        wt = rand(O, C * H * W).requires_grad_()
        y = F.linear(x.flatten(1), wt).view(3, O, 1, 1)
        dy = rand(3, O, 1, 1)
        gx, gw = grad(y, (x, wt), dy)
        cases.append(Case("linear_grad_input_%dx%dx%d" % (C, H, W),
                          "%r = cst.linear_grad_input {args} : ({argtypes}) -> {restype}",
                          [dy, wt.detach()], [True, False], [gx], [True]))
        cases.append(Case("linear_grad_weight_%dx%dx%d" % (C, H, W),
                          "%r = cst.linear_grad_weight {args} : ({argtypes}) -> {restype}",
                          [x.detach(), dy], [True, True], [gw], [False]))
    for dtype, N, K in ((torch.float64, 4, 10), (torch.float64, 1, 3), (torch.float32, 5, 7)):
        z = (torch.randn(N, K, 1, 1, dtype=dtype) * 3).requires_grad_()
        z.data[0, 0] = 40.0  # large logits: the row max keeps exp finite
        labels = torch.randint(0, K, (N,))
        dl = torch.tensor(1.3, dtype=dtype)
        (g,) = grad(F.cross_entropy(z.view(N, K), labels), z, dl)
        cases.append(Case("softmax_cross_entropy_grad_%s_n%d" % (MLIR_TYPE[dtype], N),
                          "%r = cst.softmax_cross_entropy_grad {args} : ({argtypes}) -> {restype}",
                          [z.detach(), labels, dl], [True, True, False], [g], [True]))
    return cases


GROUPS = {"elementwise": case_elementwise, "pool": case_pool,
          "batch_norm": case_batch_norm, "linear_loss": case_linear_loss}


def main():
    group, tmp, csc_opt = sys.argv[1:4]
    cases = GROUPS[group]()
    os.makedirs(tmp, exist_ok=True)
    src = os.path.join(tmp, group + ".mlir")
    with open(src, "w") as f:
        f.write(module(cases))
    llvm = subprocess.run([csc_opt, src, "--cscc-cst-to-llvm"], capture_output=True, text=True)
    if llvm.returncode != 0:
        sys.exit("csc-opt failed on %s:\n%s" % (src, llvm.stderr))
    runner = shutil.which("mlir-runner")
    if not runner:
        sys.exit("mlir-runner is not on PATH (lit puts LLVM's tools there)")
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
        sys.exit("mlir-runner failed:\n%s" % run.stderr)
    printed = parse(run.stdout)
    want = sum(2 * len(c.expected) for c in cases)
    if len(printed) != want:
        sys.exit("expected %d printed memrefs, got %d" % (want, len(printed)))
    failed = 0
    it = iter(printed)
    for c in cases:
        bad, worst_rel = [], 0.0
        for k, e in enumerate(c.expected):
            (gs, got), (ds, diff) = next(it), next(it)
            ev = e.double().reshape(-1).tolist()
            if gs != list(e.shape) or ds != list(e.shape) or len(got) != len(ev):
                bad.append("result %d: shape %s, expected %s" % (k, gs, list(e.shape)))
                continue
            scale = 1.0 + max(abs(v) for v in ev)
            worst = max(math.inf if math.isnan(d) else abs(d) for d in diff)
            worst_rel = max(worst_rel, worst / scale)
            if not worst <= c.tol * scale:
                bad.append("result %d: max |got - expected| = %g > %g" % (k, worst, c.tol * scale))
            # the printed values (6 digits) agree too: the difference is of
            # what was meant
            for g, v in zip(got, ev):
                if not abs(g - v) <= 1e-5 * abs(v) + c.tol * scale:
                    bad.append("result %d: printed %r, expected %r" % (k, g, v))
                    break
        if bad:
            failed += 1
            print("FAIL %s: %s" % (c.name, "; ".join(bad)))
        else:
            print("ok %s (max |difference| / (1 + max |expected|): %.1e)" % (c.name, worst_rel))
    if failed:
        sys.exit("%d of %d cases failed (module: %s)" % (failed, len(cases), src))


if __name__ == "__main__":
    main()
