"""The runtime's optimiser API (runtime/lib/Optimizer.cpp) through ctypes,
and the PyTorch learning-rate schedules it must reproduce.

The lit tests compile runtime/lib/Optimizer.cpp with Inputs/optimizer_shim.cpp
into a shared library (RUN line) and pass its path here.
"""
import ctypes
import math

import torch


class Runtime:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        lib.cscc_check_error.restype = ctypes.c_char_p
        lib.cscc_check_hyper.argtypes = [
            ctypes.c_char_p, ctypes.c_double, ctypes.c_double, ctypes.c_double,
            ctypes.c_double, ctypes.c_double, ctypes.c_int, ctypes.c_double,
            ctypes.c_int64, ctypes.POINTER(ctypes.c_double)]
        lib.cscc_check_state_names.argtypes = [
            ctypes.c_char_p, ctypes.c_double, ctypes.c_char_p, ctypes.c_int64]
        lib.cscc_check_lr.argtypes = [
            ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64), ctypes.c_int64,
            ctypes.c_double, ctypes.c_int64, ctypes.c_int64, ctypes.c_double,
            ctypes.c_double, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
            ctypes.POINTER(ctypes.c_double)]
        self.lib = lib

    def error(self):
        return self.lib.cscc_check_error().decode()

    def hyper(self, opt, lr, step):
        """opt: dict kind, momentum, weight_decay, beta1, beta2, eps, nesterov."""
        out = (ctypes.c_double * 8)()
        rc = self.lib.cscc_check_hyper(
            opt["kind"].encode(), opt.get("momentum", 0.9), opt.get("weight_decay", 0.0),
            opt.get("beta1", 0.9), opt.get("beta2", 0.999), opt.get("eps", 1e-8),
            int(opt.get("nesterov", False)), lr, step, out)
        if rc:
            raise ValueError(self.error())
        return list(out)

    def state_names(self, kind, momentum):
        buf = ctypes.create_string_buffer(256)
        if self.lib.cscc_check_state_names(kind.encode(), momentum, buf, 256):
            raise ValueError(self.error())
        v = buf.value.decode()
        return v.split(",") if v else []

    def lr(self, sched, base_lr, epoch, step_in_epoch, steps_per_epoch):
        """sched: dict kind, milestones, gamma, warmup, epochs, min_lr."""
        ms = sched.get("milestones", [])
        arr = (ctypes.c_int64 * max(len(ms), 1))(*ms)
        out = ctypes.c_double()
        rc = self.lib.cscc_check_lr(
            sched["kind"].encode(), arr, len(ms), sched.get("gamma", 0.1),
            sched.get("warmup", 0), sched.get("epochs", 1),
            sched.get("min_lr", 0.0), base_lr, epoch,
            step_in_epoch, steps_per_epoch, ctypes.byref(out))
        if rc:
            raise ValueError(self.error())
        return out.value


def torch_schedulers(opt, sched, steps_per_epoch):
    """PyTorch's schedulers for `sched` on optimizer `opt`: (per_step, per_epoch)
    lists of schedulers to step after every optimiser step / every epoch.
    The warm-up is LinearLR(1/W, 1, W - 1) per step, chained with the main
    schedule (MultiStepLR / CosineAnnealingLR) per epoch."""
    per_step, per_epoch = [], []
    warm = sched.get("warmup", 0) * steps_per_epoch
    if warm > 1:
        per_step.append(torch.optim.lr_scheduler.LinearLR(
            opt, start_factor=1.0 / warm, end_factor=1.0, total_iters=warm - 1))
    elif warm == 1:
        pass  # one warm-up step at factor 1/1: nothing to do
    if sched["kind"] == "multistep":
        per_epoch.append(torch.optim.lr_scheduler.MultiStepLR(
            opt, milestones=sched["milestones"], gamma=sched.get("gamma", 0.1)))
    elif sched["kind"] == "cosine":
        per_epoch.append(torch.optim.lr_scheduler.CosineAnnealingLR(
            opt, T_max=sched["epochs"], eta_min=sched.get("min_lr", 0.0)))
    return per_step, per_epoch


def torch_learning_rates(sched, base_lr, epochs, steps_per_epoch):
    """The learning rate torch.optim uses at each step, [(epoch, step, lr)]."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=base_lr)
    per_step, per_epoch = torch_schedulers(opt, sched, steps_per_epoch)
    out = []
    for e in range(epochs):
        for s in range(steps_per_epoch):
            out.append((e, s, opt.param_groups[0]["lr"]))
            opt.step()
            for sc in per_step:
                sc.step()
        for sc in per_epoch:
            sc.step()
    return out
