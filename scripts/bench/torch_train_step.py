#!/usr/bin/python3
"""PyTorch's side of `covidct.jar bench`: torchvision vgg19_bn (or another VGG, or mobilenet_v2)
with its last layer replaced by a 2-class one, CrossEntropyLoss and SGD(lr 0.01, momentum 0.9),
timed on random data after a warm-up (at least two steps, and more until --warmup-seconds, default
3, have passed). Prints one JSON line with the same keys as `covidct.jar bench`; peak_memory_bytes
is the process's peak resident set. Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision).

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


def timed(step, steps, warmup_seconds):
    """Seconds per timed step after the warm-up: at least two untimed steps, more until warmup_seconds passed."""
    start, done = time.perf_counter(), 0
    while done < 2 or time.perf_counter() - start < warmup_seconds:
        step()
        done += 1
    seconds = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t0)
    return seconds


def time_steps(arch, image_size, batch_size, steps, threads, loop="plain", warmup_seconds=3.0):
    """Median training-step and inference times after the warm-up, as a dict of bench's keys."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)()
    model.classifier[-1] = nn.Linear(model.classifier[-1].in_features, 2)
    criterion = nn.CrossEntropyLoss()
    fast = loop == "fast"
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, foreach=fast)
    x = torch.rand(batch_size, 3, image_size, image_size)
    y = torch.arange(batch_size) % 2

    def train_step():
        optimizer.zero_grad(set_to_none=fast)
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()

    def infer_step():
        with torch.no_grad():
            model(x)

    model.train()
    train = timed(train_step, steps, warmup_seconds)
    model.eval()
    infer = timed(infer_step, steps, warmup_seconds)
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
    ap.add_argument("--warmup-seconds", type=float, default=3.0)
    a = ap.parse_args()
    print(json.dumps(time_steps(a.arch, a.image_size, a.batch_size, a.steps, a.threads, a.loop, a.warmup_seconds)))


if __name__ == "__main__":
    main()
