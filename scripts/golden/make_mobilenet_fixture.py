#!/usr/bin/python3
"""Golden fixture for a small torchvision MobileNetV2 and the key list of the full-size one.

Run from the repository root with Debian's interpreter (which has torch and torchvision):
    /usr/bin/python3 scripts/golden/make_mobilenet_fixture.py
Writes
  nn/src/test/resources/golden/mobilenet_small.gold: torchvision.models.MobileNetV2(num_classes=3,
      width_mult=0.25, inverted_residual_setting=[[1, 32, 1, 1], [6, 32, 2, 2], [6, 64, 1, 2]]), which
      is stem 8, blocks 8->8 (t1, residual), 8->8 (s2), 8->8 (residual), 8->16 (s2), last conv 1280.
      Entries as vgg_small.gold: input [2,3,12,12], targets, state.<name> (BatchNorm weights, biases
      and running statistics random), and per mode train/eval <mode>.logits, .loss, .grad.input,
      .grad.<param>, .state_after.<running stat>. The dropout is set to p=0.
  nn/src/test/resources/weights/mobilenet_v2_keys.txt: torchvision.models.mobilenet_v2().state_dict(),
      one "name [shape]" line per entry, in order.
"""
import copy
import os
import sys

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldfile import GoldWriter  # noqa: E402

OUT = os.path.join("nn", "src", "test", "resources", "golden", "mobilenet_small.gold")
KEYS = os.path.join("nn", "src", "test", "resources", "weights", "mobilenet_v2_keys.txt")
SETTING = [[1, 32, 1, 1], [6, 32, 2, 2], [6, 64, 1, 2]]
# ReLU6 inputs this close to a kink (0 or 6) would make the fixture depend on float32 summation order.
MARGIN = 2e-5

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)


def small_model(seed):
    torch.manual_seed(seed)
    model = torchvision.models.MobileNetV2(num_classes=3, width_mult=0.25, inverted_residual_setting=SETTING,
                                           dropout=0.0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c) * 1.5 + 0.25)
                m.bias.copy_(torch.randn(c) * 0.5)
                m.running_mean.copy_(torch.randn(c) * 0.5)
                m.running_var.copy_(torch.rand(c) * 1.5 + 0.5)
    return model


def kink_distance(model, x, train):
    """The smallest distance of any ReLU6 input to 0 or 6 in one forward pass."""
    seen = []
    # A pre-hook: torchvision's ReLU6 is in place, so a forward hook would see its output.
    hooks = [m.register_forward_pre_hook(lambda mod, inp: seen.append(inp[0].detach().clone()))
             for m in model.modules() if isinstance(m, nn.ReLU6)]
    model.train(train)
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return min(torch.minimum(t.abs(), (t - 6).abs()).min().item() for t in seen)


def main():
    if not os.path.isdir("nn"):
        sys.exit("run from the repository root")
    for seed in range(4000, 4100):
        model = small_model(seed)
        x0 = torch.randn(2, 3, 12, 12)
        initial = copy.deepcopy(model.state_dict())
        margin = min(kink_distance(model, x0, True), kink_distance(model, x0, False))
        model.load_state_dict(initial)
        if margin > MARGIN:
            break
    else:
        sys.exit("no seed keeps the ReLU6 inputs away from the kinks")
    print("seed %d, ReLU6 margin %.2e" % (seed, margin))
    targets = torch.tensor([2, 0])
    gw = GoldWriter().add("input", x0).add("targets", targets)
    for name, value in initial.items():
        if not name.endswith("num_batches_tracked"):
            gw.add("state." + name, value)
    param_names = [n for n, _ in model.named_parameters()]
    stat_names = [n for n, _ in model.named_buffers() if n.endswith(("running_mean", "running_var"))]
    for mode in ("train", "eval"):
        model.load_state_dict(initial)
        model.zero_grad(set_to_none=True)
        model.train(mode == "train")
        x = x0.clone().requires_grad_(True)
        logits = model(x)
        loss = nn.CrossEntropyLoss()(logits, targets)
        loss.backward()
        gw.add(mode + ".logits", logits).add(mode + ".loss", loss).add(mode + ".grad.input", x.grad)
        params = dict(model.named_parameters())
        for name in param_names:
            gw.add(mode + ".grad." + name, params[name].grad)
        buffers = dict(model.named_buffers())
        for name in stat_names:
            gw.add(mode + ".state_after." + name, buffers[name])
    gw.write(OUT)
    print("wrote %s, %d bytes" % (OUT, os.path.getsize(OUT)))

    full = torchvision.models.mobilenet_v2()
    with open(KEYS, "w") as f:
        for name, value in full.state_dict().items():
            f.write("%s %s\n" % (name, list(value.shape)))
    print("wrote %s" % KEYS)


if __name__ == "__main__":
    main()
