#!/usr/bin/python3
"""Golden fixtures for the training recipe's library parts, computed by real PyTorch (float32, CPU):
torch.optim.AdamW, the learning-rate schedulers LinearLR, CosineAnnealingLR and SequentialLR,
CrossEntropyLoss(label_smoothing=...) forward and backward, and an exponential moving average of
a model's weights with torch.optim.swa_utils.AveragedModel. (SGD has its fixtures already:
make_op_fixtures.py, sgd_step_*.gold.)

Run from the repository root with Debian's interpreter (which has torch):
    /usr/bin/python3 scripts/golden/make_optim_fixtures.py
Writes nn/src/test/resources/golden/optim/{adamw,schedules,label_smoothing,ema}.gold (format: README.md).

Every hyperparameter is a float32 value handed to torch as a Python float, so that Java, which
keeps them in float, starts from the same doubles that torch computes its scalars from.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldfile import GoldWriter  # noqa: E402

OUT_DIR = os.path.join("nn", "src", "test", "resources", "golden", "optim")

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)


def f32(x):
    return float(np.float32(x))


def out(name):
    return os.path.join(OUT_DIR, name + ".gold")


def adamw():
    """Two parameters (37 and 8 elements: a vector body and a scalar tail in torch's kernels) over
    six steps; the learning rate changes before step 4, and the second parameter has no gradient
    at step 3, so it counts one step fewer from then on. Gradients span three orders of magnitude."""
    torch.manual_seed(901)
    lrs = [f32(0.01)] * 3 + [f32(0.004)] * 3
    beta1, beta2, eps, wd = f32(0.9), f32(0.999), f32(1e-8), f32(0.05)
    params = [torch.nn.Parameter(torch.randn(37)), torch.nn.Parameter(torch.randn(2, 4))]
    gw = GoldWriter().scalar("beta1", beta1).scalar("beta2", beta2).scalar("eps", eps).scalar("weight_decay", wd)
    gw.scalar("steps", len(lrs)).scalar("params", len(params))
    for i, p in enumerate(params):
        gw.add("param0.%d" % i, p)
    opt = torch.optim.AdamW(params, lr=lrs[0], betas=(beta1, beta2), eps=eps, weight_decay=wd)
    for k in range(1, len(lrs) + 1):
        for group in opt.param_groups:
            group["lr"] = lrs[k - 1]
        gw.scalar("lr%d" % k, lrs[k - 1])
        for i, p in enumerate(params):
            if i == 1 and k == 3:
                p.grad = None
            else:
                g = torch.randn(p.shape) * 10.0 ** (k % 3 - 1)
                p.grad = g.clone()
                gw.add("grad%d.%d" % (k, i), g)
        opt.step()
        for i, p in enumerate(params):
            state = opt.state[p]
            gw.add("param%d.%d" % (k, i), p).add("exp_avg%d.%d" % (k, i), state["exp_avg"])
            gw.add("exp_avg_sq%d.%d" % (k, i), state["exp_avg_sq"]).scalar("step%d.%d" % (k, i), state["step"].item())
    gw.write(out("adamw"))


def schedules():
    """Each case: the learning rate after 0..n steps of scheduler.step() (torch's get_last_lr()), as
    float32 (what the optimiser's float learning rate must be) and, in lr + lr_mid + lr_lo, the double."""
    gw = GoldWriter()

    def record(name, base, make, n, params):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
        sched = make(opt)
        lrs = [sched.get_last_lr()[0]]
        for _ in range(n):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr()[0])
        gw.scalar(name + ".base_lr", base).add(name + ".params", np.array(params, dtype=np.float64))
        gw.add(name + ".lr", np.array(lrs, dtype=np.float64))
        # The doubles exactly, as three float32 parts that sum to them (24 + 24 + 5 bits).
        rest = np.array(lrs, dtype=np.float64) - np.array(lrs, dtype=np.float32).astype(np.float64)
        mid = rest.astype(np.float32)
        lo = (rest - mid.astype(np.float64)).astype(np.float32)
        exact = np.array(lrs, dtype=np.float32).astype(np.float64) + mid.astype(np.float64) + lo.astype(np.float64)
        assert (exact == np.array(lrs, dtype=np.float64)).all()
        gw.add(name + ".lr_mid", mid).add(name + ".lr_lo", lo)

    lin = torch.optim.lr_scheduler.LinearLR
    cos = torch.optim.lr_scheduler.CosineAnnealingLR
    seq = torch.optim.lr_scheduler.SequentialLR
    # params: start factor, end factor, total steps
    record("linear", f32(0.1), lambda o: lin(o, start_factor=f32(0.25), end_factor=1.0, total_iters=4), 8,
           [f32(0.25), 1.0, 4])
    record("linear_decay", f32(0.05), lambda o: lin(o, start_factor=1.0, end_factor=f32(0.1), total_iters=5), 7,
           [1.0, f32(0.1), 5])
    # params: period (T_max), eta_min; past the period it climbs back up (torch's restart branch)
    record("cosine", f32(0.1), lambda o: cos(o, T_max=6, eta_min=f32(0.001)), 20, [6, f32(0.001)])
    record("cosine_long", f32(0.003), lambda o: cos(o, T_max=50, eta_min=0.0), 50, [50, 0.0])
    # params: warm-up start factor, warm-up steps (the milestone), cosine period, cosine eta_min
    record("warmup_cosine", f32(0.1),
           lambda o: seq(o, [lin(o, start_factor=f32(0.1), end_factor=1.0, total_iters=3),
                             cos(o, T_max=7, eta_min=f32(1e-4))], milestones=[3]), 12,
           [f32(0.1), 3, 7, f32(1e-4)])
    record("warmup_cosine_zero_min", f32(0.01),
           lambda o: seq(o, [lin(o, start_factor=f32(1 / 3), end_factor=1.0, total_iters=5),
                             cos(o, T_max=20, eta_min=0.0)], milestones=[5]), 25,
           [f32(1 / 3), 5, 20, 0.0])
    gw.write(out("schedules"))


def label_smoothing():
    """Mean cross-entropy of logits [6, 4] (one row shifted by +30, one by -30: the softmax saturates)
    with label smoothing: per case the loss and d loss / d logits for d loss = 1."""
    torch.manual_seed(902)
    logits0 = torch.randn(6, 4) * 2
    logits0[1] += 30
    logits0[4] -= 30
    logits0[4, 2] += 45
    targets = torch.tensor([0, 3, 1, 1, 2, 0])
    gw = GoldWriter().add("logits", logits0).add("targets", targets)
    for eps in (0.0, f32(0.1), f32(0.25), 1.0):
        x = logits0.detach().clone().requires_grad_(True)
        loss = F.cross_entropy(x, targets, label_smoothing=eps)
        (dx,) = torch.autograd.grad(loss, [x])
        name = "eps%g" % eps
        gw.scalar(name + ".label_smoothing", eps).add(name + ".loss", loss).add(name + ".dlogits", dx)
    gw.write(out("label_smoothing"))


def ema():
    """AveragedModel with an exponential averaging function over a Conv-BN-ReLU-Flatten-Linear
    model whose state is replaced by random values before each of five updates (what training
    would do); the buffers are copied from the model after each update. Entries: the model's state
    at construction (state0) and before update k (statek), and the averaged state after update k."""
    torch.manual_seed(903)
    decay = f32(0.9)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(2 * 4 * 4, 3))

    def ema_fn(averaged, current, num_averaged):
        return decay * averaged + (1 - decay) * current

    def randomize(k):
        with torch.no_grad():
            for name, t in model.state_dict().items():
                if name.endswith("num_batches_tracked"):
                    t.fill_(k)
                elif name.endswith("running_var"):
                    t.copy_(torch.rand(t.shape) + 0.5)
                else:
                    t.copy_(torch.randn(t.shape))

    randomize(0)
    gw = GoldWriter().scalar("decay", decay).scalar("updates", 5)
    for name, t in model.state_dict().items():
        gw.add("state0." + name, t)
    averaged = AveragedModel(model, avg_fn=ema_fn)
    for k in range(1, 6):
        randomize(k)
        for name, t in model.state_dict().items():
            gw.add("state%d.%s" % (k, name), t)
        averaged.update_parameters(model)
        with torch.no_grad():
            for b_avg, b in zip(averaged.module.buffers(), model.buffers()):
                b_avg.copy_(b)
        for name, t in averaged.module.state_dict().items():
            gw.add("ema%d.%s" % (k, name), t)
    gw.write(out("ema"))


def main():
    if not os.path.isdir("nn"):
        sys.exit("run from the repository root")
    os.makedirs(OUT_DIR, exist_ok=True)
    adamw()
    schedules()
    label_smoothing()
    ema()


if __name__ == "__main__":
    main()
