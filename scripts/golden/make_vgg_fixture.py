#!/usr/bin/python3
"""Golden fixture for a small VGG-shaped network (torchvision VGG layout, tiny widths).

Run from the repository root with Debian's interpreter (which has torch):
    /usr/bin/python3 scripts/golden/make_vgg_fixture.py
Writes nn/src/test/resources/golden/vgg_small.gold (format: README.md). Entries:
  input [2,3,12,12], targets [2] (= [1, 0]),
  state.<name>          every parameter and running_mean/running_var of the initial state,
  then for <mode> in train, eval (each starting from that same initial state):
  <mode>.logits [2,2], <mode>.loss (rank 0, CrossEntropyLoss mean),
  <mode>.grad.input, <mode>.grad.<param name> (after loss.backward()),
  <mode>.state_after.<buffer name> (running_mean/running_var after the forward pass).
"""
import copy
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldfile import GoldWriter  # noqa: E402

OUT = os.path.join("nn", "src", "test", "resources", "golden", "vgg_small.gold")

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)


class SmallVGG(nn.Module):
    """torchvision.models.VGG's structure (features / avgpool / classifier) at toy size."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2),
            nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(8 * 7 * 7, 16), nn.ReLU(True), nn.Dropout(p=0.0),
            nn.Linear(16, 16), nn.ReLU(True), nn.Dropout(p=0.0),
            nn.Linear(16, 2),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def is_stat(name):
    return name.endswith("running_mean") or name.endswith("running_var")


def main():
    if not os.path.isdir("nn"):
        sys.exit("run from the repository root")
    torch.manual_seed(1234)
    model = SmallVGG()  # torch's default initialisation under the seed
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c) * 1.5 + 0.25)
                m.bias.copy_(torch.randn(c) * 0.5)
                m.running_mean.copy_(torch.randn(c) * 0.5)
                m.running_var.copy_(torch.rand(c) * 1.5 + 0.5)
    x0 = torch.randn(2, 3, 12, 12)
    targets = torch.tensor([1, 0])
    initial = copy.deepcopy(model.state_dict())

    gw = GoldWriter().add("input", x0).add("targets", targets)
    for name, value in initial.items():
        if name.endswith("num_batches_tracked"):
            continue
        gw.add("state." + name, value)
    param_names = [n for n, _ in model.named_parameters()]
    buffer_names = [n for n, _ in model.named_buffers() if is_stat(n)]

    for mode in ("train", "eval"):
        model.load_state_dict(initial)
        model.zero_grad(set_to_none=True)
        model.train(mode == "train")
        x = x0.clone().requires_grad_(True)
        logits = model(x)
        loss = nn.CrossEntropyLoss()(logits, targets)
        loss.backward()
        gw.add(mode + ".logits", logits).add(mode + ".loss", loss)
        gw.add(mode + ".grad.input", x.grad)
        params = dict(model.named_parameters())
        for name in param_names:
            gw.add(mode + ".grad." + name, params[name].grad)
        buffers = dict(model.named_buffers())
        for name in buffer_names:
            gw.add(mode + ".state_after." + name, buffers[name])
        if mode == "eval":
            for name in buffer_names:
                assert torch.equal(buffers[name], initial[name])
    gw.write(OUT)
    print("wrote %s, %d bytes" % (OUT, os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
