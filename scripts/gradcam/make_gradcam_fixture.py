#!/usr/bin/python3
"""Golden fixture for Grad-CAM: the recipe of jacobgil/pytorch-grad-cam written in torch directly.

Run from the repository root with Debian's interpreter (which has torch):
    /usr/bin/python3 scripts/gradcam/make_gradcam_fixture.py
Writes nn/src/test/resources/golden/gradcam_small.gold (format: scripts/golden/README.md).

The network is scripts/golden/make_vgg_fixture.py's SmallVGG (Java: SmallVgg) in eval mode with
random BatchNorm statistics. Entries:
  input [3,3,32,24], state.<name> (every parameter and running statistic), logits [3,2],
  then per case <c> in default, conv, relu:
  <c>.classes [3] (the class each map explains), <c>.map [3,32,24] (the normalised, resized map).
  default: layer features.7 (features[-1]), predicted classes (0, 0, 1); conv: features.4, class 0 for all;
  relu: features.6, classes [1, 0, 1].
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from goldfile import GoldWriter  # noqa: E402

OUT = os.path.join("nn", "src", "test", "resources", "golden", "gradcam_small.gold")
EPS = 1e-7

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)


class SmallVGG(nn.Module):
    """torchvision VGG's layout at toy size; ReLUs not in place, so a hooked output is never overwritten."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(8 * 7 * 7, 16), nn.ReLU(), nn.Dropout(p=0.0),
            nn.Linear(16, 16), nn.ReLU(), nn.Dropout(p=0.0),
            nn.Linear(16, 2),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def grad_cam(model, layer, x, classes):
    """Forward and tensor hooks catch the layer's output and its gradient, as the reference does."""
    caught = {}

    def save_gradient(grad):
        caught["gradient"] = grad

    def save_activation(module, inputs, output):
        caught["activation"] = output
        output.register_hook(save_gradient)

    handle = layer.register_forward_hook(save_activation)
    try:
        model.eval()
        logits = model(x)
        if classes is None:
            margin = float((logits[:, 0] - logits[:, 1]).abs().min())
            assert margin > 0.05, "a predicted class this close to a tie is fragile: %g" % margin
            classes = logits.argmax(dim=1).tolist()
        model.zero_grad()
        target = sum(logits[i, c] for i, c in enumerate(classes))  # raw logits, before softmax
        target.backward()
    finally:
        handle.remove()
    activation = caught["activation"].detach()
    weights = caught["gradient"].mean(dim=(2, 3))
    cam = torch.relu((weights[:, :, None, None] * activation).sum(dim=1))
    cam = cam - cam.amin(dim=(1, 2), keepdim=True)
    cam = cam / (EPS + cam.amax(dim=(1, 2), keepdim=True))
    assert float(cam.amax(dim=(1, 2)).min()) > 0.5, "a degenerate (all-zero) map would test nothing"
    size = x.shape[2:]
    resized = F.interpolate(cam[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]
    check_half_pixel(cam.numpy(), resized.numpy())
    return classes, resized, logits.detach()


def half_pixel_resize(img, out_h, out_w):
    """cv2.resize(INTER_LINEAR) by its definition: sample at (i + 0.5) * in / out - 0.5, clamped."""
    h, w = img.shape

    def taps(n_in, n_out):
        s = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
        lo = np.minimum(np.floor(s).astype(int), n_in - 1)
        return lo, np.minimum(lo + 1, n_in - 1), s - lo

    y0, y1, fy = taps(h, out_h)
    x0, x1, fx = taps(w, out_w)
    img = img.astype(np.float64)
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bottom = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return top * (1 - fy[:, None]) + bottom * fy[:, None]


def check_half_pixel(maps, resized):
    for m, r in zip(maps, resized):
        expected = half_pixel_resize(m, *r.shape)
        err = np.max(np.abs(expected - r))
        assert err < 1e-6, "interpolate(bilinear, align_corners=False) is not the half-pixel resize: %g" % err


def main():
    if not os.path.isdir("nn"):
        sys.exit("run from the repository root")
    torch.manual_seed(34)  # a seed whose predicted classes are mixed and whose maps are all non-zero
    model = SmallVGG()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 1.5)
    # Different scales and offsets per image, so that the predicted classes differ.
    x = torch.randn(3, 3, 32, 24) * torch.tensor([1.0, 2.0, 3.0])[:, None, None, None] \
        + torch.tensor([0.0, 1.0, -1.0])[:, None, None, None]

    gold = GoldWriter()
    gold.add("input", x)
    for name, t in model.state_dict().items():
        if not name.endswith("num_batches_tracked"):
            gold.add("state." + name, t)
    cases = [("default", model.features[-1], None), ("conv", model.features[4], [0, 0, 0]),
             ("relu", model.features[6], [1, 0, 1])]
    for case, layer, classes in cases:
        used, cam, logits = grad_cam(model, layer, x, classes)
        if case == "default":
            gold.add("logits", logits)
        gold.add(case + ".classes", np.array(used))
        gold.add(case + ".map", cam)
    print("wrote", gold.write(OUT))


if __name__ == "__main__":
    main()
