"""Each epoch's learning rate in a metrics.jsonl against PyTorch's
CosineAnnealingLR(T_max = epochs, eta_min = min_lr) stepped once per epoch
(torch.optim.SGD on one parameter, float64).

Usage: check_lr.py METRICS_JSONL LR MIN_LR EPOCHS
Prints 'lr epoch E: ok' or 'lr epoch E: FAIL ...' per epoch; exits 1 on a
failure."""
import json
import sys

import torch

path, lr, min_lr, epochs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
opt = torch.optim.SGD([p], lr=lr)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=min_lr)
want = []
for _ in range(epochs):
    want.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
got = {}
with open(path) as f:
    for line in f:
        r = json.loads(line)
        got[r["epoch"]] = r["lr"]
bad = 0
for e in range(1, epochs + 1):
    g, w = got.get(e), want[e - 1]
    if g is None or abs(g - w) > 1e-9 * lr:
        bad += 1
        print("lr epoch %d: FAIL %r, PyTorch %r" % (e, g, w))
    else:
        print("lr epoch %d: ok" % e)
sys.exit(1 if bad else 0)
