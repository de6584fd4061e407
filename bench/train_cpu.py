#!/usr/bin/python3
"""Training throughput and peak memory on the CPU: cscc next to PyTorch.

For each model two peers train the same network on the same images, each in
its own process, one after the other:

  cscc     `cscc train MODEL --data fashion_mnist --limit-train N
           --limit-test 256 --epochs E --batch B --progress plain
           --run-dir TMP` with the optimiser spelled out as flags (SGD,
           momentum 0.9, Nesterov, weight decay 5e-4, constant learning
           rate, no augmentation, --seed S). Its images/s is metrics.jsonl's
           images_per_second: the training loop, without the compiler's
           MLIR pipeline, the data set's loading, the test evaluation and
           the checkpoints -- but with LLVM's code generation, which the JIT
           does lazily, in the first train step (seconds; see the table of
           wall times).
  PyTorch  the reference of the same model (test/reference/csc_reference.py,
           written for clarity, not tuned) started from the weights
           `cscc init --seed S` writes (those `cscc train --seed S` starts
           from), float32, torch.optim.SGD with the same settings, the same
           first N Fashion-MNIST training images normalised as cscc does
           (pixel / 255, mean and std of those N images), shuffled each epoch
           (its own order: cscc's is not reproduced), batches of B, the last
           one partial; loss = mean cross-entropy + the model's l1
           penalties. 2 warm-up steps run on a copy of the model (not kept);
           then the training loop (batch gathering, forward, backward,
           optimiser step, loss.item()) is timed, as cscc's is.

Both get the same threads (OMP_NUM_THREADS and torch.set_num_threads;
default 2). Two throughputs each: over the whole loop, and "steady" over the
steps between cscc's first and last progress lines (the same steps of the
PyTorch loop, timed per step there), which leaves out cscc's first step and
its code generation.

Memory: the peak resident set of each peer's process (wait4's ru_maxrss:
cscc's includes its compiler, PyTorch's the interpreter and torch); and,
sampled every 20 ms from /proc/PID/status, the resident set just before the
first train step (model compiled or built, data loaded) and its peak from
there to the end of the test evaluation.

Like with like: both peers' mean training loss over the steps before cscc's
first progress line and after its last one, and their test loss / accuracy
on the first 256 test images, are printed; before timing, `cscc grad` on one
real batch checks that cscc's train-mode loss equals the reference's at the
initial weights (--no-check skips it), so a fast wrong model cannot pass.

Models (--models): fmnist, the README's examples/msd_csc_fmnist.csc (read
when the bench runs; lr from its train section); fmnist_d6u2, the same file
with -D d=6 -D w=16 -D unfold=2 (a deeper MSD-CSC, ISTA unfolded twice);
two_dilations, examples/two_dilations.csc (FISTA, l1 penalties) at lr 0.01
(it diverges at 0.05 in both peers). The paper's MSD-CSC-FISTA
(examples/paper/msd_csc_fista_d6.csc, no batch norm) is not here: with a
[1, 28, 28] input its logits at the initial weights reach ~5e4 (loss ~3e4);
the reference's loss is NaN after one SGD step at lr 1e-3 and ~1e13 then NaN
at lr 1e-5, and cscc train stops on a NaN loss at step 2 at lr 0.05.

usage: bench/train_cpu.py [--cscc build/bin/cscc] [--limit-train 2048]
          [--batch 128] [--epochs 1] [--threads 2] [--seed 1]
          [--models fmnist,fmnist_d6u2,two_dilations] [--no-check]
          [-o results.md]
"""
import argparse
import copy
import gzip
import json
import os
import re
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

# key -> (example file relative to examples/, -D overrides, lr or None: the
# file's train section, 0.05 if it has none)
MODELS = {
    "fmnist": ("msd_csc_fmnist.csc", {}, None),
    "fmnist_d6u2": ("msd_csc_fmnist.csc", {"d": 6, "w": 16, "unfold": 2},
                    None),
    "two_dilations": ("two_dilations.csc", {}, 0.01),
}
DEFAULT_MODELS = "fmnist,fmnist_d6u2,two_dilations"


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


def load_data(n_train):
    """The first n_train training and TEST_IMAGES test images,
    [N, 1, 28, 28] float32, normalised like cscc: pixel / 255, then the
    mean and std of the n_train training images (float64); labels int64."""
    xtr = read_idx("train-images-idx3-ubyte.gz")[:n_train].copy()
    ytr = read_idx("train-labels-idx1-ubyte.gz")[:n_train].astype(np.int64)
    xte = read_idx("t10k-images-idx3-ubyte.gz")[:TEST_IMAGES].copy()
    yte = read_idx("t10k-labels-idx1-ubyte.gz")[:TEST_IMAGES].astype(np.int64)
    v = xtr.astype(np.float64) / 255.0
    mean, std = v.mean(), v.std()

    def norm(x):
        return ((x.astype(np.float64) / 255.0 - mean) / std).astype(
            np.float32)[:, None]
    return norm(xtr), ytr, norm(xte), yte


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

def run_cscc(args, path, overrides, lr, env, run_dir):
    cmd = [args.cscc, "train", path] + defs(overrides) + [
        "--data", "fashion_mnist", "--data-path", DATA,
        "--limit-train", str(args.limit_train),
        "--limit-test", str(TEST_IMAGES), "--epochs", str(args.epochs),
        "--batch", str(args.batch), "--progress", "plain",
        "--run-dir", run_dir, "--optimizer", "sgd", "--lr", repr(lr),
        "--momentum", "0.9", "--nesterov", "true", "--weight-decay", "5e-4",
        "--schedule", "constant", "--warmup", "0", "--augment", "none",
        "--normalize", "true", "--validation", "0", "--seed", str(args.seed)]
    res = run_peer(cmd, env, "training ",
                   r"epoch %d/%d: " % (args.epochs, args.epochs))
    check_rc("cscc train", res)
    recs = [json.loads(l) for l in open(os.path.join(run_dir,
                                                     "metrics.jsonl"))]
    n, bs = args.limit_train, args.batch
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
             test_acc=recs[-1]["test_accuracy"],
             ips_epochs=[x["images_per_second"] for x in recs])
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
    """Runs in its own process (--worker SPEC.json); prints 'ready' (data
    and model in memory), 'training' (warm-up done), 'done' (after the test
    evaluation) and 'RESULT {json}'."""
    import torch
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(spec["seed"])
    xtr, ytr, xte, yte = (torch.from_numpy(a) for a in load_data(spec["n"]))
    net, pen_ids = reference(spec["rel"], spec["overrides"], spec["penalties"],
                             spec["weights"], torch.float32)

    def make_opt(m):
        return torch.optim.SGD(m.parameters(), lr=spec["lr"], momentum=0.9,
                               nesterov=True, weight_decay=5e-4)

    def step(m, opt, x, y):
        opt.zero_grad(set_to_none=True)
        _, loss = loss_of(m, pen_ids, x, y)
        loss.backward()
        opt.step()
        return loss.item()

    n, bs = spec["n"], spec["batch"]
    gen = torch.Generator().manual_seed(spec["seed"])
    print("ready", flush=True)
    wnet = copy.deepcopy(net).train()
    wopt = make_opt(wnet)
    for i in range(WARMUP):
        step(wnet, wopt, xtr[i * bs:(i + 1) * bs], ytr[i * bs:(i + 1) * bs])
    del wnet, wopt
    net.train()
    opt = make_opt(net)
    losses, ends, cpus = [], [], []
    print("training", flush=True)
    t0 = time.perf_counter()
    for _ in range(spec["epochs"]):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            losses.append(step(net, opt, xtr[idx], ytr[idx]))
            ends.append(time.perf_counter() - t0)
            cpus.append(time.process_time())
    net.eval()
    with torch.no_grad():
        out, tl = loss_of(net, pen_ids, xte, yte)
    acc = float((out.argmax(1) == yte).float().mean())
    print("done", flush=True)
    print("RESULT " + json.dumps(dict(
        ends=ends, cpus=cpus, losses=losses, test_loss=float(tl), test_acc=acc,
        torch=torch.__version__)), flush=True)


def run_torch(args, rel, overrides, lr, w_path, pens, env, spec_path):
    spec = dict(rel=rel, overrides=overrides, lr=lr, n=args.limit_train,
                batch=args.batch, epochs=args.epochs, threads=args.threads,
                seed=args.seed, weights=w_path, penalties=pens)
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    res = run_peer([sys.executable, os.path.abspath(__file__), "--worker",
                    spec_path], env, "ready", r"done$")
    check_rc("PyTorch", res)
    out = json.loads(next(l for _, l in res["lines"]
                          if l.startswith("RESULT "))[7:])
    n, bs = args.limit_train, args.batch
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


# --- the check -------------------------------------------------------------

def check_loss(args, path, rel, overrides, w_path, pens, env, tmp):
    """`cscc grad --dtype f32` (train mode) on the first batch of the
    training images at the initial weights against the reference's loss
    (float64). -> relative difference."""
    import torch
    xtr, ytr, _, _ = load_data(args.limit_train)
    x, y = xtr[:args.batch], ytr[:args.batch]
    xp, yp = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
    np.save(xp, x)
    np.save(yp, y)
    out = subprocess.run(
        [args.cscc, "grad", path, "--weights", w_path, "--input", xp,
         "--labels", yp, "-o", os.path.join(tmp, "g.safetensors"),
         "--dtype", "f32"] + defs(overrides), env=env, check=True,
        stdout=subprocess.PIPE, text=True).stdout
    loss = float(re.search(r"loss: (\S+)", out).group(1))
    torch.set_num_threads(args.threads)
    net, pen_ids = reference(rel, overrides, pens, w_path, torch.float64)
    net.train()
    with torch.no_grad():
        _, ref = loss_of(net, pen_ids, torch.from_numpy(x).double(),
                         torch.from_numpy(y))
    return abs(loss - float(ref)) / abs(float(ref))


# --- main ------------------------------------------------------------------

def loadavg():
    return "%.2f" % os.getloadavg()[0]


def report(args, rows, date, loads):
    mib = 1024.0
    steps = -(-args.limit_train // args.batch)
    a, b = windows(steps)
    torch_version = rows[0]["t"]["torch"] if rows else "?"
    out = [
        "Training, float32, batch %d, the first %d Fashion-MNIST training "
        "images x %d epoch(s) (%d steps each), SGD (momentum 0.9, Nesterov, "
        "weight decay 5e-4, constant rate), %d threads for both "
        "(OMP_NUM_THREADS, torch.set_num_threads), %s, %d CPUs, PyTorch %s. "
        "%s; 1-minute load average at the start of each run: %s."
        % (args.batch, args.limit_train, args.epochs, steps, args.threads,
           os.uname().machine, os.cpu_count(), torch_version, date,
           ", ".join(loads)),
        "Ratios are cscc / PyTorch (throughput: above 1, cscc is faster; "
        "memory: above 1, cscc uses more). Loop: the whole training loop "
        "(cscc's metrics.jsonl images_per_second, its first step "
        "included; PyTorch after %d warm-up steps); steady: steps %d-%d "
        "(cscc's first to last progress line); CPU ms/img: user + system "
        "CPU time of the process (all threads) over those steps per image "
        "(above 1, cscc uses more; spinning OpenMP threads count)."
        % (WARMUP, a + 1, b),
        "",
        "| model | params | lr | cscc img/s loop | PyTorch img/s loop "
        "| ratio | cscc img/s steady | PyTorch img/s steady | ratio "
        "| CPU ms/img steady: cscc / PyTorch | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        c, t = r["c"], r["t"]
        out.append("| %s | %d | %g | %.1f | %.1f | %.2f | %.1f | %.1f | "
                   "%.2f | %.2f / %.2f | %.2f |" % (
                       r["label"], r["params"], r["lr"], c["ips"], t["ips"],
                       c["ips"] / t["ips"], c["steady_ips"], t["steady_ips"],
                       c["steady_ips"] / t["steady_ips"], c["steady_cpu_ms"],
                       t["steady_cpu_ms"],
                       c["steady_cpu_ms"] / t["steady_cpu_ms"]))
    out += [
        "",
        "Peak resident set of each peer's process (MiB; cscc's includes the "
        "compiler, PyTorch's the interpreter and torch), and from the first "
        "train step to the end of the test evaluation: the resident set "
        "before it -> its peak (sampled every 20 ms), and the growth.",
        "",
        "| model | cscc peak | PyTorch peak | ratio | cscc training "
        "| PyTorch training | growth ratio |",
        "|---|---:|---:|---:|---|---|---:|",
    ]
    for r in rows:
        c, t = r["c"], r["t"]
        gc, gt = c["peak_kb"] - c["start_kb"], t["peak_kb"] - t["start_kb"]
        out.append(
            "| %s | %.0f | %.0f | %.2f | %.0f -> %.0f (+%.0f) | "
            "%.0f -> %.0f (+%.0f) | %.2f |" % (
                r["label"], c["maxrss_kb"] / mib, t["maxrss_kb"] / mib,
                c["maxrss_kb"] / t["maxrss_kb"], c["start_kb"] / mib,
                c["peak_kb"] / mib, gc / mib, t["start_kb"] / mib,
                t["peak_kb"] / mib, gt / mib, gc / max(gt, 1)))
    out += [
        "",
        "Wall times (s). Start-up: cscc until its 'training' line (parse, "
        "MLIR pipeline, data load); PyTorch until its loop (imports, data, "
        "model, %d warm-up steps). Steps 1-%d: the loop's first steps "
        "(cscc's include LLVM's code generation, done lazily by the JIT on "
        "the first call). Loop, and the whole process (cscc's adds the test "
        "evaluation and checkpoints)." % (WARMUP, a),
        "",
        "| model | cscc start-up | cscc steps 1-%d | cscc loop | cscc total "
        "| PyTorch start-up | PyTorch steps 1-%d | PyTorch loop "
        "| PyTorch total |" % (a, a),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        c, t = r["c"], r["t"]
        out.append("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | "
                   "%.1f |" % (r["label"], c["startup_s"], c["first_s"],
                               c["loop_s"], c["wall_s"], t["startup_s"],
                               t["first_s"], t["loop_s"], t["wall_s"]))
    out += [
        "",
        "Like with like: mean training loss over steps 1-%d and over steps "
        "%d-%d of the last epoch (different shuffles, the same initial "
        "weights), test loss / accuracy on %d test images after training; "
        "check: cscc grad's train-mode loss against the reference's on one "
        "batch at the initial weights (relative difference)."
        % (a, b + 1, steps, TEST_IMAGES),
        "",
        "| model | loss first: cscc / PyTorch | loss last: cscc / PyTorch "
        "| test loss: cscc / PyTorch | test acc: cscc / PyTorch | check |",
        "|---|---|---|---|---|---:|",
    ]
    for r in rows:
        c, t = r["c"], r["t"]
        out.append("| %s | %.3f / %.3f | %.3f / %.3f | %.3f / %.3f | "
                   "%.3f / %.3f | %s |" % (
                       r["label"], c["first_loss"], t["first_loss"],
                       c["last_loss"], t["last_loss"], c["test_loss"],
                       t["test_loss"], c["test_acc"], t["test_acc"],
                       "-" if r["err"] is None else "%.1e" % r["err"]))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cscc", default=os.path.join(ROOT, "build", "bin", "cscc"))
    ap.add_argument("--limit-train", type=int, default=2048)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", default=DEFAULT_MODELS,
                    help="comma-separated, of: " + ", ".join(MODELS))
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    if args.worker:
        torch_worker(json.load(open(args.worker)))
        return
    if windows(-(-args.limit_train // args.batch)) is None or \
            args.limit_train < 3 * args.batch:
        sys.exit("bench: --limit-train must be at least 3 batches")
    args.cscc = os.path.abspath(args.cscc)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    tmp = tempfile.mkdtemp(prefix="cscc-train-bench-")
    date = time.strftime("%Y-%m-%d %H:%M %Z")
    rows, loads = [], []
    for key in args.models.split(","):
        rel, overrides, lr = MODELS[key]
        path = os.path.join(ROOT, "examples", rel)
        lr = model_lr(path, lr)
        pens, params = summary(args.cscc, path, overrides)
        w_path = os.path.join(tmp, "w-%s.safetensors" % key)
        subprocess.check_call([args.cscc, "init", path, "-o", w_path,
                               "--seed", str(args.seed)] + defs(overrides))
        err = None
        if not args.no_check:
            err = check_loss(args, path, rel, overrides, w_path, pens, env,
                             tmp)
            print("%-14s check: cscc grad's loss vs the reference's, "
                  "relative difference %.1e" % (key, err), file=sys.stderr)
            if err > 1e-4:
                sys.exit("bench: %s: cscc's train-mode loss differs from "
                         "the reference's (relative %.3g); not timing it"
                         % (key, err))
        loads.append(loadavg())
        print("%-14s cscc train (load %s)" % (key, loads[-1]),
              file=sys.stderr)
        c = run_cscc(args, path, overrides, lr, env,
                     os.path.join(tmp, "run-" + key))
        print("%-14s   %.1f img/s (steady %.1f), total %.1f s" % (
            key, c["ips"], c["steady_ips"], c["wall_s"]), file=sys.stderr)
        loads.append(loadavg())
        print("%-14s PyTorch (load %s)" % (key, loads[-1]), file=sys.stderr)
        t = run_torch(args, rel, overrides, lr, w_path, pens, env,
                      os.path.join(tmp, "spec-%s.json" % key))
        print("%-14s   %.1f img/s (steady %.1f), total %.1f s" % (
            key, t["ips"], t["steady_ips"], t["wall_s"]), file=sys.stderr)
        rows.append(dict(key=key, label=label(rel, overrides), params=params,
                         lr=lr, err=err, c=c, t=t))
    loads.append(loadavg())
    text = report(args, rows, date, loads)
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
