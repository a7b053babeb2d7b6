#!/usr/bin/python3
"""Golden fixtures for the single tensor ops, computed by real PyTorch (float32, CPU).

Run from the repository root with Debian's interpreter (which has torch):
    /usr/bin/python3 scripts/golden/make_op_fixtures.py
Writes one .gold file per case into tensor/src/test/resources/golden/ops/ (format: README.md), named
after its op as Ops names it in errors (max_pool2d, batch_norm, sgd_step, ...), then the case.
Every tensor is drawn from torch's generator after torch.manual_seed(<case seed>), so the files
are reproducible. Gradients come from torch.autograd.grad(outputs, inputs, grad_outputs=dy).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldfile import GoldWriter  # noqa: E402

OUT_DIR = os.path.join("tensor", "src", "test", "resources", "golden", "ops")

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)  # deterministic reduction order


def out(name):
    return os.path.join(OUT_DIR, name + ".gold")


def grads(y, inputs, dy):
    return torch.autograd.grad(y, inputs, grad_outputs=dy)


def leaf(t):
    return t.detach().clone().requires_grad_(True)


# ---- convolution ---------------------------------------------------------------------------------

def conv_case(name, seed, n, c, h, w, k, kh, kw, stride, padding, bias):
    torch.manual_seed(seed)
    x = leaf(torch.randn(n, c, h, w))
    wt = leaf(torch.randn(k, c, kh, kw) * 0.5)
    b = leaf(torch.randn(k)) if bias else None
    y = F.conv2d(x, wt, b, stride=stride, padding=padding)
    dy = torch.randn_like(y)
    inputs = [x, wt] + ([b] if bias else [])
    g = grads(y, inputs, dy)
    gw = GoldWriter()
    gw.add("x", x).add("w", wt)
    if bias:
        gw.add("b", b)
    gw.add("stride", torch.tensor(stride, dtype=torch.float32))
    gw.add("padding", torch.tensor(padding, dtype=torch.float32))
    gw.scalar("has_bias", 1.0 if bias else 0.0)
    gw.add("y", y).add("dy", dy).add("dx", g[0]).add("dw", g[1])
    if bias:
        gw.add("db", g[2])
    gw.write(out(name))


# ---- batch normalisation -------------------------------------------------------------------------

def batch_norm_inputs(seed):
    torch.manual_seed(seed)
    n, c, h, w = 3, 4, 5, 5
    channel_mean = torch.tensor([1.5, -2.0, 0.5, 3.0])
    channel_scale = torch.tensor([0.7, 1.3, 2.0, 0.4])
    x = torch.randn(n, c, h, w) * channel_scale.view(1, c, 1, 1) + channel_mean.view(1, c, 1, 1)
    gamma = torch.rand(c) * 1.5 + 0.25
    beta = torch.randn(c)
    running_mean = torch.randn(c)
    running_var = torch.rand(c) * 2.0 + 0.5
    return x, gamma, beta, running_mean, running_var


def batch_norm_train():
    momentum, eps = 0.1, 1e-5
    x0, gamma0, beta0, rm0, rv0 = batch_norm_inputs(101)
    x, gamma, beta = leaf(x0), leaf(gamma0), leaf(beta0)
    rm, rv = rm0.clone(), rv0.clone()
    y = F.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=momentum, eps=eps)
    dy = torch.randn_like(y)
    dx, dgamma, dbeta = grads(y, [x, gamma, beta], dy)

    # The saved statistics, from ATen's own kernel (the same one F.batch_norm ran).
    rm2, rv2 = rm0.clone(), rv0.clone()
    y2, save_mean, save_invstd = torch.native_batch_norm(x0, gamma0, beta0, rm2, rv2, True, momentum, eps)
    assert torch.equal(y2, y.detach()) and torch.equal(rm2, rm) and torch.equal(rv2, rv)
    ref_mean = x0.mean(dim=(0, 2, 3))
    ref_invstd = 1.0 / torch.sqrt(x0.var(dim=(0, 2, 3), unbiased=False) + eps)
    assert torch.allclose(save_mean, ref_mean, rtol=1e-5, atol=1e-6)
    assert torch.allclose(save_invstd, ref_invstd, rtol=1e-5)

    gw = GoldWriter()
    gw.add("x", x0).add("gamma", gamma0).add("beta", beta0)
    gw.add("running_mean", rm0).add("running_var", rv0)
    gw.scalar("momentum", momentum).scalar("eps", eps)
    gw.add("y", y)
    gw.add("running_mean_after", rm).add("running_var_after", rv)
    gw.add("save_mean", save_mean).add("save_invstd", save_invstd)
    gw.add("dy", dy).add("dx", dx).add("dgamma", dgamma).add("dbeta", dbeta)
    gw.write(out("batch_norm_train"))


def batch_norm_eval():
    eps = 1e-5
    x0, gamma0, beta0, rm0, rv0 = batch_norm_inputs(102)
    x, gamma, beta = leaf(x0), leaf(gamma0), leaf(beta0)
    rm, rv = rm0.clone(), rv0.clone()
    y = F.batch_norm(x, rm, rv, gamma, beta, training=False, momentum=0.1, eps=eps)
    assert torch.equal(rm, rm0) and torch.equal(rv, rv0)
    dy = torch.randn_like(y)
    dx, dgamma, dbeta = grads(y, [x, gamma, beta], dy)
    gw = GoldWriter()
    gw.add("x", x0).add("gamma", gamma0).add("beta", beta0)
    gw.add("running_mean", rm0).add("running_var", rv0)
    gw.scalar("eps", eps)
    gw.add("y", y).add("dy", dy).add("dx", dx).add("dgamma", dgamma).add("dbeta", dbeta)
    gw.write(out("batch_norm_eval"))


# ---- activation and pooling ----------------------------------------------------------------------

def relu():
    torch.manual_seed(201)
    x0 = torch.randn(2, 3, 4, 5)
    x0 = torch.where(x0.abs() < 1e-2, torch.sign(x0 + 1e-12) * 1e-2 + x0, x0)  # nothing near 0
    assert x0.abs().min() >= 1e-3
    x = leaf(x0)
    y = F.relu(x)
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    GoldWriter().add("x", x0).add("y", y).add("dy", dy).add("dx", dx).write(out("relu"))


def max_pool2d(name, seed, h, w):
    torch.manual_seed(seed)
    x = leaf(torch.randn(2, 3, h, w))
    y = F.max_pool2d(x, kernel_size=2, stride=2)
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    gw = GoldWriter().add("x", x)
    gw.add("kernel", torch.tensor([2.0, 2.0])).add("stride", torch.tensor([2.0, 2.0]))
    gw.add("y", y).add("dy", dy).add("dx", dx).write(out(name))


def adaptive_avg_pool2d(name, seed, h, w, oh, ow):
    torch.manual_seed(seed)
    x = leaf(torch.randn(2, 3, h, w))
    y = F.adaptive_avg_pool2d(x, (oh, ow))
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    gw = GoldWriter().add("x", x).add("output_size", torch.tensor([float(oh), float(ow)]))
    gw.add("y", y).add("dy", dy).add("dx", dx).write(out(name))


# ---- dense ---------------------------------------------------------------------------------------

def linear():
    torch.manual_seed(301)
    x = leaf(torch.randn(4, 6))
    w = leaf(torch.randn(3, 6) * 0.5)
    b = leaf(torch.randn(3))
    y = F.linear(x, w, b)
    dy = torch.randn_like(y)
    dx, dw, db = grads(y, [x, w, b], dy)
    gw = GoldWriter().add("x", x).add("w", w).add("b", b).add("y", y)
    gw.add("dy", dy).add("dx", dx).add("dw", dw).add("db", db).write(out("linear"))


def softmax():
    torch.manual_seed(401)
    x = torch.randn(4, 5) * 2.0
    x[3] += 50.0  # large logits: the kernel must subtract the row max
    y = torch.softmax(x, dim=1)
    GoldWriter().add("x", x).add("y", y).write(out("softmax"))


def cross_entropy():
    torch.manual_seed(402)
    logits = leaf(torch.randn(6, 3) * 2.0)
    targets = torch.tensor([0, 2, 1, 1, 0, 2])
    loss = F.cross_entropy(logits, targets, reduction="mean")
    dloss = torch.tensor(1.0)
    (dlogits,) = grads(loss, [logits], dloss)
    gw = GoldWriter().add("logits", logits).add("targets", targets)
    gw.add("probs", torch.softmax(logits.detach(), dim=1))
    gw.add("loss", loss).add("dloss", dloss).add("dlogits", dlogits).write(out("cross_entropy"))


# ---- elementwise and reductions ------------------------------------------------------------------

def add_mul():
    torch.manual_seed(501)
    a = leaf(torch.randn(3, 4, 5))
    b = leaf(torch.randn(3, 4, 5))
    y = a + b
    dy = torch.randn_like(y)
    da, db = grads(y, [a, b], dy)
    GoldWriter().add("a", a).add("b", b).add("y", y).add("dy", dy).add("da", da).add("db", db).write(out("add"))

    torch.manual_seed(502)
    a = leaf(torch.randn(3, 4, 5))
    b = leaf(torch.randn(3, 4, 5))
    y = a * b
    dy = torch.randn_like(y)
    da, db = grads(y, [a, b], dy)
    GoldWriter().add("a", a).add("b", b).add("y", y).add("dy", dy).add("da", da).add("db", db).write(out("mul"))


def scale():
    torch.manual_seed(503)
    x = leaf(torch.randn(2, 7))
    alpha = -0.37
    y = x * alpha
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    GoldWriter().add("x", x).scalar("alpha", alpha).add("y", y).add("dy", dy).add("dx", dx).write(out("scale"))


def reductions():
    torch.manual_seed(504)
    x = leaf(torch.randn(3, 4, 5))
    y = x.sum()
    dy = torch.randn(())
    (dx,) = grads(y, [x], dy)
    GoldWriter().add("x", x).add("y", y).add("dy", dy).add("dx", dx).write(out("sum"))

    torch.manual_seed(505)
    x = leaf(torch.randn(3, 4, 5) + 0.5)
    y = x.mean()
    dy = torch.randn(())
    (dx,) = grads(y, [x], dy)
    GoldWriter().add("x", x).add("y", y).add("dy", dy).add("dx", dx).write(out("mean"))

    torch.manual_seed(506)
    x = torch.randn(5, 4)
    x[1] = torch.tensor([0.25, 1.75, 1.75, -3.0])  # tie: the first maximum wins
    x[3] = torch.tensor([2.5, -1.0, 2.5, 2.5])     # tie at the start of the row
    idx = torch.argmax(x, dim=1)
    assert idx[1].item() == 1 and idx[3].item() == 0
    GoldWriter().add("x", x).add("indices", idx).write(out("argmax"))


# ---- optimiser -----------------------------------------------------------------------------------

def sgd(name, seed, momentum):
    torch.manual_seed(seed)
    p = torch.nn.Parameter(torch.randn(5, 3))
    lr, wd = 0.1, 1e-3
    gw = GoldWriter().add("param0", p).scalar("momentum", momentum).scalar("weight_decay", wd)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum, weight_decay=wd)
    lrs = [0.1, 0.1, 0.05]
    for step in (1, 2, 3):
        if step == 3:
            for group in opt.param_groups:
                group["lr"] = 0.05
        g = torch.randn(5, 3)
        p.grad = g.clone()
        opt.step()
        gw.add("grad%d" % step, g).scalar("lr%d" % step, lrs[step - 1]).add("param%d" % step, p)
        if momentum != 0.0:
            gw.add("buf%d" % step, opt.state[p]["momentum_buffer"])
    gw.write(out(name))


def main():
    if not os.path.isdir("tensor"):
        sys.exit("run from the repository root")
    os.makedirs(OUT_DIR, exist_ok=True)
    conv_case("conv2d_basic", 1, n=2, c=3, h=8, w=8, k=4, kh=3, kw=3, stride=(1, 1), padding=(1, 1), bias=True)
    conv_case("conv2d_strided_rect", 2, n=2, c=3, h=7, w=9, k=5, kh=3, kw=2, stride=(2, 1), padding=(0, 1),
              bias=True)
    conv_case("conv2d_1x1_nobias", 3, n=1, c=2, h=5, w=5, k=3, kh=1, kw=1, stride=(1, 1), padding=(0, 0),
              bias=False)
    # VGG's 3x3 pad-1 geometry with an odd side (a last 2x2 tile half outside): the CPU tests also
    # run it through Winograd F(2x2, 3x3).
    conv_case("conv2d_3x3_odd", 4, n=2, c=16, h=7, w=9, k=20, kh=3, kw=3, stride=(1, 1), padding=(1, 1),
              bias=True)
    batch_norm_train()
    batch_norm_eval()
    relu()
    max_pool2d("max_pool2d_8x8", 211, 8, 8)
    max_pool2d("max_pool2d_5x7", 212, 5, 7)
    adaptive_avg_pool2d("adaptive_avg_pool2d_12x12_to_7x7", 221, 12, 12, 7, 7)
    adaptive_avg_pool2d("adaptive_avg_pool2d_5x5_to_7x7", 222, 5, 5, 7, 7)
    adaptive_avg_pool2d("adaptive_avg_pool2d_7x7_to_7x7", 223, 7, 7, 7, 7)
    adaptive_avg_pool2d("adaptive_avg_pool2d_8x5_to_3x2", 224, 8, 5, 3, 2)
    linear()
    softmax()
    cross_entropy()
    add_mul()
    scale()
    reductions()
    sgd("sgd_step_momentum", 601, 0.9)
    sgd("sgd_step_plain", 602, 0.0)
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR))
    print("wrote %d files, %d bytes, to %s" % (len(os.listdir(OUT_DIR)), total, OUT_DIR))


if __name__ == "__main__":
    main()
