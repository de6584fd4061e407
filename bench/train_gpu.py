#!/usr/bin/env python3
"""Training throughput on the GPU: cscc's CUDA executable next to PyTorch.

Runs on the GPU machine, which has no MLIR and no cscc compiler: the peers
are the executables scripts/gpu-bundle.sh built here (.gpu/bin/msd-cuda and
msd-cpu: examples/msd_csc_fmnist.csc) and PyTorch with
test/reference/csc_reference.py's model of the same file, started from the
same initial weights (.gpu/msd-init.safetensors, `cscc init --seed 1`:
loaded strictly, so the two have the same parameters, names and shapes).
Each peer runs in its own process, one after the other:

  cscc cuda     msd-cuda train: simulated 1x28x28 data (--images N), one
                epoch, batch B, SGD with Nesterov momentum 0.9, weight decay
                5e-4, constant rate 0.05, no augmentation
  cscc cpu      msd-cpu, the same, every core (OMP_NUM_THREADS)
  torch cuda    the same steps in PyTorch (eager, float32, cuDNN with its
                default algorithm choice), random images of the same shape
                (the values do not change the work), loss.item() each step
                (cscc reads the loss each step too)
  torch cuda, cudnn.benchmark   the same with cuDNN's autotuner
  torch cpu     the same on the CPU, every core

img/s *loop*: the whole epoch (cscc: metrics.jsonl; PyTorch after 2 warm-up
steps); *steady*: the steps between cscc's first and last progress lines
(the same steps of the PyTorch loop). Device memory: the most that
nvidia-smi reports for the peer's process (sampled every 50 ms; it includes
the CUDA context), and for PyTorch also torch.cuda.max_memory_reserved.
Ratios are over `torch cuda` (above 1: cscc trains more images per second,
or uses more memory).

Without a GPU (to try the script): --device cpu runs the cpu peers only.

usage: bench/train_gpu.py [--bundle .gpu] [--images 10240] [--batch 128]
          [--device cuda|cpu] [-o results.md]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "reference"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import train_cpu as T  # noqa: E402  (run_peer, windows, check_rc)

MODEL = "msd_csc_fmnist.csc"
LR = 0.05


def gpu_memory_sampler(pid_of):
    """Samples nvidia-smi's used memory (MiB) of the process pid_of() every
    50 ms. -> (start(), stop() -> peak MiB or None)."""
    smi = shutil.which("nvidia-smi")
    st = {"peak": None, "done": False}

    def loop():
        while not st["done"]:
            pid = pid_of()
            if pid and smi:
                out = subprocess.run(
                    [smi, "--query-compute-apps=pid,used_memory",
                     "--format=csv,noheader,nounits"],
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    text=True).stdout
                for line in out.splitlines():
                    p, _, mib = line.partition(",")
                    if p.strip() == str(pid) and mib.strip().isdigit():
                        st["peak"] = max(st["peak"] or 0, int(mib))
            time.sleep(0.05)
    th = threading.Thread(target=loop, daemon=True)

    def stop():
        st["done"] = True
        th.join()
        return st["peak"]
    return th.start, stop


def run_sampled(cmd, env, start, end):
    """train_cpu.run_peer with the process's device memory sampled."""
    holder = {}
    start_s, stop_s = gpu_memory_sampler(lambda: holder.get("pid"))
    start_s()
    res = T.run_peer(cmd, env, start, end,
                     on_start=lambda pid: holder.update(pid=pid))
    res["gpu_mib"] = stop_s()
    return res


def run_cscc(exe, args, threads, run_dir):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    cmd = [exe, "train", "--data", "simulated", "--data-train",
           str(args.images), "--data-test", "512", "--epochs", "1",
           "--batch", str(args.batch), "--progress", "plain", "--run-dir",
           run_dir, "--lr", repr(LR), "--momentum", "0.9", "--nesterov",
           "true", "--weight-decay", "5e-4", "--schedule", "constant",
           "--augment", "none", "--seed", "1"]
    res = run_sampled(cmd, env, "training ", r"epoch 1/1: ")
    T.check_rc(os.path.basename(exe) + " train", res)
    rec = [json.loads(l) for l in open(os.path.join(run_dir,
                                                    "metrics.jsonl"))][-1]
    steps = -(-args.images // args.batch)
    a, b = T.windows(steps)
    at = {}
    for t, line in res["lines"]:
        parts = line.split()
        if len(parts) > 2 and parts[0] == "epoch" and "/" in parts[2]:
            at[int(parts[2].split("/")[0])] = t
    return dict(loop=rec["images_per_second"],
                steady=(b - a) * args.batch / (at[b] - at[a]),
                gpu_mib=res["gpu_mib"], reserved_mib=None)


def torch_worker(spec):
    """Its own process (--worker SPEC.json): prints 'ready', 'training',
    'done' and 'RESULT {json}'."""
    import torch
    import csc_reference as R
    from cscc_io import read_safetensors
    import numpy as np
    dev = torch.device(spec["device"])
    torch.set_num_threads(spec["threads"])
    torch.backends.cudnn.benchmark = spec["benchmark"]
    net = R.build_example(MODEL)
    w, _ = read_safetensors(spec["weights"])
    net.load_state_dict({k: torch.from_numpy(np.asarray(v))
                         for k, v in w.items()}, strict=True)
    net = net.to(dev).train()
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=0.9,
                          nesterov=True, weight_decay=5e-4)
    gen = torch.Generator().manual_seed(1)
    n, bs = spec["n"], spec["batch"]
    x = torch.randn(n, 1, 28, 28, generator=gen).to(dev)
    y = torch.randint(0, 10, (n,), generator=gen).to(dev)

    def step(i):
        xb, yb = x[i:i + bs], y[i:i + bs]
        opt.zero_grad(set_to_none=True)
        out = net(xb).reshape(xb.shape[0], -1)
        loss = torch.nn.functional.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        return loss.item()  # synchronises, as cscc's loss read does
    print("ready", flush=True)
    for i in range(2):
        step(i * bs)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    print("training", flush=True)
    ends = []
    t0 = time.perf_counter()
    for i in range(0, n, bs):
        step(i)
        ends.append(time.perf_counter() - t0)
    reserved = (torch.cuda.max_memory_reserved() / 2**20
                if dev.type == "cuda" else None)
    print("done", flush=True)
    print("RESULT " + json.dumps(dict(ends=ends, reserved_mib=reserved,
                                      torch=torch.__version__)), flush=True)


def run_torch(args, device, benchmark, threads, weights, tmp):
    spec = dict(device=device, benchmark=benchmark, threads=threads,
                weights=weights, n=args.images, batch=args.batch)
    path = os.path.join(tmp, "spec-%s-%d.json" % (device, benchmark))
    with open(path, "w") as f:
        json.dump(spec, f)
    res = run_sampled([sys.executable, os.path.abspath(__file__), "--worker",
                       path], dict(os.environ), "ready", r"done$")
    T.check_rc("PyTorch", res)
    out = json.loads(next(l for _, l in res["lines"]
                          if l.startswith("RESULT "))[7:])
    ends = out["ends"]
    steps = -(-args.images // args.batch)
    a, b = T.windows(steps)
    return dict(loop=args.images / ends[-1],
                steady=(b - a) * args.batch / (ends[b - 1] - ends[a - 1]),
                gpu_mib=res["gpu_mib"] if device == "cuda" else None,
                reserved_mib=out["reserved_mib"], torch=out["torch"])


def fmt(v, digits=0):
    return "-" if v is None else "%.*f" % (digits, v)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        torch_worker(json.load(open(sys.argv[2])))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", default=os.path.join(ROOT, ".gpu"))
    ap.add_argument("--images", type=int, default=10240)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    ap.add_argument("-o", dest="output")
    args = ap.parse_args()
    weights = os.path.join(args.bundle, "msd-init.safetensors")
    if not os.path.exists(weights):
        sys.exit("bench: no %s: run scripts/gpu-bundle.sh first" % weights)
    cores = os.cpu_count() or 1
    peers = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.device == "cuda":
            peers.append(("cscc cuda", run_cscc(
                os.path.join(args.bundle, "bin", "msd-cuda"), args, cores,
                os.path.join(tmp, "cuda"))))
        peers.append(("cscc cpu (%d threads)" % cores, run_cscc(
            os.path.join(args.bundle, "bin", "msd-cpu"), args, cores,
            os.path.join(tmp, "cpu"))))
        if args.device == "cuda":
            peers.append(("torch cuda", run_torch(args, "cuda", False, cores,
                                                  weights, tmp)))
            peers.append(("torch cuda, cudnn.benchmark", run_torch(
                args, "cuda", True, cores, weights, tmp)))
        peers.append(("torch cpu (%d threads)" % cores, run_torch(
            args, "cpu", False, cores, weights, tmp)))
    base = dict(peers).get("torch cuda") or peers[-1][1]
    base_name = "torch cuda" if args.device == "cuda" else peers[-1][0]
    version = next((p["torch"] for _, p in peers if "torch" in p), "?")
    lines = [
        "Training %s, %d images of 1x28x28, batch %d, one epoch, float32 "
        "(PyTorch %s). Ratios over %s." % (MODEL, args.images, args.batch,
                                          version, base_name),
        "",
        "| peer | img/s loop | img/s steady | steady ratio | device MiB "
        "(nvidia-smi) | ratio | torch reserved MiB |",
        "|---|---:|---:|---:|---:|---:|---:|"]
    for name, p in peers:
        mem_ratio = (p["gpu_mib"] / base["gpu_mib"]
                     if p["gpu_mib"] and base.get("gpu_mib") else None)
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            name, fmt(p["loop"]), fmt(p["steady"]),
            fmt(p["steady"] / base["steady"], 2), fmt(p["gpu_mib"]),
            fmt(mem_ratio, 2), fmt(p["reserved_mib"])))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
