"""Independent checks of the training runtime's files (runtime/include/
cscc/Runtime/{Checkpoint,Metrics,Progress}.h) written by cscc-runtime-check:
PyTorch and PyPI's safetensors read the checkpoints, json the metrics,
xml.etree the curves; the expected values come from the closed-form
formulas of tools/cscc-runtime-check/TrainingChecks.cpp, re-implemented
here.

  train_util.py ckpt-verify DIR TAG SEED f32|f64 STEP EPOCH [K=V]...
      the pair checkpoint-write wrote, loaded with safetensors.torch and
      into torch modules; K=V: the extra entries expected
  train_util.py ckpt-write-torch DIR TAG SEED
      a checkpoint pair made by PyTorch (a real SGD/Adam step) and saved
      with safetensors.torch.save_file
  train_util.py ckpt-compare-read DIR TAG OUTPUT
      OUTPUT (checkpoint-read --values of that pair) holds exactly its
      tensors and state
  train_util.py kill-loop TOOL DIR ROUNDS BIG
      saves killed (SIGKILL) at random moments leave a loadable checkpoint
  train_util.py set-meta FILE KEY=VALUE|-KEY...   rewrite FILE's metadata
  train_util.py metrics-verify FILE [--no-val] [--test-every N] A-B:V...
      FILE holds epochs A..B of variant V (metricsDemoRecord), in order
  train_util.py curves-verify SVG METRICS_JSONL TITLE
      the picture's lines map back (through its tick labels) to the data
  train_util.py progress-expect MODE EPOCHS BATCHES BS SPB [NOTE_AT [FIRST]]
      the output `progress` must write (stdout, bytes) on its fake clock
  train_util.py progress-tty OUT TOOL ARGS...
      runs TOOL ARGS on a pseudo-terminal; prints the mode it chose and
      writes what it wrote there to OUT
"""
import json
import math
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

M64 = (1 << 64) - 1


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


# ---------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------

def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def ckpt_value(seed, k, i):
    h = splitmix64((seed * 1000003 + k * 65536 + i) & M64)
    return (h >> 11) * 2.0 ** -53 * 2 - 1


# (name, shape, kind, positive): kind "w" = the weights' dtype, "f64",
# "step" = I64 holding the step. Same order as TrainingChecks.cpp: k is the
# index in WEIGHTS + OPTIMIZER.
WEIGHTS = [
    ("conv0.weight", (4, 2, 3, 3), "w", False),
    ("conv0.bias", (4,), "w", False),
    ("bn1.weight", (4,), "w", False),
    ("bn1.bias", (4,), "w", False),
    ("bn1.running_mean", (4,), "w", False),
    ("bn1.running_var", (4,), "w", True),
    ("linear2.weight", (3, 4), "w", False),
    ("linear2.bias", (3,), "w", False),
    ("g0.c", (), "w", False),
]
OPTIMIZER = [
    ("conv0.weight.momentum_buffer", (4, 2, 3, 3), "w", False),
    ("conv0.bias.momentum_buffer", (4,), "w", False),
    ("bn1.weight.momentum_buffer", (4,), "w", False),
    ("bn1.bias.momentum_buffer", (4,), "w", False),
    ("linear2.weight.exp_avg", (3, 4), "f64", False),
    ("linear2.weight.exp_avg_sq", (3, 4), "f64", True),
    ("linear2.bias.momentum_buffer", (3,), "w", False),
    ("g0.c.momentum_buffer", (), "w", False),
    ("step", (), "step", False),
]


def expected_tensors(seed, dtype, step):
    import numpy as np
    import torch
    w, o = {}, {}
    for k, (name, shape, kind, positive) in enumerate(WEIGHTS + OPTIMIZER):
        n = int(np.prod(shape)) if shape else 1
        if kind == "step":
            t = torch.full(shape, step, dtype=torch.int64)
        else:
            vals = [ckpt_value(seed, k, i) for i in range(n)]
            if positive:
                vals = [0.5 + abs(v) for v in vals]
            arr = np.array(vals, dtype=np.float64).reshape(shape)
            if kind == "w" and dtype == "f32":
                arr = arr.astype(np.float32)
            t = torch.from_numpy(arr)
        (w if k < len(WEIGHTS) else o)[name] = t
    return w, o


def rng_state_text(seed, draws):
    """Rng::state() after `draws` engine outputs of the Box-Muller normals
    (libstdc++'s mt19937_64 text: the 312 words, the index), then the
    pending spare normal: ' HAS BITS'."""
    from init_check import MT19937_64
    g = MT19937_64(seed)
    spare = None
    for _ in range(draws // 2):
        u1 = (g.next() >> 11) * 2.0 ** -53
        u2 = (g.next() >> 11) * 2.0 ** -53
        r = math.sqrt(-2.0 * math.log(1.0 - u1))
        spare = r * math.sin(2.0 * math.pi * u2)
    words = " ".join(str(x) for x in g.mt) + " " + str(g.i)
    return g, words, spare


def next_normal(g):
    u1 = (g.next() >> 11) * 2.0 ** -53
    u2 = (g.next() >> 11) * 2.0 ** -53
    r = math.sqrt(-2.0 * math.log(1.0 - u1))
    return r * math.cos(2.0 * math.pi * u2)


def double_bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def tiny_modules(dtype):
    """Modules whose state_dict names are checkpoint-write's weights: one
    with a BatchNorm like cscc's (no num_batches_tracked), one with
    torch.nn.BatchNorm2d (which has it)."""
    import torch
    from torch import nn

    class CsccBatchNorm(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(c))
            self.bias = nn.Parameter(torch.zeros(c))
            self.register_buffer("running_mean", torch.zeros(c))
            self.register_buffer("running_var", torch.ones(c))

        def forward(self, x):
            return torch.nn.functional.batch_norm(
                x, self.running_mean, self.running_var, self.weight,
                self.bias, self.training)

    class Step(nn.Module):
        def __init__(self):
            super().__init__()
            self.c = nn.Parameter(torch.tensor(0.1))

    class Tiny(nn.Module):
        def __init__(self, torch_bn):
            super().__init__()
            self.conv0 = nn.Conv2d(2, 4, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(4) if torch_bn else CsccBatchNorm(4)
            self.linear2 = nn.Linear(4, 3)
            self.g0 = Step()

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv0(x)) * self.g0.c)
            return self.linear2(y.mean(dim=(2, 3)))

    dt = torch.float64 if dtype == "f64" else torch.float32
    return Tiny(False).to(dt), Tiny(True).to(dt)


def metadata(path):
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        return f.metadata() or {}


def ckpt_verify(d, tag, seed, dtype, step, epoch, extras):
    import torch
    from safetensors.torch import load_file
    wpath = os.path.join(d, tag + ".safetensors")
    tpath = os.path.join(d, tag + ".train.safetensors")
    w = load_file(wpath)
    o = load_file(tpath)
    ew, eo = expected_tensors(seed, dtype, step)
    for what, got, want in (("weights", w, ew), ("optimizer", o, eo)):
        if sorted(got) != sorted(want):
            fail(f"{what} names {sorted(got)} != {sorted(want)}")
        for name, t in want.items():
            g = got[name]
            if g.dtype != t.dtype or tuple(g.shape) != tuple(t.shape):
                fail(f"{name}: {g.dtype} {tuple(g.shape)} != {t.dtype} "
                     f"{tuple(t.shape)}")
            if not torch.equal(g, t):
                fail(f"{name}: values differ (max "
                     f"{(g.double() - t.double()).abs().max().item()})")
    mw, mt = metadata(wpath), metadata(tpath)
    if mw.get("format") != "pt":
        fail(f"weights metadata format {mw.get('format')!r} != 'pt'")
    for m, path in ((mw, wpath), (mt, tpath)):
        for k, v in (("cscc.version", "1"), ("cscc.step", str(step)),
                     ("cscc.epoch", str(epoch))):
            if m.get(k) != v:
                fail(f"{path}: {k} = {m.get(k)!r}, want {v!r}")
        if not re.fullmatch(r"[0-9a-f]{16}", m.get("cscc.save_id", "")):
            fail(f"{path}: save_id {m.get('cscc.save_id')!r}")
        ex = {k[6:]: v for k, v in m.items() if k.startswith("extra.")}
        if ex != extras:
            fail(f"{path}: extras {ex} != {extras}")
    if mw["cscc.save_id"] != mt["cscc.save_id"]:
        fail("save ids differ")
    # The TrainState; the random state after 6 engine outputs (5 normals,
    # the 6th pending), independently computed.
    if mt.get("cscc.seed") != str(seed):
        fail(f"seed {mt.get('cscc.seed')!r}")
    g, words, spare = rng_state_text(seed, 6)
    want_rng = words + " 1 " + str(double_bits(spare))
    if mt.get("cscc.rng_state") != want_rng:
        fail("rng_state differs from mt19937_64 after 6 outputs: "
             f"{mt.get('cscc.rng_state')[-60:]!r} vs {want_rng[-60:]!r}")
    # Into torch modules by name.
    mine, torchs = tiny_modules(dtype)
    res = mine.load_state_dict(w, strict=True)
    for name, t in mine.state_dict().items():
        if not torch.equal(t, ew[name]):
            fail(f"module {name} differs after load_state_dict")
    # torch.nn.BatchNorm2d: a state dict without num_batches_tracked (and
    # without version metadata) loads strictly; the counter becomes 0.
    torchs.load_state_dict(w, strict=True)
    if not torch.equal(torchs.bn1.running_var, ew["bn1.running_var"]):
        fail("nn.BatchNorm2d running_var differs")
    y = mine(torch.ones(2, 2, 5, 5, dtype=mine.conv0.weight.dtype))
    if tuple(y.shape) != (2, 3) or not torch.isfinite(y).all():
        fail("forward of the loaded module")
    print(f"CKPT-OK {len(w)} weights {len(o)} optimizer tensors "
          f"{dtype} step {step} epoch {epoch}")


def ckpt_write_torch(d, tag, seed):
    import torch
    from safetensors.torch import save_file
    torch.manual_seed(seed)
    model, _ = tiny_modules("f32")
    with torch.no_grad():
        model.bn1.running_mean.uniform_(-1, 1)
        model.bn1.running_var.uniform_(0.5, 2)
    x = torch.randn(3, 2, 5, 5)
    labels = torch.tensor([0, 2, 1])
    sgd = torch.optim.SGD([p for n, p in model.named_parameters()
                           if not n.startswith("linear2.weight")],
                          lr=0.1, momentum=0.9)
    adam = torch.optim.Adam([model.linear2.weight], lr=0.01)
    for _ in range(2):
        loss = torch.nn.functional.cross_entropy(model(x), labels)
        sgd.zero_grad()
        adam.zero_grad()
        loss.backward()
        sgd.step()
        adam.step()
    weights = {k: v.detach().clone().contiguous()
               for k, v in model.state_dict().items()}
    names = {id(p): n for n, p in model.named_parameters()}
    opt = {}
    for p, st in sgd.state.items():
        opt[names[id(p)] + ".momentum_buffer"] = st["momentum_buffer"].clone()
    st = adam.state[model.linear2.weight]
    opt["linear2.weight.exp_avg"] = st["exp_avg"].double()
    opt["linear2.weight.exp_avg_sq"] = st["exp_avg_sq"].double()
    opt["step"] = torch.tensor(2, dtype=torch.int64)
    os.makedirs(d, exist_ok=True)
    _, words, _ = rng_state_text(seed, 4)
    common = {"cscc.version": "1", "cscc.step": "2", "cscc.epoch": "1",
              "cscc.save_id": "0123456789abcdef", "extra.model": "torch-made"}
    save_file(weights, os.path.join(d, tag + ".safetensors"),
              metadata=dict(common, format="pt"))
    save_file(opt, os.path.join(d, tag + ".train.safetensors"),
              metadata=dict(common, **{
                  "cscc.seed": str(seed), "cscc.rng_state": words + " 0 0",
                  "cscc.best_accuracy": "0.1", "cscc.best_epoch": "1"}))
    print(f"TORCH-WROTE {len(weights)} weights {len(opt)} optimizer tensors")


def ckpt_compare_read(d, tag, output):
    import torch
    from safetensors.torch import load_file
    w = load_file(os.path.join(d, tag + ".safetensors"))
    o = load_file(os.path.join(d, tag + ".train.safetensors"))
    mt = metadata(os.path.join(d, tag + ".train.safetensors"))
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    seen = {"weight": set(), "optimizer": set()}
    state = {}
    with open(output) as f:
        lines = f.read().splitlines()
    for line in lines:
        parts = line.split(" ")
        if parts[0] == "state":
            state[parts[1]] = " ".join(parts[2:])
            continue
        if parts[0] == "extra":
            state["extra." + parts[1]] = " ".join(parts[3:])
            continue
        if parts[0] not in seen:
            fail("unexpected line " + line[:80])
        m = re.fullmatch(r"(\w+) (\S+) (\w+) \[([0-9, ]*)\] sum (\S+) "
                         r"values ?(.*)", line)
        if not m:
            fail("unparsed line " + line[:80])
        kind, name, dt, shape, _, values = m.groups()
        t = (w if kind == "weight" else o).get(name)
        if t is None:
            fail(f"{kind} {name} is not in the file")
        seen[kind].add(name)
        if names[t.dtype] != dt:
            fail(f"{name}: dtype {dt} != {names[t.dtype]}")
        if tuple(int(s) for s in shape.split(", ") if s) != tuple(t.shape):
            fail(f"{name}: shape [{shape}] != {tuple(t.shape)}")
        want = t.flatten().tolist()
        got = [int(v) if t.dtype == torch.int64 else float(v)
               for v in values.split()]
        if got != want:
            fail(f"{name}: values differ")
    if seen["weight"] != set(w) or seen["optimizer"] != set(o):
        fail("not every tensor was printed")
    for k, v in (("epoch", mt["cscc.epoch"]), ("step", mt["cscc.step"]),
                 ("seed", mt["cscc.seed"]),
                 ("best_epoch", mt["cscc.best_epoch"])):
        if state.get(k) != v:
            fail(f"state {k} = {state.get(k)!r}, want {v!r}")
    extras = {k: v for k, v in state.items() if k.startswith("extra.")}
    if extras != {k: v for k, v in mt.items() if k.startswith("extra.")}:
        fail(f"extras {extras}")
    if float(state["best_accuracy"]) != float(mt["cscc.best_accuracy"]):
        fail("best_accuracy")
    if state.get("rng_state") != mt["cscc.rng_state"]:
        fail("rng_state")
    # The next normal of a generator in the file's state: the pending spare,
    # or the next Box-Muller pair's first value.
    from init_check import MT19937_64
    toks = [int(x) for x in mt["cscc.rng_state"].split()]
    if len(toks) != 315:
        fail(f"rng_state has {len(toks)} numbers, want 312 + index + 2")
    g = MT19937_64(0)
    g.mt, g.i = toks[:312], toks[312]
    want = struct.unpack("<d", struct.pack("<Q", toks[314]))[0] \
        if toks[313] else next_normal(g)
    if float(state["rng_next_normal"]) != want:
        fail(f"rng_next_normal {state['rng_next_normal']} != {want}")
    print(f"READ-OK {len(w)} weights {len(o)} optimizer tensors, state and "
          "random state equal")


def kill_loop(tool, d, rounds, big):
    """Saves checkpoints of steps 1, 2, ... (seed = step) and kills each
    writer with SIGKILL at a random moment; after each, the checkpoint must
    load (checkpoint-read) as the last completed save or the new one, and
    the pair it loaded must hold exactly that save's tensors."""
    import random
    import time
    import torch
    from safetensors.torch import load_file
    rnd = random.Random(1)

    def write(step, crash=None):
        return subprocess.Popen(
            [tool, "checkpoint-write", d, "last", "--seed", str(step),
             "--step", str(step), "--big", str(big)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    t0 = time.monotonic()
    if write(1).wait() != 0:
        fail("first save failed")
    took = time.monotonic() - t0
    done = 1
    outcomes = {"old": 0, "new": 0, "recovered": 0}
    for step in range(2, rounds + 2):
        p = write(step)
        time.sleep(rnd.uniform(0, 2 * took))
        p.kill()
        rc = p.wait()
        r = subprocess.run([tool, "checkpoint-read", d, "last"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"round {step}: the checkpoint does not load: {r.stderr}")
        got = int(re.search(r"^state step (\d+)$", r.stdout, re.M).group(1))
        recovered = r.stdout.startswith("recovered:")
        if got not in (done, step) or (rc == 0 and got != step):
            fail(f"round {step}: loaded step {got} (last completed {done}, "
                 f"writer status {rc})")
        wpath = os.path.join(d, "last.safetensors")
        tpath = os.path.join(d, "last.train.safetensors" +
                             (".prev" if recovered else ""))
        mw, mt = metadata(wpath), metadata(tpath)
        if mw["cscc.step"] != str(got) or mt["cscc.step"] != str(got) or \
                mw["cscc.save_id"] != mt["cscc.save_id"]:
            fail(f"round {step}: the loaded pair is not one save")
        ew, eo = expected_tensors(got, "f32", got)
        ew["big.weight"] = torch.full((big,), float(got))
        eo["big.weight.momentum_buffer"] = torch.full((big,), -float(got))
        for path, want in ((wpath, ew), (tpath, eo)):
            have = load_file(path)
            if sorted(have) != sorted(want) or not all(
                    torch.equal(have[k], v) for k, v in want.items()):
                fail(f"round {step}: {path} does not hold step {got}")
        outcomes["recovered" if recovered else
                 "new" if got == step else "old"] += 1
        done = got
    # A completed save after all that leaves just the pair.
    if write(rounds + 2).wait() != 0:
        fail("final save failed")
    left = sorted(os.listdir(d))
    if left != ["last.safetensors", "last.train.safetensors"]:
        fail(f"files left: {left}")
    print(f"KILL-OK {rounds} rounds", file=sys.stdout)
    print(f"outcomes {outcomes}", file=sys.stderr)


def set_meta(path, edits):
    from safetensors.torch import load_file, save_file
    t = load_file(path)
    m = metadata(path)
    for e in edits:
        if e.startswith("-"):
            m.pop(e[1:], None)
        else:
            k, v = e.split("=", 1)
            m[k] = v
    save_file(t, path, metadata=m)


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------

KEYS = ["epoch", "step", "lr", "seconds", "images_per_second", "train_loss",
        "train_accuracy", "val_loss", "val_accuracy", "test_loss",
        "test_accuracy", "sparsity"]


def demo_record(e, v, val, test_every):
    """metricsDemoRecord of TrainingChecks.cpp; None for null."""
    E, V = float(e), float(v)
    tl = 2.3 / (1 + 0.5 * E) + 0.01 * V
    ta = 1 - 0.9 / (1 + 0.4 * E) - 0.001 * V
    test = test_every > 0 and e % test_every == 0
    return {
        "epoch": e, "step": e * 50, "lr": 0.1 * 0.5 ** (E - 1),
        "seconds": 10 + E + 0.25 * V, "images_per_second": 1000 + 10 * E + V,
        "train_loss": tl, "train_accuracy": ta,
        "val_loss": tl + 0.05 if val else None,
        "val_accuracy": ta - 0.02 if val else None,
        "test_loss": tl + 0.08 if test else None,
        "test_accuracy": ta - 0.03 if test else None,
        "sparsity": {"g.1": 0.25 + 0.01 * E, "g.0": 0.5, "a.z": 0.125 * V},
    }


def metrics_verify(path, args):
    val, test_every, specs = True, 1, []
    i = 0
    while i < len(args):
        if args[i] == "--no-val":
            val = False
        elif args[i] == "--test-every":
            test_every = int(args[i + 1])
            i += 1
        else:
            specs.append(args[i])
        i += 1
    want = []
    for s in specs:
        m = re.fullmatch(r"(\d+)-(\d+):(\d+)", s)
        a, b, v = map(int, m.groups())
        want += [demo_record(e, v, val, test_every) for e in range(a, b + 1)]
    with open(path) as f:
        text = f.read()
    if text and not text.endswith("\n"):
        fail("the file does not end with a newline")
    lines = text.splitlines()
    if len(lines) != len(want):
        fail(f"{len(lines)} lines, want {len(want)}")
    for n, (line, w) in enumerate(zip(lines, want), 1):
        got = json.loads(line, object_pairs_hook=lambda p: p)
        keys = [k for k, _ in got]
        if keys != KEYS:
            fail(f"line {n}: keys {keys}")
        got = dict(got)
        sp = got["sparsity"]
        if [k for k, _ in sp] != list(w["sparsity"]):
            fail(f"line {n}: sparsity keys {[k for k, _ in sp]} (order kept?)")
        got["sparsity"] = dict(sp)
        for k in KEYS:
            g, x = got[k], w[k]
            if k == "sparsity":
                if g != x:
                    fail(f"line {n}: sparsity {g} != {x}")
            elif x is None:
                if g is not None:
                    fail(f"line {n}: {k} = {g}, want null")
            elif isinstance(x, int):
                if g != x or not isinstance(g, int):
                    fail(f"line {n}: {k} = {g!r}, want {x}")
            elif not isinstance(g, float) or g != x:
                fail(f"line {n}: {k} = {g!r}, want {x!r}")
    print("METRICS-OK epochs " + " ".join(str(w["epoch"]) for w in want))


# ---------------------------------------------------------------------------
# Curves
# ---------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def fit(ticks, what):
    """value = a * pixel + b from the ticks (pixel, value); checks that every
    tick lies on the line."""
    if len(ticks) < 2:
        fail(f"{what}: {len(ticks)} ticks")
    (p0, v0), (p1, v1) = ticks[0], ticks[-1]
    a = (v1 - v0) / (p1 - p0)
    b = v0 - a * p0
    for p, v in ticks:
        if abs(a * p + b - v) > 1e-3 * abs(v1 - v0):
            fail(f"{what}: tick {v} at {p} is off the axis' scale")
    return a, b, abs(v1 - v0)


def curves_verify(svg_path, metrics_path, title):
    root = ET.parse(svg_path).getroot()
    if root.tag != SVG + "svg":
        fail("root is not <svg>")
    texts = [t.text for t in root.iter(SVG + "text")]
    if title not in texts:
        fail(f"title {title!r} not among the texts")
    records = [json.loads(line) for line in open(metrics_path)
               if line.strip()]
    records.sort(key=lambda r: r["epoch"])
    out = []
    for panel, key in (("loss", "loss"), ("accuracy", "accuracy")):
        g = [e for e in root.iter(SVG + "g")
             if e.get("class") == "panel" and e.get("id") == panel]
        if len(g) != 1:
            fail(f"{len(g)} panels '{panel}'")
        g = g[0]
        ptexts = [t.text for t in g.iter(SVG + "text")]
        for label in ("epoch", key):
            if label not in ptexts:
                fail(f"{panel}: no axis label '{label}'")
        frame = [r for r in g.iter(SVG + "rect") if r.get("class") == "frame"]
        fx, fy = float(frame[0].get("x")), float(frame[0].get("y"))
        fw, fh = float(frame[0].get("width")), float(frame[0].get("height"))
        xt, yt = [], []
        for t in g.iter(SVG + "g"):
            cls = t.get("class")
            if cls in ("tick x", "tick y"):
                line = t.find(SVG + "line")
                val = float(t.find(SVG + "text").text)
                if cls == "tick x":
                    xt.append((float(line.get("x1")), val))
                else:
                    yt.append((float(line.get("y1")), val))
        ax, bx, rx = fit(sorted(xt), panel + " x")
        ay, by, ry = fit(sorted(yt), panel + " y")
        if any(v != round(v) for _, v in xt):
            fail(f"{panel}: non-integer epoch ticks")
        series = {}
        for pl in g.iter(SVG + "polyline"):
            if pl.get("class") == "series":
                pts = [tuple(map(float, p.split(",")))
                       for p in pl.get("points").split()]
                series[pl.get("data-series")] = pts
        legend = [e.get("data-series") for e in g.iter(SVG + "g")
                  if e.get("class") == "legend-entry"]
        want_names = []
        summary = []
        for name, prefix in (("train", "train_"), ("validation", "val_"),
                             ("test", "test_")):
            data = [(r["epoch"], r[prefix + key]) for r in records
                    if r[prefix + key] is not None]
            if not data:
                if name in series:
                    fail(f"{panel}: a '{name}' line without data")
                continue
            want_names.append(name)
            pts = series.get(name)
            if pts is None:
                fail(f"{panel}: no '{name}' line")
            if len(pts) != len(data):
                fail(f"{panel} {name}: {len(pts)} points, want {len(data)}")
            for (px, py), (e, v) in zip(pts, data):
                if not (fx - 1e-6 <= px <= fx + fw + 1e-6 and
                        fy - 1e-6 <= py <= fy + fh + 1e-6):
                    fail(f"{panel} {name}: point {px},{py} outside the frame")
                ge, gv = ax * px + bx, ay * py + by
                if abs(ge - e) > 1e-4 * rx or abs(gv - v) > 1e-4 * ry:
                    fail(f"{panel} {name}: point ({px}, {py}) reads "
                         f"({ge}, {gv}), want ({e}, {v})")
            summary.append(f"{name} {len(pts)}")
        if sorted(series) != sorted(want_names):
            fail(f"{panel}: lines {sorted(series)}, want {want_names}")
        if legend != want_names:
            fail(f"{panel}: legend {legend}, want {want_names}")
        out.append(f"{panel}: " + ", ".join(summary))
    print("CURVES-OK " + "; ".join(out))


# ---------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------

def duration(s):
    if not math.isfinite(s) or s < 0:
        return "--:--"
    s = int(s) + (1 if s - int(s) >= 0.5 else 0)  # llround
    if s >= 3600:
        return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
    return "%d:%02d" % (s // 60, s % 60)


def progress_expect(mode, epochs, batches, bs, spb, note_at, first_batch=0):
    """The documented output of Progress (Progress.h) for the `progress`
    subcommand's simulation (the first epoch resumed at first_batch: its
    earlier batches count in the sums only)."""
    out = []
    now = 0.0
    shown = 0
    for e in range(1, epochs + 1):
        start = now
        first = first_batch if e == 1 else 0
        last_draw = -1e300
        last_tenth = min(9, first * 10 // batches)
        loss_sum = acc_sum = 0.0

        def status(bar, done, images, loss, acc, elapsed):
            s = f"epoch {e}/{epochs} "
            frac = min(1.0, max(0.0, done / batches))
            if bar:
                filled = int(math.floor(frac * 20))
                s += "[" + "#" * filled + "." * (20 - filled) + "] "
                s += f"{done}/{batches}"
            else:
                s += f"{done}/{batches} ({int(math.floor(frac * 100))}%)"
            s += " loss %.3f acc %.3f" % (loss, acc)
            if elapsed > 0:
                rate = images / elapsed
                s += (" %.2f img/s" if rate < 10 else " %.0f img/s") % rate
            else:
                s += " - img/s"
            s += " ETA " + duration(elapsed / (done - first) *
                                    (batches - done))
            return s

        for b in range(1, batches + 1):
            g = float((e - 1) * batches + b)
            loss_sum += 2.0 / (1 + 0.1 * g)
            acc_sum += 1 - 0.9 / (1 + 0.05 * g)
            if b <= first:
                continue
            now += spb
            args = (b, (b - first) * bs, loss_sum / b, acc_sum / b,
                    now - start)
            if mode == "bar":
                if now - last_draw >= 0.1 or b >= batches:
                    line = status(True, *args)
                    n = len(line)
                    out.append("\r" + line + " " * max(0, shown - n))
                    shown = n
                    last_draw = now
            elif b < batches:
                tenth = min(9, b * 10 // batches)
                if tenth > last_tenth:
                    last_tenth = tenth
                    out.append(status(False, *args) + "\n")
            if b == note_at:
                text = f"note after batch {b}"
                if mode == "bar":
                    redraw = shown > 0
                    if shown:
                        out.append("\r" + " " * shown + "\r")
                    out.append(text + "\n")
                    shown = 0
                    if redraw:
                        line = status(True, *args)
                        out.append("\r" + line)
                        shown = len(line)
                else:
                    out.append(text + "\n")
        summary = "epoch %d/%d: loss %.3f acc %.3f %.1f s" % (
            e, epochs, loss_sum / batches, acc_sum / batches,
            spb * (batches - first))
        if mode == "bar":
            out.append("\r" + summary + " " * max(0, shown - len(summary)) +
                       "\n")
            shown = 0
        else:
            out.append(summary + "\n")
    sys.stdout.write("".join(out))


def progress_tty(out, argv):
    import pty
    import tty
    master, slave = pty.openpty()
    tty.setraw(slave)
    p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    err = p.stderr.read().decode()
    p.wait()
    with open(out, "wb") as f:
        f.write(data)
    print(err.strip())
    crs = data.count(b"\r")
    nl = data.endswith(b"\n")
    print(f"carriage returns {crs}, ends with newline {nl}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ckpt-verify":
        extras = dict(a.split("=", 1) for a in args[6:])
        ckpt_verify(args[0], args[1], int(args[2]), args[3], int(args[4]),
                    int(args[5]), extras)
    elif cmd == "ckpt-write-torch":
        ckpt_write_torch(args[0], args[1], int(args[2]))
    elif cmd == "ckpt-compare-read":
        ckpt_compare_read(args[0], args[1], args[2])
    elif cmd == "kill-loop":
        kill_loop(args[0], args[1], int(args[2]), int(args[3]))
    elif cmd == "set-meta":
        set_meta(args[0], args[1:])
    elif cmd == "metrics-verify":
        metrics_verify(args[0], args[1:])
    elif cmd == "curves-verify":
        curves_verify(args[0], args[1], args[2])
    elif cmd == "progress-expect":
        progress_expect(args[0], int(args[1]), int(args[2]), int(args[3]),
                        float(args[4]), int(args[5]) if len(args) > 5 else -1,
                        int(args[6]) if len(args) > 6 else 0)
    elif cmd == "progress-tty":
        progress_tty(args[0], args[1:])
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main()
