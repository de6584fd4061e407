#!/usr/bin/python3
"""Where a train step's memory goes: the buffers of cscc's compiled
@train_update and @evaluate, per image of the batch, next to the tensors
PyTorch's autograd saves for the backward pass of the same model.

    bench/step_memory.py [--bin build/bin] [--batch 128]
        [--models fmnist,fmnist_d6u2,two_dilations] [--no-torch]
        [--check-peak R]

For each model the script compiles the file the way `cscc train` does
(`cscc --emit=mlir`, then csc-opt: `--cscc-to-cst=mode=train`,
`--cst-autodiff`, `--cst-optimizer` with SGD Nesterov momentum, or
`--cscc-to-cst=mode=eval --cst-code-sparsity` for @evaluate, then
`--cscc-cst-to-llvm`) and takes each function as it is right before
`cscc-copy-to-linalg`: bufferized, with its deallocations placed, before
the loops. It then walks the function in program order: every
`memref.alloc` adds its size, every `memref.dealloc` subtracts it.

Columns (bytes per image: a buffer of type memref<?xCxHxWxf32> is
C*H*W*4 bytes per image; buffers without a batch dimension -- parameter
gradients, per-channel statistics -- are a few KiB in all, added in at the
batch size given and divided by it):

  allocs     number of memref.alloc in the function
  sum        all of them together: the peak if nothing were freed early
  peak       the most bytes simultaneously live while walking the function
  at loss    bytes live when the forward pass ends (the first op that
             writes the loss result): what the step keeps for its backward
             pass (plus anything not freed yet)
  copies     bytes per image moved by memref.copy
  eval peak  the same peak in @evaluate (eval mode, no backward)
  torch saved  the distinct storage of the (non-parameter) tensors PyTorch
             autograd saves for backward (torch.autograd.graph.
             saved_tensors_hooks) on test/reference/csc_reference.py's model
             in train mode, loss = cross-entropy + the model's l1 penalties

Ratios are cscc / PyTorch. Needs the Python with torch for the last
column (the repository's .venv, or Debian's /usr/bin/python3); --no-torch
skips it.
"""

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import train_cpu  # noqa: E402  (MODELS, label, defs, summary, reference)

ELEM = {"f32": 4, "f64": 8, "i64": 8, "i32": 4, "i1": 1, "i8": 1,
        "index": 8, "f16": 2, "bf16": 2}

ALLOC = re.compile(r"^\s*(%[\w.$-]+) = memref\.alloc\(.*:\s*(memref<[^>]*>)\s*$")
DEALLOC = re.compile(r"^\s*memref\.dealloc (%[\w.$-]+)\s*:")
COPY = re.compile(r"^\s*memref\.copy .*:\s*(memref<[^>]*?>)(?:\s*to\b|$)")


def memref_bytes(ty):
    """memref<?x16x28x28xf32...> -> (bytes per image, fixed bytes): the
    first form when the leading dimension is dynamic (the batch)."""
    body = ty[len("memref<"):].split(",")[0].rstrip(">").strip()
    parts = body.split("x")
    elem = ELEM[parts[-1]]
    dims = parts[:-1]
    if any(d == "?" for d in dims[1:]):
        sys.exit("bench: a dynamic dimension other than the batch: " + ty)
    n = elem * math.prod(int(d) for d in dims if d != "?")
    return (n, 0) if dims and dims[0] == "?" else (0, n)


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kw)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    return p


def buffer_function(bindir, path, overrides, train, name, tmp):
    """The text of function @name right before cscc-copy-to-linalg."""
    csc = os.path.join(tmp, "model.mlir")
    with open(csc, "w") as f:
        f.write(run([os.path.join(bindir, "cscc"), "--emit=mlir", path] +
                    train_cpu.defs(overrides)).stdout)
    if train:
        front = ["--cscc-to-cst=mode=train", "--cst-autodiff",
                 "--cst-optimizer=optimizer=sgd momentum=true nesterov=true"]
    else:
        front = ["--cscc-to-cst=mode=eval", "--cst-code-sparsity"]
    # Function passes print one function at a time before each run.
    p = run([os.path.join(bindir, "csc-opt"), csc] + front +
            ["--cscc-cst-to-llvm", "--mlir-disable-threading",
             "--mlir-print-ir-before=cscc-copy-to-linalg", "-o", os.devnull])
    dumps = p.stderr.split("// -----// IR Dump Before ")
    for d in dumps:
        if re.search(r"func\.func @%s\(" % name, d):
            return d
    sys.exit("bench: no @%s in the dump of %s" % (name, path))


def walk(text, batch):
    """-> dict of the function's allocation figures (bytes at `batch`)."""
    header = next(l for l in text.splitlines() if "func.func @" in l)
    m = re.search(r"(%arg\d+): memref<f32> \{cscc\.result = 1 : i64\}", header)
    loss_arg = m.group(1) if m else None
    live = {}
    cur = peak = total = copies = 0
    at_loss = None
    allocs = 0
    for line in text.splitlines():
        a = ALLOC.match(line)
        if a:
            per, fixed = memref_bytes(a.group(2))
            b = per * batch + fixed
            live[a.group(1)] = b
            cur += b
            total += b
            allocs += 1
            peak = max(peak, cur)
            continue
        d = DEALLOC.match(line)
        if d:
            cur -= live.pop(d.group(1), 0)
            continue
        c = COPY.match(line)
        if c:
            per, fixed = memref_bytes(c.group(1))
            copies += per * batch + fixed
        if (at_loss is None and loss_arg and "func.func" not in line and
                re.search(r"outs\([^)]*%s\b" % re.escape(loss_arg), line)):
            at_loss = cur
    return {"allocs": allocs, "sum": total / batch, "peak": peak / batch,
            "at_loss": (at_loss if at_loss is not None else float("nan")) /
            batch, "copies": copies / batch, "left": cur / batch}


def torch_saved(path, rel, overrides, batch, bindir):
    """Distinct bytes per image of the non-parameter tensors autograd saves
    for one train-mode loss of the reference model."""
    import torch
    import torch.nn.functional as F
    import csc_reference as R  # on train_cpu's sys.path
    torch.manual_seed(0)
    pens, _ = train_cpu.summary(os.path.join(bindir, "cscc"), path, overrides)
    net = R.build_example(rel, **overrides).float().train()
    pen_ids = [(net.layer_names.index(n) + 1, w) for n, w in pens]
    params = {p.storage().data_ptr() for p in net.parameters()}
    first = next(net.parameters())
    in_shape = net.in_shape
    x = torch.randn((batch,) + in_shape, dtype=first.dtype)
    y = torch.randint(0, 10, (batch,))
    seen = {}

    def pack(t):
        if isinstance(t, torch.Tensor):
            s = t.storage()
            if s.data_ptr() not in params:
                seen[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        vals = net(x, return_all=True)
        out = vals[-1].reshape(batch, -1)
        loss = F.cross_entropy(out, y)
        for t, w in pen_ids:
            loss = loss + w * vals[t].abs().sum() / batch
    loss.backward()
    return sum(seen.values()) / batch


def kib(b):
    return "%.1f" % (b / 1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"),
                    help="directory with cscc and csc-opt")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--models", default=train_cpu.DEFAULT_MODELS)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--check-peak", type=float, metavar="R",
                    help="fail unless each train step's peak is at most R "
                    "times what it holds when the forward pass ends (the "
                    "lit test's check that buffers are freed early)")
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.models.split(","):
            rel, overrides, _ = train_cpu.MODELS[key]
            path = os.path.join(ROOT, "examples", rel)
            tr = walk(buffer_function(args.bin, path, overrides, True,
                                      "train_update", tmp), args.batch)
            ev = walk(buffer_function(args.bin, path, overrides, False,
                                      "forward", tmp), args.batch)
            ts = (float("nan") if args.no_torch else
                  torch_saved(path, rel, overrides, args.batch, args.bin))
            rows.append((train_cpu.label(rel, overrides), tr, ev, ts))

    print("cscc: %s, batch %d; KiB per image" % (args.bin, args.batch))
    print()
    print("| model | allocs | sum | peak | at loss | copies | eval peak | "
          "torch saved | peak / torch saved | at loss / torch saved |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, tr, ev, ts in rows:
        print("| %s | %d | %s | %s | %s | %s | %s | %s | %.2f | %.2f |" % (
            name, tr["allocs"], kib(tr["sum"]), kib(tr["peak"]),
            kib(tr["at_loss"]), kib(tr["copies"]), kib(ev["peak"]), kib(ts),
            tr["peak"] / ts, tr["at_loss"] / ts))
    if args.check_peak is not None:
        bad = [(n, tr["peak"] / tr["at_loss"]) for n, tr, _, _ in rows
               if not tr["peak"] <= args.check_peak * tr["at_loss"]]
        for n, r in bad:
            print("FAIL: %s: peak / at loss = %.2f > %g" % (n, r,
                                                          args.check_peak))
        if bad:
            sys.exit(1)
        print("PASS: peak / at loss <= %g" % args.check_peak)


if __name__ == "__main__":
    main()
