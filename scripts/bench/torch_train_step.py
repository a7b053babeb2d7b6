#!/usr/bin/python3
"""PyTorch's side of `covidct.jar bench`: torchvision vgg19_bn (or another VGG, or mobilenet_v2)
with its last layer replaced by a 2-class one, CrossEntropyLoss and SGD(lr 0.01, momentum 0.9), timed on random data after two warm-up
steps. Prints one JSON line with the same keys as `covidct.jar bench`; peak_memory_bytes is the
process's peak resident set. Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision).

    /usr/bin/python3 torch_train_step.py --arch vgg19_bn --image-size 224 --batch-size 8 --steps 5 [--loop fast]

--loop plain (the default) is the textbook loop: zero_grad() fills the gradients with zeros and SGD
updates one parameter at a time, as 1.13 does unless told otherwise. --loop fast is the fastest
loop 1.13 allows for the same update: zero_grad(set_to_none=True) drops the gradients, so backward
writes fresh ones instead of adding to zeros, and SGD(foreach=True) updates every parameter in a few
multi-tensor kernels.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torchvision


def time_steps(arch, image_size, batch_size, steps, threads, loop="plain"):
    """Median training-step and inference times after two warm-up steps, as a dict of bench's keys."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)()
    model.classifier[-1] = nn.Linear(model.classifier[-1].in_features, 2)
    criterion = nn.CrossEntropyLoss()
    fast = loop == "fast"
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, foreach=fast)
    x = torch.rand(batch_size, 3, image_size, image_size)
    y = torch.arange(batch_size) % 2

    model.train()
    train = []
    for i in range(-2, steps):
        t0 = time.perf_counter()
        optimizer.zero_grad(set_to_none=fast)
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        if i >= 0:
            train.append(time.perf_counter() - t0)
    model.eval()
    infer = []
    with torch.no_grad():
        for i in range(-2, steps):
            t0 = time.perf_counter()
            model(x)
            if i >= 0:
                infer.append(time.perf_counter() - t0)
    return {
        "arch": arch, "device": "cpu", "image_size": image_size, "batch_size": batch_size,
        "steps": steps, "train_images_per_s": batch_size / statistics.median(train),
        "infer_images_per_s": batch_size / statistics.median(infer),
        "train_step_s": statistics.median(train),
        "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "threads": threads, "loop": loop, "torch": torch.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="vgg19_bn")
    ap.add_argument("--image-size", type=int, default=224)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--loop", choices=["plain", "fast"], default="plain")
    a = ap.parse_args()
    print(json.dumps(time_steps(a.arch, a.image_size, a.batch_size, a.steps, a.threads, a.loop)))


if __name__ == "__main__":
    main()
