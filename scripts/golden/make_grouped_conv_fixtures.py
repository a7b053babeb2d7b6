#!/usr/bin/python3
"""Golden fixtures for the MobileNet ops, computed by real PyTorch (float32, CPU): grouped and
depthwise convolution, asymmetric zero padding, and ReLU6 (clamp to [0, 6]).

Run from the repository root with Debian's interpreter (which has torch):
    /usr/bin/python3 scripts/golden/make_grouped_conv_fixtures.py
Writes tensor/src/test/resources/golden/ops/{conv2d_grouped_*,pad2d_*,clamp_relu6}.gold (format: README.md).
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


def grouped_conv_case(name, seed, n, c, h, w, k, kh, kw, stride, padding, groups, bias):
    """Entries as conv2d_*, plus groups: x w [b] stride[2] padding[2] groups has_bias y dy dx dw [db]."""
    torch.manual_seed(seed)
    x = leaf(torch.randn(n, c, h, w))
    wt = leaf(torch.randn(k, c // groups, kh, kw) * 0.5)
    b = leaf(torch.randn(k)) if bias else None
    y = F.conv2d(x, wt, b, stride=stride, padding=padding, groups=groups)
    dy = torch.randn_like(y)
    g = grads(y, [x, wt] + ([b] if bias else []), dy)
    gw = GoldWriter().add("x", x).add("w", wt)
    if bias:
        gw.add("b", b)
    gw.add("stride", torch.tensor(stride, dtype=torch.float32))
    gw.add("padding", torch.tensor(padding, dtype=torch.float32))
    gw.scalar("groups", groups).scalar("has_bias", 1.0 if bias else 0.0)
    gw.add("y", y).add("dy", dy).add("dx", g[0]).add("dw", g[1])
    if bias:
        gw.add("db", g[2])
    gw.write(out(name))


def pad_case(name, seed, top, bottom, left, right):
    """F.pad(x, (left, right, top, bottom)): x padding[4] (top, bottom, left, right) y dy dx."""
    torch.manual_seed(seed)
    x = leaf(torch.randn(2, 3, 5, 6))
    y = F.pad(x, (left, right, top, bottom))
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    gw = GoldWriter().add("x", x).add("padding", torch.tensor([top, bottom, left, right], dtype=torch.float32))
    gw.add("y", y).add("dy", dy).add("dx", dx).write(out(name))


def clamp_relu6():
    """F.relu6 on values in (-3, 9), none within 1e-2 of the kinks at 0 and 6: x y dy dx."""
    torch.manual_seed(231)
    x0 = torch.rand(2, 3, 4, 5) * 12 - 3
    for kink in (0.0, 6.0):
        near = (x0 - kink).abs() < 1e-2
        x0 = torch.where(near, x0 + 0.05, x0)
    x = leaf(x0)
    y = F.relu6(x)
    dy = torch.randn_like(y)
    (dx,) = grads(y, [x], dy)
    GoldWriter().add("x", x0).add("y", y).add("dy", dy).add("dx", dx).write(out("clamp_relu6"))


def main():
    if not os.path.isdir("tensor"):
        sys.exit("run from the repository root")
    os.makedirs(OUT_DIR, exist_ok=True)
    grouped_conv_case("conv2d_grouped_depthwise", 701, n=2, c=4, h=9, w=9, k=4, kh=3, kw=3, stride=(1, 1),
                      padding=(1, 1), groups=4, bias=True)
    grouped_conv_case("conv2d_grouped_depthwise_stride2", 702, n=2, c=3, h=8, w=7, k=6, kh=3, kw=3,
                      stride=(2, 2), padding=(0, 0), groups=3, bias=False)
    grouped_conv_case("conv2d_grouped_general", 703, n=2, c=6, h=7, w=6, k=9, kh=3, kw=2, stride=(2, 1),
                      padding=(1, 0), groups=3, bias=True)
    pad_case("pad2d_asymmetric", 711, top=1, bottom=2, left=0, right=3)
    pad_case("pad2d_same_stride2", 712, top=0, bottom=1, left=0, right=1)
    clamp_relu6()


if __name__ == "__main__":
    main()
