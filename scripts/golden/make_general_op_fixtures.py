#!/usr/bin/python3
"""Golden fixtures for the general op set, computed by real PyTorch (float32, CPU): sigmoid, tanh,
GELU (exact and tanh), exp, log, avg_pool2d, max_pool2d with padding, layer_norm, and the
binary_cross_entropy_with_logits and mse_loss losses (mean reduction).

Run from the repository root with Debian's interpreter (which has torch):
    /usr/bin/python3 scripts/golden/make_general_op_fixtures.py
Writes tensor/src/test/resources/golden/ops/{sigmoid,tanh,gelu_*,exp,log,avg_pool2d_*,
max_pool2d_padded_*,layer_norm_*,binary_cross_entropy_with_logits,mse_loss}.gold (format: README.md).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldfile import GoldWriter  # noqa: E402
from make_op_fixtures import OUT_DIR, grads, leaf, out  # noqa: E402

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)


def pair(values):
    return torch.tensor(values, dtype=torch.float32)


def unary_case(name, seed, fn, x0):
    """y = fn(x) and its gradient for a random dy: x y dy dx."""
    torch.manual_seed(seed)
    x = leaf(x0)
    y = fn(x)
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    GoldWriter().add("x", x).add("y", y).add("dy", dy).add("dx", dx).write(out(name))


def activations():
    torch.manual_seed(801)
    wide = torch.randn(2, 3, 4, 5) * 3
    wide[0, 0, 0, :] = pair([-30.0, -12.0, 0.0, 12.0, 30.0])  # saturation, where a naive formula overflows
    unary_case("sigmoid", 802, torch.sigmoid, wide)
    unary_case("tanh", 803, torch.tanh, wide)
    torch.manual_seed(804)
    moderate = torch.randn(2, 3, 4, 5) * 2
    moderate[0, 0, 0, :] = pair([-9.0, -4.0, 0.0, 4.0, 9.0])
    unary_case("gelu_exact", 805, lambda t: F.gelu(t, approximate="none"), moderate)
    unary_case("gelu_tanh", 806, lambda t: F.gelu(t, approximate="tanh"), moderate)
    torch.manual_seed(807)
    unary_case("exp", 808, torch.exp, torch.randn(3, 7) * 2)
    torch.manual_seed(809)
    unary_case("log", 810, torch.log, torch.rand(3, 7) * 5 + 0.05)


def pool_case(name, seed, fn, x0, kernel, stride, padding):
    """fn(x, kernel, stride, padding) with PyTorch's defaults otherwise: x kernel[2] stride[2] padding[2] y dy dx."""
    torch.manual_seed(seed)
    x = leaf(x0)
    y = fn(x, kernel_size=kernel, stride=stride, padding=padding)
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    gw = GoldWriter().add("x", x)
    gw.add("kernel", pair(kernel)).add("stride", pair(stride)).add("padding", pair(padding))
    gw.add("y", y).add("dy", dy).add("dx", dx).write(out(name))


def pooling():
    torch.manual_seed(821)
    x = torch.randn(2, 3, 7, 8)
    pool_case("avg_pool2d_3x3_stride2_pad1", 822, F.avg_pool2d, x, (3, 3), (2, 2), (1, 1))
    pool_case("avg_pool2d_2x2_stride2", 823, F.avg_pool2d, torch.randn(2, 3, 8, 8), (2, 2), (2, 2), (0, 0))
    pool_case("avg_pool2d_3x2_stride1x2_pad1x0", 824, F.avg_pool2d, torch.randn(1, 2, 6, 5), (3, 2), (1, 2),
              (1, 0))
    # Mostly negative inputs: a padded cell (zero, were it counted) would win many windows.
    torch.manual_seed(825)
    pool_case("max_pool2d_padded_3x3_stride2_pad1", 826, F.max_pool2d, torch.randn(2, 3, 7, 8) - 2.5,
              (3, 3), (2, 2), (1, 1))
    pool_case("max_pool2d_padded_2x3_stride2x1_pad1", 827, F.max_pool2d, torch.randn(1, 2, 5, 6) - 2.5,
              (2, 3), (2, 1), (1, 1))


def layer_norm_case(name, seed, dims, normalized, eps, offset):
    """F.layer_norm over the trailing dims: x weight bias eps y save_mean save_invstd dy dx dweight dbias."""
    torch.manual_seed(seed)
    x0 = torch.randn(*dims) * 1.5 + offset
    weight = leaf(torch.rand(*normalized) * 1.5 + 0.25)
    bias = leaf(torch.randn(*normalized))
    x = leaf(x0)
    y = F.layer_norm(x, normalized, weight, bias, eps)
    dy = torch.randn_like(y)
    dx, dweight, dbias = grads(y, [x, weight, bias], dy)
    # The saved statistics, one per normalised row, from ATen's own kernel.
    y2, save_mean, save_invstd = torch.native_layer_norm(x0, normalized, weight.detach(), bias.detach(), eps)
    assert torch.equal(y2, y.detach())
    gw = GoldWriter().add("x", x).add("weight", weight).add("bias", bias).scalar("eps", eps)
    gw.add("y", y).add("save_mean", save_mean.reshape(-1)).add("save_invstd", save_invstd.reshape(-1))
    gw.add("dy", dy).add("dx", dx).add("dweight", dweight).add("dbias", dbias).write(out(name))


def losses():
    torch.manual_seed(841)
    logits = torch.randn(4, 5) * 3
    logits[0, :] = pair([-40.0, -15.0, 0.0, 15.0, 40.0])  # exp(40) overflows a naive float formula
    logits = leaf(logits)
    target = leaf(torch.rand(4, 5))  # probabilities, not only 0 and 1
    loss = F.binary_cross_entropy_with_logits(logits, target)
    dloss = torch.tensor(0.75)
    dlogits, dtarget = grads(loss, [logits, target], dloss)
    gw = GoldWriter().add("logits", logits).add("target", target).add("loss", loss).add("dloss", dloss)
    gw.add("dlogits", dlogits).add("dtarget", dtarget).write(out("binary_cross_entropy_with_logits"))

    torch.manual_seed(842)
    x = leaf(torch.randn(3, 4, 5))
    target = leaf(torch.randn(3, 4, 5))
    loss = F.mse_loss(x, target)
    dloss = torch.tensor(1.5)
    dx, dtarget = grads(loss, [x, target], dloss)
    gw = GoldWriter().add("x", x).add("target", target).add("loss", loss).add("dloss", dloss)
    gw.add("dx", dx).add("dtarget", dtarget).write(out("mse_loss"))


def main():
    if not os.path.isdir("tensor"):
        sys.exit("run from the repository root")
    os.makedirs(OUT_DIR, exist_ok=True)
    activations()
    pooling()
    layer_norm_case("layer_norm_last_dim", 831, (4, 6, 10), [10], 1e-5, 0.0)
    layer_norm_case("layer_norm_two_dims", 832, (3, 5, 4), [5, 4], 1e-3, 4.0)
    losses()


if __name__ == "__main__":
    main()
