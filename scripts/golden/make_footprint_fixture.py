#!/usr/bin/python3
"""Golden counts for nn's Footprint, from torchvision's own models: parameters and batch-norm
statistics (the state dict, less num_batches_tracked), the floats every leaf layer outputs for one
image (what a training step keeps), and the largest input plus output of any one leaf layer.
MobileNetV2 pools with a function, not a module; it is counted as a layer too.

Run from the repository root with Debian's interpreter (which has torch and torchvision):
    /usr/bin/python3 scripts/golden/make_footprint_fixture.py
Writes nn/src/test/resources/golden/footprint.csv.
"""
import os

import torch
import torchvision

OUT = os.path.join("nn", "src", "test", "resources", "golden", "footprint.csv")
CASES = [("vgg19_bn", 2, 224), ("vgg19_bn", 2, 112), ("vgg11", 2, 64), ("vgg16_bn", 3, 96),
         ("mobilenet_v2", 2, 224), ("mobilenet_v2", 2, 97), ("mobilenet_v2", 5, 64)]


def count(arch, classes, size):
    model = getattr(torchvision.models, arch)(num_classes=classes)
    parameters = sum(t.numel() for k, t in model.state_dict().items() if not k.endswith("num_batches_tracked"))
    saved, live = 0, 0

    def hook(module, inputs, output):
        nonlocal saved, live
        saved += output.numel()
        live = max(live, inputs[0].numel() + output.numel())

    for m in model.modules():
        if not list(m.children()):
            m.register_forward_hook(hook)
    if arch.startswith("mobilenet"):
        features = model.features
        features.register_forward_hook(lambda m, i, o: hook(None, (o,), o.mean((2, 3))))
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    return parameters, saved, live


def main():
    with open(OUT, "w") as f:
        f.write("arch,classes,size,parameters,saved_per_image,live_per_image\n")
        for arch, classes, size in CASES:
            f.write("%s,%d,%d,%d,%d,%d\n" % ((arch, classes, size) + count(arch, classes, size)))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
