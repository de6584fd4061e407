"""The optimiser and learning-rate flags of `cscc train` against PyTorch
(test/Train/optimizer.test).

  optim_ref.py make-data DIR
      an MNIST-style IDX directory (6x5 images): 4 training images that are
      all the same image with the same label, and 3 test images. Every
      batch of the training set is then the same batch whatever the data
      order, so each optimiser step's gradient is known: PyTorch replays a
      whole run exactly.

  optim_ref.py check CSCC MODEL RUN_DIR --seed S --batch B --epochs E
                [--optimizer sgd|adam] [--lr X] [--momentum X]
                [--nesterov] [--weight-decay X] [--beta1 X] [--beta2 X]
                [--eps X] [--schedule constant|multistep]
                [--milestones 1,2] [--gamma X] [--warmup N]
                [--wrong KEY=VALUE ...]
      replays the run of `cscc train MODEL --data DIR --dtype f64 --augment
      none --normalize false ...` (model Inputs/optim_model.csc: conv(2, 3,
      padding = 1), relu, global_avgpool, linear(10)) in float64 with
      torch.optim.SGD / torch.optim.Adam and PyTorch's schedulers
      (MultiStepLR stepped per epoch, chained with LinearLR(start_factor =
      1 / W, total_iters = W - 1) stepped per optimiser step for a warm-up
      of W steps), from `cscc init MODEL --seed S --dtype f64`, and
      compares RUN_DIR's last checkpoint (every parameter, every optimiser
      state tensor: momentum_buffer, exp_avg, exp_avg_sq) to 1e-9 relative
      and metrics.jsonl's lr of each epoch (its last step's) to 1e-12.
      Prints 'optimizer check: ok ...' or one 'FAIL' line per difference.
      Each --wrong KEY=VALUE (e.g. momentum=0, nesterov=, no-nesterov=)
      replays the run again with that one setting changed, as if cscc had
      ignored or misread the flag (warmup_per_epoch=N with warmup=0: a
      warm-up of N epochs by epoch instead of by step), and prints 'wrong KEY=VALUE: detected'
      when that replay does not match the checkpoint (the test of the
      test), else a FAIL line. Exit 1 on a failure.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Runtime", "Inputs"))
from datasets_util import idx_images, idx_labels  # noqa: E402

H, W = 6, 5
TRAIN = 4
LABEL = 3


def the_image():
    return np.random.default_rng(7).integers(0, 256, size=(H, W), dtype=np.uint8)


def make_data(d):
    os.makedirs(d, exist_ok=True)
    train = np.stack([the_image()] * TRAIN)
    test = np.random.default_rng(8).integers(0, 256, size=(3, H, W), dtype=np.uint8)
    files = {
        "train-images-idx3-ubyte": idx_images(train),
        "train-labels-idx1-ubyte": idx_labels([LABEL] * TRAIN),
        "t10k-images-idx3-ubyte": idx_images(test),
        "t10k-labels-idx1-ubyte": idx_labels([0, 1, 2]),
    }
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("make-data: %d identical training images, 3 test images" % TRAIN)


def forward(p, x):
    y = F.conv2d(x, p["conv0.weight"], p["conv0.bias"], padding=1)
    y = torch.relu(y).mean(dim=(2, 3))
    return F.linear(y, p["linear3.weight"], p["linear3.bias"])


def simulate(a, w0):
    """PyTorch's run: {name: tensor} (parameters and optimiser state) and
    the lr of each epoch's last step."""
    p = {k: torch.nn.Parameter(v.clone()) for k, v in w0.items()}
    names = sorted(p)
    params = [p[k] for k in names]
    if a.optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=a.lr, momentum=a.momentum,
                              nesterov=a.nesterov, weight_decay=a.weight_decay)
        state_names = ["momentum_buffer"] if a.momentum != 0 else []
    else:
        opt = torch.optim.Adam(params, lr=a.lr, betas=(a.beta1, a.beta2),
                               eps=a.eps, weight_decay=a.weight_decay)
        state_names = ["exp_avg", "exp_avg_sq"]
    steps_per_epoch = -(-TRAIN // a.batch)
    warm = None
    if a.warmup > 0:
        total = a.warmup * steps_per_epoch
        warm = torch.optim.lr_scheduler.LinearLR(
            opt, start_factor=1.0 / total, end_factor=1.0, total_iters=total - 1)
    main = None
    if a.schedule == "multistep":
        milestones = [int(m) for m in a.milestones.split(",") if m]
        main = torch.optim.lr_scheduler.MultiStepLR(opt, milestones, gamma=a.gamma)
    x = torch.tensor(np.stack([the_image()] * a.batch)[:, None], dtype=torch.float64) / 255
    labels = torch.full((a.batch,), LABEL, dtype=torch.int64)
    lrs = []
    for epoch in range(a.epochs):
        for _ in range(steps_per_epoch):
            if a.warmup_per_epoch:
                # A wrong warm-up (a test of the test): per epoch,
                # (epoch + 1) / W, instead of per step.
                lr = a.lr * a.gamma ** sum(1 for m in a.milestones.split(",")
                                           if m and int(m) <= epoch)
                if epoch < a.warmup_per_epoch:
                    lr = lr * (epoch + 1) / a.warmup_per_epoch
                opt.param_groups[0]["lr"] = lr
            lr = opt.param_groups[0]["lr"]
            opt.zero_grad()
            F.cross_entropy(forward(p, x), labels).backward()
            opt.step()
            if warm is not None:
                warm.step()
        lrs.append(lr)
        if main is not None:
            main.step()
    want = {k: p[k].detach() for k in names}
    for k in names:
        for s in state_names:
            want[k + "." + s] = opt.state[p[k]][s]
    return want, lrs


def compare(a, want, lrs, got, records):
    """-> (failure lines, worst relative difference)."""
    bad = []
    worst = 0.0
    for k, w in sorted(want.items()):
        g = got.get(k)
        if g is None:
            bad.append("%s: missing in the checkpoint" % k)
            continue
        if g.dtype != torch.float64 or tuple(g.shape) != tuple(w.shape):
            bad.append("%s: %s%s, expected float64%s" % (k, g.dtype, list(g.shape), list(w.shape)))
            continue
        err = (g - w).abs().max().item() / max(w.abs().max().item(), 1e-12)
        worst = max(worst, err)
        if not err <= 1e-9:
            bad.append("%s: relative difference %.3e" % (k, err))
    extra = set(got) - set(want)
    if extra:
        bad.append("unexpected tensors: %s" % sorted(extra))
    steps_per_epoch = -(-TRAIN // a.batch)
    if [r["epoch"] for r in records] != list(range(1, a.epochs + 1)):
        bad.append("metrics.jsonl epochs %s" % [r["epoch"] for r in records])
    else:
        for r, lr in zip(records, lrs):
            if r["step"] != r["epoch"] * steps_per_epoch:
                bad.append("epoch %d: step %d, expected %d" % (r["epoch"], r["step"], r["epoch"] * steps_per_epoch))
            if abs(r["lr"] - lr) > 1e-12 * a.lr:
                bad.append("epoch %d: lr %r, PyTorch %r" % (r["epoch"], r["lr"], lr))
    return bad, worst


def check(a, ap):
    with tempfile.TemporaryDirectory() as tmp:
        init = os.path.join(tmp, "init.safetensors")
        subprocess.run([a.cscc, "init", a.model, "-o", init, "--seed",
                        str(a.seed), "--dtype", "f64"], check=True)
        w0 = {k: v.double() for k, v in load_file(init).items()}
    got = load_file(os.path.join(a.run, "last.safetensors"))
    got.update(load_file(os.path.join(a.run, "last.train.safetensors")))
    with open(os.path.join(a.run, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f if line.strip()]

    want, lrs = simulate(a, w0)
    bad, worst = compare(a, want, lrs, got, records)
    for line in bad:
        print("optimizer check: FAIL: " + line)
    status = 1 if bad else 0
    if not bad:
        print("optimizer check: ok: %d tensors, %d steps, lr per epoch %s "
              "(worst relative difference %.1e)"
              % (len(want), a.epochs * -(-TRAIN // a.batch),
                 " ".join("%.6g" % lr for lr in lrs), worst))
    # The test of the test: the same check with one setting changed (as
    # if cscc had ignored that flag) must fail.
    for wrong in a.wrong:
        key, value = wrong.split("=", 1)
        flags = list(a.argv) + ["--" + key.replace("_", "-")]
        if value != "":
            flags.append(value)
        b = ap.parse_args(flags)
        b_want, b_lrs = simulate(b, w0)
        b_bad, _ = compare(b, b_want, b_lrs, got, records)
        if b_bad:
            print("wrong %s: detected (%s)" % (wrong, b_bad[0]))
        else:
            print("wrong %s: FAIL: not detected" % wrong)
            status = 1
    return status


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make-data":
        make_data(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["check"])
    ap.add_argument("cscc")
    ap.add_argument("model")
    ap.add_argument("run")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--nesterov", action="store_true")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.999)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--schedule", default="constant", choices=["constant", "multistep"])
    ap.add_argument("--milestones", default="")
    ap.add_argument("--gamma", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--wrong", action="append", default=[],
                    help="KEY=VALUE: check that this setting instead fails")
    ap.add_argument("--no-nesterov", dest="nesterov", action="store_false")
    ap.add_argument("--warmup-per-epoch", type=int, default=0)
    a = ap.parse_args()
    # Drop the --wrong options from what a wrong run re-parses.
    argv, skip = [], False
    for x in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if x == "--wrong":
            skip = True
            continue
        if x.startswith("--wrong="):
            continue
        argv.append(x)
    a.argv = argv
    return check(a, ap)


if __name__ == "__main__":
    sys.exit(main())
