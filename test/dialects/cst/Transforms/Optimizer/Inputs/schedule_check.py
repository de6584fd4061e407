"""The runtime's learning-rate schedules and hyper tensors against PyTorch.

Usage: schedule_check.py SHIM_SO [--wrong]

scheduledLearningRate (runtime/lib/Optimizer.cpp, through ctypes) for every
step of several epochs against the learning rate torch.optim uses with
torch.optim.lr_scheduler: MultiStepLR and CosineAnnealingLR(T_max =
epochs) stepped per epoch, the warm-up as LinearLR(1/W, 1, W - 1) stepped
per optimiser step and chained (W = warm-up epochs x steps per epoch).
Tolerance 1e-13 relative to the base rate. optimizerHyper's slots against
torch.optim.Adam's own formulas (step_size, bias_correction2_sqrt) and
PyTorch's SGD/Adam settings; optimizerStateNames against the keys of
PyTorch's optimiser state; and the errors. --wrong compares against
slightly different schedules (eta_min = 0 where min_lr is set, T_max = epochs + 1, a warm-up one epoch
longer, gamma or lr off by 1e-7 / 1e-9 relative) and Adam's step_size of
the next step: every schedule but the one-epoch cosine and every Adam
hyper but step 1000's must fail.
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from optimizer_runtime import Runtime, torch_learning_rates  # noqa: E402

SCHEDULES = [
    ("constant", dict(kind="constant"), 0.1, 3, 4),
    ("constant_warmup2", dict(kind="constant", warmup=2), 0.1, 4, 3),
    ("multistep", dict(kind="multistep", milestones=[2, 4], gamma=0.1), 0.5, 6, 2),
    ("multistep_repeated_and_zero_warmup1",
     dict(kind="multistep", milestones=[3, 0, 3, 5], gamma=0.5, warmup=1), 0.2, 7, 3),
    ("multistep_milestone_in_warmup",
     dict(kind="multistep", milestones=[1, 3], gamma=0.3, warmup=3), 0.05, 5, 2),
    ("cosine", dict(kind="cosine", epochs=7), 0.1, 7, 2),
    ("cosine_warmup2", dict(kind="cosine", epochs=5, warmup=2), 0.4, 5, 3),
    ("cosine_one_epoch", dict(kind="cosine", epochs=1), 0.1, 1, 4),
    ("cosine_warmup_one_step", dict(kind="cosine", epochs=4, warmup=1), 0.1, 4, 1),
    ("cosine_min_lr", dict(kind="cosine", epochs=6, min_lr=0.01), 0.1, 6, 2),
    ("cosine_min_lr_warmup1", dict(kind="cosine", epochs=5, warmup=1, min_lr=0.002), 0.05, 5, 3),
]


def main():
    wrong = "--wrong" in sys.argv
    rt = Runtime(sys.argv[1])
    failed = 0
    for name, sched, base, epochs, spe in SCHEDULES:
        ref_sched, ref_base = dict(sched), base
        if wrong:
            if sched.get("min_lr"):
                ref_sched["min_lr"] = 0.0
            elif sched["kind"] == "cosine":
                ref_sched["epochs"] = sched["epochs"] + 1
            elif sched.get("warmup"):
                ref_sched["warmup"] = sched["warmup"] + 1
            elif sched["kind"] == "multistep":
                ref_sched["gamma"] = sched["gamma"] * (1 + 1e-7)
            else:
                ref_base = base * (1 + 1e-9)
        ref = torch_learning_rates(ref_sched, ref_base, epochs, spe)
        worst, first = 0.0, []
        for e, s, want in ref:
            got = rt.lr(sched, base, e, s, spe)
            d = abs(got - want) / base
            worst = max(worst, d)
            if d > 1e-13 and not first:
                first = [e, s, got, want]
        lrs = " ".join("%.6g" % rt.lr(sched, base, e, s, spe) for e, s, _ in ref)
        if first:
            failed += 1
            print("FAIL schedule %s: epoch %d step %d: %r, PyTorch %r" % (name, *first))
        else:
            print("ok schedule %s (%d epochs x %d steps, max |difference| / lr %.1e): %s"
                  % (name, epochs, spe, worst, lrs))

    # optimizerHyper: PyTorch's single-tensor Adam computes, per step,
    # bias_correction1 = 1 - beta1 ** step, step_size = lr / bias_correction1,
    # bias_correction2_sqrt = math.sqrt(1 - beta2 ** step).
    adam = dict(kind="adam", beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01)
    for step in (1, 2, 3, 10, 1000):
        lr = 0.003
        h = rt.hyper(adam, lr, step)
        want = [lr, 0.9, 0.999, 1e-8, 0.01, lr / (1 - 0.9 ** float(step)),
                math.sqrt(1 - 0.999 ** float(step)), float(step)]
        if wrong:
            want[5] = lr / (1 - 0.9 ** float(step + 1))
        ok = h == want
        failed += not ok
        print("%s hyper adam step %d: %s" % ("ok" if ok else "FAIL", step,
                                              " ".join(repr(v) for v in h)))
    sgd = dict(kind="sgd", momentum=0.9, weight_decay=5e-4, nesterov=True)
    for step in (1, 7):
        h = rt.hyper(sgd, 0.05, step)
        want = [0.05, 0.9, 5e-4, 1.0, 0.0, 0.0, 0.0, float(step)]
        ok = h == want
        failed += not ok
        print("%s hyper sgd step %d: %s" % ("ok" if ok else "FAIL", step,
                                             " ".join(repr(v) for v in h)))

    # State names: the keys of PyTorch's optimiser state after one step.
    for kind, momentum in (("sgd", 0.9), ("sgd", 0.0), ("adam", 0.9)):
        p = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
        opt = (torch.optim.SGD([p], lr=0.1, momentum=momentum) if kind == "sgd"
               else torch.optim.Adam([p], lr=0.1))
        p.grad = torch.ones(2, dtype=torch.float64)
        opt.step()
        want = sorted(k for k, v in opt.state[p].items()
                      if k != "step" and isinstance(v, torch.Tensor))
        got = rt.state_names(kind, momentum)
        ok = sorted(got) == want
        failed += not ok
        print("%s state names %s momentum %g: %s" % ("ok" if ok else "FAIL", kind, momentum,
                                                     ",".join(got) or "(none)"))

    # Errors.
    for what, call in (
            ("optimizer", lambda: rt.hyper(dict(kind="adamw"), 0.1, 1)),
            ("step", lambda: rt.hyper(dict(kind="adam"), 0.1, 0)),
            ("state names", lambda: rt.state_names("rmsprop", 0.9)),
            ("schedule", lambda: rt.lr(dict(kind="linear"), 0.1, 0, 0, 1)),
            ("steps per epoch", lambda: rt.lr(dict(kind="constant"), 0.1, 0, 0, 0)),
            ("epoch", lambda: rt.lr(dict(kind="constant"), 0.1, -1, 0, 1))):
        try:
            call()
            failed += 1
            print("FAIL error %s: no error" % what)
        except ValueError as e:
            print("error %s: %s" % (what, e))
    if failed:
        sys.exit("%d checks failed" % failed)


if __name__ == "__main__":
    main()
