#!/usr/bin/env python3
"""PyTorch's side of org.covidct.bench.GpuTrainStep: the vgg19_bn training step at 224x224 on CUDA.

torchvision vgg19_bn, randomly initialised (no weights are downloaded), classifier[6] replaced by
Linear(4096, 2), CrossEntropyLoss and SGD(lr 0.01, momentum 0.9), in two shapes: batch 64 with one
SGD step per batch, and batch 8 with 8-step gradient accumulation (each loss scaled by 1/8). Each
precision runs both: tf32 allows TF32 tensor cores in matmuls and cuDNN, fp32 forbids them.
cudnn.benchmark is on and the images stay on the GPU, as in GpuTrainStep. Prints one JSON line
per configuration with GpuTrainStep's keys ("impl": "pytorch").

    python3 scripts/gpu/torch_vgg_step.py [--warmup 5] [--steps 20] [--precisions tf32,fp32]
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torchvision

SIZE = 224
CONFIGS = [("batch64", 64, 1), ("batch8_accumulate8", 8, 8)]


def train_step(model, criterion, optimizer, x, y, accumulate):
    for _ in range(accumulate):
        loss = criterion(model(x), y)
        (loss if accumulate == 1 else loss / accumulate).backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def raw_allocations():
    """cudaMalloc calls so far: the caching allocator's segment count."""
    return torch.cuda.memory_stats().get("segment.all.allocated", 0)


def time_config(name, batch, accumulate, precision, warmup, steps):
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(0)
    model = torchvision.models.vgg19_bn(weights=None)
    model.classifier[6] = nn.Linear(4096, 2)
    model = model.cuda().train()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(batch, 3, SIZE, SIZE, device="cuda")
    y = (torch.arange(batch) % 2).cuda()
    for _ in range(warmup):
        train_step(model, criterion, optimizer, x, y, accumulate)
    torch.cuda.synchronize()
    allocations = raw_allocations()
    t0 = time.perf_counter()
    for _ in range(steps):
        train_step(model, criterion, optimizer, x, y, accumulate)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    result = {
        "impl": "pytorch", "config": name, "precision": precision, "batch": batch, "accumulate": accumulate,
        "image_size": SIZE, "warmup_steps": warmup, "steps": steps, "step_s": round(seconds / steps, 5),
        "images_per_s": round(steps * batch * accumulate / seconds, 2),
        "raw_allocations_after_warmup": raw_allocations() - allocations,
        "torch": torch.__version__, "cudnn": torch.backends.cudnn.version(),
        "gpu": torch.cuda.get_device_name(0),
    }
    del model, optimizer, x, y
    torch.cuda.empty_cache()  # the next configuration starts from an empty cache
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--precisions", default="tf32,fp32")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("error: PyTorch sees no CUDA device")
    torch.backends.cudnn.benchmark = True
    for precision in a.precisions.split(","):
        if precision not in ("tf32", "fp32"):
            raise SystemExit("error: unknown precision " + precision)
        for name, batch, accumulate in CONFIGS:
            print(json.dumps(time_config(name, batch, accumulate, precision, a.warmup, a.steps)), flush=True)


if __name__ == "__main__":
    main()
