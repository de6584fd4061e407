#!/usr/bin/python3
"""Training throughput and peak memory on the CPU: cscc next to its peers.

For each model, --rounds times (default 3), each peer trains the same
network on the same images in its own process, one after the other, the
peers interleaved (round 1: all peers, round 2: all peers, ...) so that a
machine that gets busier or quieter moves every column alike:

  cscc JIT        `cscc train MODEL --data KIND --limit-train N
                  --limit-test 256 --epochs E --batch B --progress plain
                  --run-dir TMP` with the optimiser spelled out as flags
                  (SGD, momentum 0.9, Nesterov, weight decay 5e-4,
                  constant rate, no augmentation, --seed S). Its images/s
                  is metrics.jsonl's images_per_second: the training loop,
                  without the MLIR pipeline, the data set's loading, the
                  test evaluation and the checkpoints.
  cscc exe        the executable `cscc build MODEL` makes (built once per
                  model, not timed), its `train` command with the same
                  flags.
  PyTorch 1.13    the reference of the same model
                  (test/reference/csc_reference.py, written for clarity,
                  not tuned) in Debian's python3-torch, started from the
                  weights `cscc init --seed S` writes (those `cscc train
                  --seed S` starts from), float32, torch.optim.SGD with the
                  same settings, the same first N training images
                  normalised as cscc does (pixel / 255, then each channel's
                  mean and std over those N images), shuffled each epoch
                  (its own order), batches of B, the last one partial;
                  loss = mean cross-entropy + the model's l1 penalties.
                  2 warm-up steps (and one of the partial size, if any) run
                  first and the weights are then restored; the training
                  loop (batch gathering, forward, backward, optimiser step,
                  loss.item()) is timed, as cscc's is.
  PyTorch 2.x     the same reference and loop in the newest PyTorch 2.x
                  from PyPI, in a venv (--torch2 DIR, default
                  ~/.cache/cscc-bench/torch2; made by --make-venv, not by
                  CI): eager, and with torch.compile (inductor, its default
                  mode) of the loss function (forward + loss; backward
                  through AOTAutograd; the optimiser eager). Compilation
                  happens in the warm-up steps, which are not timed. Without
                  the venv these rows say so.
  floor           the step's convolutions alone: one run of `cscc train
                  ... --stop-after 3` with CSCC_CONV_TRACE (before the
                  rounds) records every convolution call and the step
                  boundaries; each round `cscc-runtime-check conv-replay
                  TRACE --steps-from 2 --steps-to 3` re-runs steps 2-3's
                  calls on buffers of the same sizes and strides: "floor
                  runtime" through the runtime's entry points (checks,
                  oneDNN primitive cache, reorders: what cscc's step pays
                  for its convolutions), "floor primitive" as bare oneDNN
                  primitives on operands already in their formats (no
                  reorders). img/s = B / (median step time).

All get the same threads (OMP_NUM_THREADS and torch.set_num_threads;
default 2). Two throughputs each: over the whole loop, and "steady" over
the steps between cscc's first and last progress lines (the same steps of
the PyTorch loops, timed per step there), which leaves out cscc's first step.

Memory: the peak resident set of each peer's process (wait4's ru_maxrss:
cscc's includes its compiler, PyTorch's the interpreter and torch, and with
torch.compile inductor, though not its compile workers); and, sampled every
20 ms from /proc/PID/status, the resident set just before the first train
step and its peak from there to the end of the test evaluation.

Like with like: each peer's mean training loss over the steps before cscc's
first progress line and after its last one, and test loss / accuracy on the
first 256 test images (round 1); before timing, `cscc grad` on one real
batch checks that cscc's train-mode loss equals the reference's at the
initial weights (--no-check skips it), so a fast wrong model cannot pass.

Models (--models; the first three are the default of bench/step_memory.py
too):
  fmnist         the README's examples/msd_csc_fmnist.csc (lr from its train
                 section), Fashion-MNIST, batch 128, 2048 images
  fmnist_d6u2    the same file with -D d=6 -D w=16 -D unfold=2 (a deeper
                 MSD-CSC, ISTA unfolded twice)
  two_dilations  examples/two_dilations.csc (FISTA, l1 penalties) at lr 0.01
                 (it diverges at 0.05 in both peers)
  fista_d12      the paper's MSD-CSC-FISTA d12 w32
                 (examples/paper/msd_csc_fista_d12.csc, 3x32x32, no batch
                 norm), batch 64, 512 images (8 steps), lr 1e-9: at its
                 initial weights the loss is ~1e5, and cscc train stops on a
                 NaN loss at step 3 with lr 1e-6 (momentum 0.9); at 1e-9 the
                 loss stays finite over the 8 steps. There is no CIFAR-10 on
                 the machine: the bench writes a synthetic one (random
                 pixels and labels in CIFAR-10's binary format,
                 data_batch_1..5.bin and test_batch.bin, 256 test images)
                 to a temporary directory (--cifar-dir to keep it) and
                 trains on it with --data cifar10 --data-path DIR. The
                 work per step does not depend on the pixel values.
--limit-train and --batch, when given, apply to every model.

usage: bench/train_cpu.py [--cscc build/bin/cscc] [--rounds 3]
          [--models fmnist,fmnist_d6u2,two_dilations,fista_d12]
          [--peers jit,exe,torch1,torch2,torch2c,floor] [--limit-train N]
          [--batch B] [--epochs 1] [--threads 2] [--seed 1] [--no-check]
          [--torch2 DIR] [--cifar-dir DIR] [--replay-repeat 5] [-o out.md]
       bench/train_cpu.py --make-venv [DIR]   (once: the PyTorch 2.x venv)

--make-venv makes DIR (default ~/.cache/cscc-bench/torch2) from PyPI only:
`pip install --no-deps torch` (the newest), then torch's pure-Python
requirements and numpy; PyPI's Linux torch is built against CUDA, and its
libraries must load even on the CPU. If `import torch` fails, the CUDA
libraries torch pins that a machine with a CUDA toolkit usually lacks
(cuFile, cuSPARSELt, NCCL, NVSHMEM: about 0.5 GB) are added, and if it
still fails, every requirement torch lists (several GB of nvidia-*
packages). It then checks that torch.compile compiles and runs a small
convolution on the CPU (inductor's C++ backend needs g++; triton is not
needed on the CPU) and writes DIR/cscc-bench.json (torch version, which
step sufficed).
"""
import argparse
import copy
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "reference"))
from cscc_io import read_safetensors  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
TEST_IMAGES = 256
WARMUP = 2
DEFAULT_VENV = os.path.join(os.path.expanduser("~"), ".cache", "cscc-bench",
                            "torch2")

# key -> (example file relative to examples/, -D overrides, lr or None: the
# file's train section, 0.05 if it has none)
MODELS = {
    "fmnist": ("msd_csc_fmnist.csc", {}, None),
    "fmnist_d6u2": ("msd_csc_fmnist.csc", {"d": 6, "w": 16, "unfold": 2},
                    None),
    "two_dilations": ("two_dilations.csc", {}, 0.01),
    "fista_d12": ("paper/msd_csc_fista_d12.csc", {}, 1e-9),
}
# key -> (data set, batch, training images) where not Fashion-MNIST, 128,
# 2048
MODEL_DATA = {
    "fista_d12": ("cifar10", 64, 512),
}
DEFAULT_MODELS = "fmnist,fmnist_d6u2,two_dilations"  # bench/step_memory.py's
BENCH_MODELS = DEFAULT_MODELS + ",fista_d12"

# The peers, in the order each round runs them.
PEERS = ["jit", "exe", "torch1", "torch2", "torch2c", "floor"]
PEER_NAMES = {"jit": "cscc JIT", "exe": "cscc exe", "torch1": "PyTorch 1.13",
              "torch2": "PyTorch 2 eager", "torch2c": "PyTorch 2 compile",
              "floor_rt": "floor runtime", "floor_prim": "floor primitive"}


def label(rel, overrides):
    return rel + "".join(" -D %s=%s" % kv for kv in overrides.items())


def defs(overrides):
    return sum((["-D", "%s=%s" % kv] for kv in overrides.items()), [])


def model_lr(path, lr):
    if lr is not None:
        return lr
    m = re.search(r"\ntrain\s*\{[^}]*\blr\s*=\s*([0-9.eE+-]+)",
                  open(path).read())
    return float(m.group(1)) if m else 0.05


def summary(cscc, path, overrides):
    """-> ([(layer, weight)] of the `penalty: l1(NAME, W)` lines, total
    parameters) from `cscc summary`."""
    out = subprocess.run([cscc, "summary", path] + defs(overrides),
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    pens = []
    for line in out.splitlines():
        m = re.match(r"penalty: l1\((\S+), (\S+)\)$", line.strip())
        if m:
            pens.append((m.group(1), float(m.group(2))))
        elif line.startswith("penalty:"):
            sys.exit("bench: unknown penalty line: " + line)
    return pens, int(re.search(r"total parameters: (\d+)", out).group(1))


def reference(rel, overrides, pens, weights, dtype):
    """The reference model with `weights` loaded (strict: the same names
    and shapes as cscc's), and its penalties as (tensor id, weight)."""
    import torch
    import csc_reference as R
    net = R.build_example(rel, **overrides).to(dtype)
    w, _ = read_safetensors(weights)
    net.load_state_dict({k: torch.from_numpy(np.asarray(v)).to(dtype)
                         for k, v in w.items()}, strict=True)
    return net, [(net.layer_names.index(n) + 1, wt) for n, wt in pens]


def loss_of(net, pen_ids, x, y):
    """-> (logits, mean cross-entropy + l1 penalties)."""
    import torch.nn.functional as F
    vals = net(x, return_all=True)
    out = vals[-1].reshape(x.shape[0], -1)
    loss = F.cross_entropy(out, y)
    for t, wt in pen_ids:
        loss = loss + wt * vals[t].abs().sum() / x.shape[0]
    return out, loss


# --- data ------------------------------------------------------------------

def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big")
             for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def read_cifar(path):
    """A CIFAR-10 binary batch file -> (images [N, 3, 32, 32] uint8, labels
    int64)."""
    rec = np.fromfile(path, np.uint8).reshape(-1, 3073)
    return rec[:, 1:].reshape(-1, 3, 32, 32), rec[:, 0].astype(np.int64)


def write_synthetic_cifar(directory, n_train, seed=1):
    """A synthetic CIFAR-10 in the binary format: random pixels and labels,
    data_batch_1.bin with n_train images, data_batch_2..5.bin with 8 each
    (cscc's --limit-train N takes the first N), test_batch.bin with
    TEST_IMAGES."""
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)

    def write(name, n):
        rec = np.empty((n, 3073), np.uint8)
        rec[:, 0] = rng.integers(0, 10, n)
        rec[:, 1:] = rng.integers(0, 256, (n, 3072))
        rec.tofile(os.path.join(directory, name))
    write("data_batch_1.bin", n_train)
    for i in range(2, 6):
        write("data_batch_%d.bin" % i, 8)
    write("test_batch.bin", TEST_IMAGES)


def load_data(kind, path, n_train):
    """The first n_train training and TEST_IMAGES test images,
    [N, C, H, W] float32, normalised like cscc: pixel / 255, then each
    channel's mean and std over the n_train training images (float64);
    labels int64."""
    if kind == "fashion_mnist":
        xtr = read_idx("train-images-idx3-ubyte.gz")[:n_train, None]
        ytr = read_idx("train-labels-idx1-ubyte.gz")[:n_train]
        xte = read_idx("t10k-images-idx3-ubyte.gz")[:TEST_IMAGES, None]
        yte = read_idx("t10k-labels-idx1-ubyte.gz")[:TEST_IMAGES]
    elif kind == "cifar10":
        parts = [read_cifar(os.path.join(path, "data_batch_%d.bin" % i))
                 for i in range(1, 6)]
        xtr = np.concatenate([p[0] for p in parts])[:n_train]
        ytr = np.concatenate([p[1] for p in parts])[:n_train]
        xte, yte = read_cifar(os.path.join(path, "test_batch.bin"))
        xte, yte = xte[:TEST_IMAGES], yte[:TEST_IMAGES]
    else:
        raise ValueError("bench: unknown data set " + kind)
    v = xtr.astype(np.float64) / 255.0
    mean = v.mean(axis=(0, 2, 3), keepdims=True)
    std = v.std(axis=(0, 2, 3), keepdims=True)

    def norm(x):
        return ((x.astype(np.float64) / 255.0 - mean) / std).astype(
            np.float32)
    return (norm(xtr), ytr.astype(np.int64), norm(xte),
            yte.astype(np.int64))


# --- processes -------------------------------------------------------------

def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid):
    """User + system CPU seconds of process pid, all its threads."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def run_peer(cmd, env, start_marker, end_marker, on_start=None):
    """Runs cmd (stdout and stderr merged), reading its lines as they come.
    -> dict(lines=[(seconds since start, text)], cpu=[CPU seconds of the
    process at each line], wall, rc, maxrss_kb
    (wait4), start_kb / peak_kb: the resident set at the first line that
    starts with start_marker and its peak (sampled every 20 ms) until the
    first line matching the regex end_marker. on_start(pid), when given,
    is called once the process exists (train_gpu.py samples its device
    memory)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, bufsize=1)
    if on_start:
        on_start(p.pid)
    st = {"on": False, "peak": 0, "start": 0, "done": False}

    def sample():
        while not st["done"]:
            if st["on"]:
                st["peak"] = max(st["peak"], rss_kb(p.pid))
            time.sleep(0.02)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    lines, cpu = [], []
    for line in p.stdout:
        lines.append((time.perf_counter() - t0, line.rstrip("\n")))
        cpu.append(cpu_s(p.pid))
        if not st["on"] and not st["start"] and line.startswith(start_marker):
            st["start"] = st["peak"] = rss_kb(p.pid)
            st["on"] = True
        elif st["on"] and re.match(end_marker, line):
            st["peak"] = max(st["peak"], rss_kb(p.pid))
            st["on"] = False
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    st["done"] = True
    th.join()
    return dict(lines=lines, cpu=cpu, wall=time.perf_counter() - t0,
                rc=p.returncode,
                maxrss_kb=ru.ru_maxrss, start_kb=st["start"],
                peak_kb=st["peak"])


def check_rc(what, res):
    if res["rc"] != 0:
        tail = "\n".join(l for _, l in res["lines"][-30:])
        sys.exit("bench: %s failed (exit %d):\n%s" % (what, res["rc"], tail))


def windows(steps):
    """cscc's plain progress prints a line after each step k < steps that
    enters a new tenth (min(9, k * 10 // steps)). -> (a, b): its first and
    last lines follow steps a and b (1-based); None if it prints none."""
    marks, last = [], 0
    for k in range(1, steps):
        tenth = min(9, k * 10 // steps)
        if tenth > last:
            last = tenth
            marks.append(k)
    return (marks[0], marks[-1]) if marks else None


# --- cscc ------------------------------------------------------------------

def train_flags(args, job, run_dir):
    return [
        "--data", job["data"], "--data-path", job["data_path"],
        "--limit-train", str(job["n"]), "--limit-test", str(TEST_IMAGES),
        "--epochs", str(args.epochs), "--batch", str(job["batch"]),
        "--progress", "plain", "--run-dir", run_dir, "--optimizer", "sgd",
        "--lr", repr(job["lr"]), "--momentum", "0.9", "--nesterov", "true",
        "--weight-decay", "5e-4", "--schedule", "constant", "--warmup", "0",
        "--augment", "none", "--normalize", "true", "--validation", "0",
        "--seed", str(args.seed)]


OPTIMIZER = ("optimizer = sgd(lr = %r, momentum = 0.9, nesterov = true, "
             "weight_decay = 5e-4);")


def exe_source(job, tmp):
    """The model file for `cscc build`: an executable's optimiser kind
    (SGD with Nesterov momentum here) is compiled in from the train section
    (train's flags cannot change it, and build takes none), so a copy of
    examples/ (for the file's includes) whose model file's train section
    names the bench's optimiser. -> its path."""
    dst = os.path.join(tmp, "examples")
    if not os.path.exists(dst):
        shutil.copytree(os.path.join(ROOT, "examples"), dst)
    path = os.path.join(dst, job["rel"])
    text = open(path).read()
    opt = OPTIMIZER % job["lr"]
    new, n = re.subn(r"(\ntrain\s*\{[^}]*?)\boptimizer\s*=[^;]*;",
                     lambda m: m.group(1) + opt, text)
    if n == 0:
        new, n = re.subn(r"(\ntrain\s*\{)", lambda m: m.group(1) + "\n  "
                         + opt, text)
    if n == 0:
        new = text + "\ntrain {\n  " + opt + "\n}\n"
    with open(path, "w") as f:
        f.write(new)
    return path


def jit_command(args, job):
    return [args.cscc, "train", job["path"]] + defs(job["overrides"])


def run_cscc(args, job, command, env, run_dir):
    """command: `cscc train MODEL -D..` or `EXE train`."""
    res = run_peer(command + train_flags(args, job, run_dir), env,
                   "training ", r"epoch %d/%d: " % (args.epochs, args.epochs))
    check_rc(" ".join(command[:2]), res)
    recs = [json.loads(l) for l in open(os.path.join(run_dir,
                                                     "metrics.jsonl"))]
    n, bs = job["n"], job["batch"]
    steps = -(-n // bs)
    t_start = next(t for t, l in res["lines"] if l.startswith("training "))
    prog = {}  # (epoch, step) -> (time, running mean loss, CPU seconds)
    for (t, l), cpu in zip(res["lines"], res["cpu"]):
        m = re.match(r"epoch (\d+)/\d+ (\d+)/\d+ \(\d+%\) loss (\S+)", l)
        if m:
            prog[(int(m.group(1)), int(m.group(2)))] = (t, float(m.group(3)),
                                                         cpu)
    r = dict(ips=n * len(recs) / sum(x["seconds"] for x in recs),
             loop_s=sum(x["seconds"] for x in recs), startup_s=t_start,
             wall_s=res["wall"], maxrss_kb=res["maxrss_kb"],
             start_kb=res["start_kb"], peak_kb=res["peak_kb"],
             test_loss=recs[-1]["test_loss"],
             test_acc=recs[-1]["test_accuracy"])
    w = windows(steps)
    if w is None or (1, w[0]) not in prog or (args.epochs, w[1]) not in prog:
        sys.exit("bench: cscc printed no progress lines to read (use more "
                 "steps: --limit-train >= 3 batches)")
    a, b = w
    (ta, first, ca), (tb, _, cb) = prog[(1, a)], prog[(1, b)]
    r["first_s"] = ta - t_start
    r["steady_ips"] = (b - a) * bs / (tb - ta)
    r["steady_cpu_ms"] = (cb - ca) / ((b - a) * bs) * 1e3
    r["first_loss"] = first
    # the last window's mean from the last epoch's running means
    seen = b * bs
    r["last_loss"] = (recs[-1]["train_loss"] * n
                      - prog[(args.epochs, b)][1] * seen) / (n - seen)
    return r


# --- PyTorch ---------------------------------------------------------------

def torch_worker(spec):
    """Runs in its own process (--worker SPEC.json), under Debian's python3
    or the PyTorch 2 venv's; prints 'ready' (data and model in memory),
    'training' (warm-up done), 'done' (after the test evaluation) and
    'RESULT {json}'."""
    import torch
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(spec["seed"])
    xtr, ytr, xte, yte = (torch.from_numpy(a) for a in load_data(
        spec["data"], spec["data_path"], spec["n"]))
    net, pen_ids = reference(spec["rel"], spec["overrides"], spec["penalties"],
                             spec["weights"], torch.float32)

    def loss_fn(x, y):
        return loss_of(net, pen_ids, x, y)[1]
    if spec["mode"] == "compile":
        loss_fn = torch.compile(loss_fn)

    def make_opt():
        return torch.optim.SGD(net.parameters(), lr=spec["lr"], momentum=0.9,
                               nesterov=True, weight_decay=5e-4)

    def step(opt, x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(x, y)
        loss.backward()
        opt.step()
        return loss.item()

    n, bs = spec["n"], spec["batch"]
    gen = torch.Generator().manual_seed(spec["seed"])
    print("ready", flush=True)
    # Warm-up on the model itself (torch.compile compiles here, for the
    # full batch size and, if there is one, the last partial one), then
    # the initial weights, running statistics and a fresh optimiser back.
    net.train()
    initial = copy.deepcopy(net.state_dict())
    wopt = make_opt()
    sizes = [bs] * WARMUP + ([n % bs] if n % bs else [])
    for k in sizes:
        step(wopt, xtr[:k], ytr[:k])
    net.load_state_dict(initial)
    del wopt, initial
    opt = make_opt()
    losses, ends, cpus = [], [], []
    print("training", flush=True)
    t0 = time.perf_counter()
    for _ in range(spec["epochs"]):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            losses.append(step(opt, xtr[idx], ytr[idx]))
            ends.append(time.perf_counter() - t0)
            cpus.append(time.process_time())
    net.eval()  # eager: the compiled function is for train mode
    with torch.no_grad():
        out, tl = loss_of(net, pen_ids, xte, yte)
    acc = float((out.argmax(1) == yte).float().mean())
    print("done", flush=True)
    print("RESULT " + json.dumps(dict(
        ends=ends, cpus=cpus, losses=losses, test_loss=float(tl), test_acc=acc,
        torch=torch.__version__)), flush=True)


def run_torch(args, job, python, mode, env, spec_path):
    spec = dict(rel=job["rel"], overrides=job["overrides"], lr=job["lr"],
                n=job["n"], batch=job["batch"], epochs=args.epochs,
                threads=args.threads, seed=args.seed, weights=job["w_path"],
                penalties=job["pens"], data=job["data"],
                data_path=job["data_path"], mode=mode)
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    res = run_peer([python, os.path.abspath(__file__), "--worker",
                    spec_path], env, "ready", r"done$")
    check_rc("PyTorch (%s, %s)" % (python, mode), res)
    out = json.loads(next(l for _, l in res["lines"]
                          if l.startswith("RESULT "))[7:])
    n, bs = job["n"], job["batch"]
    steps = -(-n // bs)
    a, b = windows(steps)
    ends, ls = out["ends"], out["losses"]
    sizes = [min(bs, n - i * bs) for i in range(steps)]

    def wmean(v, s):
        return sum(x * k for x, k in zip(v, s)) / sum(s)
    return dict(
        ips=n * args.epochs / ends[-1], loop_s=ends[-1],
        steady_ips=(b - a) * bs / (ends[b - 1] - ends[a - 1]),
        steady_cpu_ms=(out["cpus"][b - 1] - out["cpus"][a - 1])
        / ((b - a) * bs) * 1e3,
        first_s=ends[a - 1],
        startup_s=next(t for t, l in res["lines"] if l == "training"),
        wall_s=res["wall"], maxrss_kb=res["maxrss_kb"],
        start_kb=res["start_kb"], peak_kb=res["peak_kb"],
        first_loss=wmean(ls[:a], sizes[:a]),
        last_loss=wmean(ls[len(ls) - steps:][b:], sizes[b:]),
        test_loss=out["test_loss"], test_acc=out["test_acc"],
        torch=out["torch"])


# --- the floor -------------------------------------------------------------

FLOOR_STEPS = (2, 3)  # the traced steps replayed (step 1 builds primitives)


def trace_convolutions(args, job, env, tmp):
    """One `cscc train ... --stop-after 3` with CSCC_CONV_TRACE. -> the
    trace's path."""
    trace = os.path.join(tmp, "conv-trace-%s.txt" % job["key"])
    run_dir = os.path.join(tmp, "trace-run-" + job["key"])
    cmd = jit_command(args, job) + train_flags(args, job, run_dir) + [
        "--stop-after", str(FLOOR_STEPS[1])]
    res = subprocess.run(cmd, env=dict(env, CSCC_CONV_TRACE=trace),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    if res.returncode != 0:
        sys.exit("bench: the traced cscc train failed (exit %d):\n%s"
                 % (res.returncode, res.stdout[-3000:]))
    return trace


def run_floor(args, job, replay, trace, env):
    """-> (runtime, primitive): dicts with ips, steady_ips, step_ms and the
    per-kind ms, from conv-replay's median step time over the rounds'
    --replay-repeat passes; primitive None if it printed none."""
    cmd = [replay, "conv-replay", trace, "--steps-from",
           str(FLOOR_STEPS[0]), "--steps-to", str(FLOOR_STEPS[1]),
           "--repeat", str(args.replay_repeat)]
    res = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        sys.exit("bench: %s failed (exit %d):\n%s"
                 % (" ".join(cmd), res.returncode, res.stdout[-3000:]))
    m = re.search(r"; (\d+) calls per step", res.stdout)
    calls = int(m.group(1)) if m else 0
    out = []
    for what in ("runtime", "primitive"):
        m = re.search(r"^%s step: median (\S+) ms" % what, res.stdout, re.M)
        if not m:
            out.append(None)
            continue
        ms = float(m.group(1))
        kinds = {k: float(v) for k, v in re.findall(
            r"^%s (fwd|bwd_data|bwd_filter): median (\S+) ms" % what,
            res.stdout, re.M)}
        ips = job["batch"] / (ms / 1e3)
        out.append(dict(ips=ips, steady_ips=ips, step_ms=ms, kinds=kinds,
                        calls=calls))
    return out[0], out[1]


# --- the PyTorch 2 venv ----------------------------------------------------

# Libraries PyPI's CUDA torch links that a machine with a CUDA toolkit
# usually lacks (or has too old): torch's requirement names that carry them.
SMALL_CUDA_REQS = ("nvidia-cusparselt", "nvidia-nccl", "nvidia-nvshmem")
CHECK_TORCH = (
    "import torch, torch.nn.functional as F\n"
    "torch.set_num_threads(1)\n"
    "x = torch.randn(2, 3, 8, 8)\n"
    "w = torch.randn(4, 3, 3, 3, requires_grad=True)\n"
    "f = torch.compile(lambda x, w: F.conv2d(x, w, padding=1).relu().sum())\n"
    "f(x, w).backward()\n"
    "print('torch', torch.__version__, 'compile ok')\n")


def venv_python(directory):
    return os.path.join(directory, "bin", "python")


def torch_imports(python):
    r = subprocess.run([python, "-c", "import torch"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0, r.stdout.strip().splitlines()[-1:] or [""]


def make_venv(directory):
    """Makes the PyTorch 2 venv (see the module's docstring)."""
    py = venv_python(directory)
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", directory])
    pip = [py, "-m", "pip", "install", "--upgrade"]

    def install(*what):
        print("bench: pip install " + " ".join(what), file=sys.stderr)
        subprocess.check_call(pip + list(what))
    install("--no-deps", "torch")
    reqs = json.loads(subprocess.check_output([py, "-c", (
        "import importlib.metadata as m, json\n"
        "print(json.dumps(m.requires('torch') or []))")], text=True))
    # Requirements that apply here (markers evaluated by pip's packaging).
    reqs = json.loads(subprocess.check_output([py, "-c", (
        "import json, sys\n"
        "from pip._vendor.packaging.requirements import Requirement\n"
        "out = []\n"
        "for r in json.loads(sys.argv[1]):\n"
        "    q = Requirement(r)\n"
        "    if q.marker is None or q.marker.evaluate({'extra': ''}):\n"
        "        out.append([q.name, str(q.specifier), sorted(q.extras)])\n"
        "print(json.dumps(out))"), json.dumps(reqs)], text=True))

    def spec(name, specifier, extras):
        return name + ("[%s]" % ",".join(extras) if extras else "") + specifier
    heavy = [r for r in reqs if r[0].startswith(("nvidia-", "cuda-"))
             or r[0] == "triton"]
    pure = [r for r in reqs if r not in heavy]
    install(*([spec(*r) for r in pure] + ["numpy"]))
    stage = "torch --no-deps + pure-Python requirements"
    ok, why = torch_imports(py)
    if not ok:
        print("bench: import torch: %s" % why[0], file=sys.stderr)
        small = [spec(*r) for r in heavy
                 if r[0].startswith(SMALL_CUDA_REQS)]
        # cuFile comes with cuda-toolkit's cufile extra.
        small += [spec(r[0], r[1], ["cufile"]) for r in heavy
                  if r[0] == "cuda-toolkit" and "cufile" in r[2]]
        install(*small)
        stage += " + " + ", ".join(small)
        ok, why = torch_imports(py)
    if not ok:
        print("bench: import torch: %s" % why[0], file=sys.stderr)
        install(*[spec(*r) for r in heavy])
        stage = "torch with every requirement"
        ok, why = torch_imports(py)
    if not ok:
        sys.exit("bench: import torch still fails in %s: %s"
                 % (directory, why[0]))
    check = subprocess.run([py, "-c", CHECK_TORCH], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    if check.returncode != 0:
        sys.exit("bench: torch.compile does not work in %s:\n%s"
                 % (directory, check.stdout[-3000:]))
    version = check.stdout.strip().splitlines()[-1].split()[1]
    with open(os.path.join(directory, "cscc-bench.json"), "w") as f:
        json.dump(dict(torch=version, stage=stage,
                       made=time.strftime("%Y-%m-%d %H:%M %Z")), f)
    print("bench: %s: torch %s (%s); torch.compile works on the CPU"
          % (directory, version, stage), file=sys.stderr)


def torch2_python(args):
    """-> (python, None) or (None, why the PyTorch 2 rows are absent)."""
    py = venv_python(args.torch2)
    if not os.path.exists(py):
        return None, ("no venv at %s (make it with bench/train_cpu.py "
                      "--make-venv)" % args.torch2)
    ok, why = torch_imports(py)
    if not ok:
        return None, "import torch fails in %s: %s" % (args.torch2, why[0])
    return py, None


# --- the check -------------------------------------------------------------

def check_loss(args, job, env, tmp):
    """`cscc grad --dtype f32` (train mode) on the first batch of the
    training images at the initial weights against the reference's loss
    (float64, PyTorch 1.13). -> relative difference."""
    import torch
    xtr, ytr, _, _ = load_data(job["data"], job["data_path"], job["n"])
    x, y = xtr[:job["batch"]], ytr[:job["batch"]]
    xp, yp = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
    np.save(xp, x)
    np.save(yp, y)
    out = subprocess.run(
        [args.cscc, "grad", job["path"], "--weights", job["w_path"],
         "--input", xp, "--labels", yp,
         "-o", os.path.join(tmp, "g.safetensors"), "--dtype", "f32"]
        + defs(job["overrides"]), env=env, check=True,
        stdout=subprocess.PIPE, text=True).stdout
    loss = float(re.search(r"loss: (\S+)", out).group(1))
    # One thread: the reference's float64 convolutions call the system BLAS
    # from each of PyTorch's threads, and where that is Debian's serial
    # OpenBLAS (not safe to call concurrently) two threads gave a loss off
    # by 5e-4, different each run. Untimed, so the thread count is free.
    torch.set_num_threads(1)
    net, pen_ids = reference(job["rel"], job["overrides"], job["pens"],
                             job["w_path"], torch.float64)
    net.train()
    with torch.no_grad():
        _, ref = loss_of(net, pen_ids, torch.from_numpy(x).double(),
                         torch.from_numpy(y))
    return abs(loss - float(ref)) / abs(float(ref))


# --- the report ------------------------------------------------------------

def loadavg():
    return "%.2f" % os.getloadavg()[0]


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def spread(v, digits=1):
    """'median (min-max)' of the rounds' values."""
    f = "%%.%df" % digits
    if len(v) == 1:
        return f % v[0]
    return (f + " (" + f + "-" + f + ")") % (median(v), min(v), max(v))


ROW_ORDER = ["jit", "exe", "torch1", "torch2", "torch2c", "floor_rt",
             "floor_prim"]


def report(args, jobs, results, absent, date, loads, versions):
    mib = 1024.0
    out = [
        "Training, float32, %d epoch(s), SGD (momentum 0.9, Nesterov, weight "
        "decay 5e-4, constant rate), %d threads for every peer "
        "(OMP_NUM_THREADS, torch.set_num_threads), %s, %d CPUs, %s; %d "
        "round(s), the peers interleaved in each; 1-minute load average "
        "before each model's rounds and at the end: %s. PyTorch: %s."
        % (args.epochs, args.threads, os.uname().machine, os.cpu_count(),
           date, args.rounds, ", ".join(loads),
           "; ".join("%s %s" % kv for kv in versions.items()) or "-"),
        "",
        "Models: " + "; ".join(
            "%s (%d parameters): %s, batch %d, the first %d training images "
            "(%d steps), lr %g" % (j["label"], j["params"], j["data"],
                                   j["batch"], j["n"],
                                   -(-j["n"] // j["batch"]), j["lr"])
            for j in jobs) + ".",
        "",
        "Each cell: the median over the rounds (min-max). Ratios are cscc "
        "JIT / peer, of the medians: throughput above 1, cscc JIT is faster; "
        "memory above 1, it uses more. *Loop*: the whole training loop "
        "(cscc: metrics.jsonl, its first step included; PyTorch after its "
        "warm-up steps); *steady*: the steps between cscc's first and last "
        "progress lines; *CPU ms/img*: the process's user + system time over "
        "those steps per image (spinning OpenMP threads count). *Floor*: "
        "the convolutions of steps %d-%d alone, replayed "
        "(`cscc-runtime-check conv-replay`): through the runtime's entry "
        "points, and as bare oneDNN primitives without reorders; img/s = "
        "batch / median step time. *Peak RSS*: wait4's ru_maxrss of the "
        "process." % FLOOR_STEPS,
        "",
        "| model | peer | img/s loop | img/s steady | cscc JIT / peer: loop "
        "| steady | CPU ms/img steady | peak RSS MiB | cscc JIT / peer: RSS |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for j in jobs:
        res = results[j["key"]]
        base = res.get("jit") or []
        for peer in ROW_ORDER:
            name = PEER_NAMES[peer]
            if peer in absent.get(j["key"], {}):
                out.append("| %s | %s | %s | | | | | | |" % (
                    j["key"], name, absent[j["key"]][peer]))
                continue
            rs = res.get(peer)
            if not rs:
                continue
            ips = [r["ips"] for r in rs]
            steady = [r["steady_ips"] for r in rs]
            row = ["%s" % j["key"], name, spread(ips), spread(steady)]
            if base:
                row += ["%.2f" % (median([r["ips"] for r in base])
                                  / median(ips)),
                        "%.2f" % (median([r["steady_ips"] for r in base])
                                  / median(steady))]
            else:
                row += ["-", "-"]
            if "maxrss_kb" in rs[0]:
                rss = [r["maxrss_kb"] / mib for r in rs]
                row += [spread([r["steady_cpu_ms"] for r in rs], 2),
                        spread(rss, 0),
                        "%.2f" % (median([r["maxrss_kb"] for r in base])
                                  / median([r["maxrss_kb"] for r in rs]))
                        if base else "-"]
            else:  # the floor: step time, per kind
                k = rs[0]["kinds"]
                row += ["%d calls/step: fwd %.1f, bwd_data %.1f, "
                        "bwd_filter %.1f ms (round 1)" % (
                            rs[0]["calls"], k.get("fwd", 0),
                            k.get("bwd_data", 0), k.get("bwd_filter", 0)),
                        "-", "-"]
            out.append("| " + " | ".join(row) + " |")
    out += [
        "",
        "Wall times (s, medians) and memory during training (MiB, medians: "
        "the resident set before the first train step -> its peak until the "
        "end of the test evaluation, sampled every 20 ms). Start-up: cscc "
        "until its 'training' line (parse, MLIR pipeline or executable "
        "start, data load); PyTorch until its loop (imports, data, model, "
        "warm-up steps, which include torch.compile's compilation). First: "
        "the loop's steps before the steady window (cscc's first step "
        "included).",
        "",
        "| model | peer | start-up | first steps | loop | total "
        "| training RSS |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for j in jobs:
        for peer in ROW_ORDER:
            rs = results[j["key"]].get(peer)
            if not rs or "wall_s" not in rs[0]:
                continue

            def med(k):
                return median([r[k] for r in rs])
            out.append("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.0f -> %.0f "
                       "(+%.0f) |" % (
                           j["key"], PEER_NAMES[peer], med("startup_s"),
                           med("first_s"), med("loop_s"), med("wall_s"),
                           med("start_kb") / mib, med("peak_kb") / mib,
                           (med("peak_kb") - med("start_kb")) / mib))
    out += [
        "",
        "Like with like (round 1): mean training loss over the steps before "
        "cscc's first progress line and after its last one (different "
        "shuffles, the same initial weights), test loss / accuracy on %d "
        "test images after training; check: cscc grad's train-mode loss "
        "against the reference's (PyTorch 1.13, float64) on one batch at the "
        "initial weights (relative difference)." % TEST_IMAGES,
        "",
        "| model | peer | loss first | loss last | test loss | test acc "
        "| check |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for j in jobs:
        for peer in ROW_ORDER:
            rs = results[j["key"]].get(peer)
            if not rs or "first_loss" not in rs[0]:
                continue
            r = rs[0]
            out.append("| %s | %s | %.4g | %.4g | %.4g | %.3f | %s |" % (
                j["key"], PEER_NAMES[peer], r["first_loss"], r["last_loss"],
                r["test_loss"], r["test_acc"],
                "-" if j["err"] is None or peer != "jit"
                else "%.1e" % j["err"]))
    return "\n".join(out) + "\n"


# --- main ------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description="cscc's training throughput and memory next to PyTorch "
        "1.13, PyTorch 2 (eager, torch.compile) and the step's convolutions "
        "alone (see the module's docstring).")
    ap.add_argument("--cscc", default=os.path.join(ROOT, "build", "bin", "cscc"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default=BENCH_MODELS,
                    help="comma-separated, of: " + ", ".join(MODELS))
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma-separated, of: " + ", ".join(PEERS))
    ap.add_argument("--limit-train", type=int,
                    help="training images, every model (default: 2048; "
                    "fista_d12 512)")
    ap.add_argument("--batch", type=int,
                    help="every model (default: 128; fista_d12 64)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--torch2", default=DEFAULT_VENV,
                    help="the PyTorch 2 venv (default %(default)s)")
    ap.add_argument("--make-venv", nargs="?", const=DEFAULT_VENV,
                    metavar="DIR", help="make the PyTorch 2 venv and exit")
    ap.add_argument("--cifar-dir",
                    help="where to write the synthetic CIFAR-10 (default: "
                    "a temporary directory)")
    ap.add_argument("--replay-repeat", type=int, default=5,
                    help="conv-replay's timed passes per round")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    if args.worker:
        torch_worker(json.load(open(args.worker)))
        return
    if args.make_venv:
        make_venv(os.path.abspath(os.path.expanduser(args.make_venv)))
        return
    peers = args.peers.split(",")
    for p in peers:
        if p not in PEERS:
            sys.exit("bench: unknown peer '%s' (%s)" % (p, ", ".join(PEERS)))
    keys = args.models.split(",")
    for k in keys:
        if k not in MODELS:
            sys.exit("bench: unknown model '%s' (%s)" % (k, ", ".join(MODELS)))
    args.cscc = os.path.abspath(args.cscc)
    replay = os.path.join(os.path.dirname(args.cscc), "cscc-runtime-check")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    tmp = tempfile.mkdtemp(prefix="cscc-train-bench-")
    date = time.strftime("%Y-%m-%d %H:%M %Z")

    jobs = []
    for key in keys:
        rel, overrides, lr = MODELS[key]
        data, batch, n = MODEL_DATA.get(key, ("fashion_mnist", 128, 2048))
        job = dict(key=key, rel=rel, overrides=overrides,
                   path=os.path.join(ROOT, "examples", rel),
                   label=label(rel, overrides), data=data,
                   batch=args.batch or batch, n=args.limit_train or n)
        job["lr"] = model_lr(job["path"], lr)
        if windows(-(-job["n"] // job["batch"])) is None or \
                job["n"] < 3 * job["batch"]:
            sys.exit("bench: %s: --limit-train must be at least 3 batches"
                     % key)
        jobs.append(job)
    cifar_n = max([j["n"] for j in jobs if j["data"] == "cifar10"] or [0])
    cifar_dir = os.path.abspath(args.cifar_dir or os.path.join(tmp, "cifar"))
    if cifar_n:
        write_synthetic_cifar(cifar_dir, cifar_n)
    for j in jobs:
        j["data_path"] = DATA if j["data"] == "fashion_mnist" else cifar_dir

    torch2, why2 = (None, None)
    if "torch2" in peers or "torch2c" in peers:
        torch2, why2 = torch2_python(args)
        if why2:
            print("bench: PyTorch 2 rows absent: " + why2, file=sys.stderr)
    if "floor" in peers and not os.path.exists(replay):
        sys.exit("bench: the floor needs %s (build it, or leave out the "
                 "floor peer)" % replay)

    results, absent, loads, versions = {}, {}, [], {}
    for job in jobs:
        key = job["key"]
        job["pens"], job["params"] = summary(args.cscc, job["path"],
                                             job["overrides"])
        job["w_path"] = os.path.join(tmp, "w-%s.safetensors" % key)
        subprocess.check_call([args.cscc, "init", job["path"], "-o",
                               job["w_path"], "--seed", str(args.seed)]
                              + defs(job["overrides"]))
        job["err"] = None
        if not args.no_check:
            job["err"] = check_loss(args, job, env, tmp)
            print("%-14s check: cscc grad's loss vs the reference's, "
                  "relative difference %.1e" % (key, job["err"]),
                  file=sys.stderr)
            if job["err"] > 1e-4:
                sys.exit("bench: %s: cscc's train-mode loss differs from "
                         "the reference's (relative %.3g); not timing it"
                         % (key, job["err"]))
        exe = None
        if "exe" in peers:
            exe = os.path.join(tmp, "exe-" + key)
            subprocess.run([args.cscc, "build", exe_source(job, tmp), "-o",
                            exe]
                           + defs(job["overrides"]), check=True,
                           stdout=subprocess.DEVNULL)
        trace = None
        if "floor" in peers:
            trace = trace_convolutions(args, job, env, tmp)
        absent[key] = {}
        if why2:
            for p in ("torch2", "torch2c"):
                if p in peers:
                    absent[key][p] = "absent: " + why2
        res = results[key] = {}
        loads.append(loadavg())
        for rnd in range(1, args.rounds + 1):
            for peer in peers:
                if peer in absent[key]:
                    continue
                tag = "%s round %d/%d %s" % (key, rnd, args.rounds,
                                             PEER_NAMES.get(peer, peer))
                print("%s (load %s)" % (tag, loadavg()), file=sys.stderr)
                run_dir = os.path.join(tmp, "run-%s-%s-%d" % (key, peer, rnd))
                spec = os.path.join(tmp, "spec-%s-%s.json" % (key, peer))
                if peer == "jit":
                    r = run_cscc(args, job, jit_command(args, job), env,
                                 run_dir)
                elif peer == "exe":
                    r = run_cscc(args, job, [exe, "train"], env, run_dir)
                elif peer == "torch1":
                    r = run_torch(args, job, "/usr/bin/python3", "eager",
                                  env, spec)
                    versions["1.13"] = r["torch"]
                elif peer in ("torch2", "torch2c"):
                    r = run_torch(args, job, torch2,
                                  "eager" if peer == "torch2" else "compile",
                                  env, spec)
                    versions["2"] = r["torch"]
                else:
                    rt, prim = run_floor(args, job, replay, trace, env)
                    res.setdefault("floor_rt", []).append(rt)
                    if prim:
                        res.setdefault("floor_prim", []).append(prim)
                    print("%-14s   runtime %.2f ms/step (%.1f img/s)%s" % (
                        "", rt["step_ms"], rt["ips"],
                        ", primitive %.2f ms/step (%.1f img/s)" % (
                            prim["step_ms"], prim["ips"]) if prim else ""),
                        file=sys.stderr)
                    continue
                res.setdefault(peer, []).append(r)
                print("%-14s   %.1f img/s (steady %.1f), total %.1f s" % (
                    "", r["ips"], r["steady_ips"], r["wall_s"]),
                    file=sys.stderr)
    loads.append(loadavg())
    text = report(args, jobs, results, absent, date, loads, versions)
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
