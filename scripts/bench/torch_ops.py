#!/usr/bin/python3
"""Times torch.mm, VGG19's 3x3 convolutions (forward, backward-data, backward-weight), batch norm
and ReLU (forward and backward) and the whole vgg19_bn training step and inference on the CPU.
The backward passes call the aten backward ops autograd calls (convolution_backward with one
output each, native_batch_norm_backward, threshold_backward).

Run with Debian's python3 (torch 1.13): /usr/bin/python3 scripts/bench/torch_ops.py [--threads 2]
Prints one JSON object: {"torch": version, "threads": t, "results": [{op, shape, ms, gflops}, ...]}
(no gflops for batch norm, ReLU and the step).
Each figure is the median of --runs timed calls after --warmup untimed ones; a conv pass costs
2*N*K*H*W*C*9 flops (stride 1, pad 1), a square n x n product 2*n^3.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from torch_train_step import time_steps

MM_SIZES = [256, 512, 1024, 2048]
CONV_SHAPES = ["3-64-224", "64-64-224", "64-128-112", "128-128-112", "128-256-56", "256-256-56",
               "256-512-28", "512-512-28", "512-512-14"]
LAYER_SHAPES = ["64-224", "128-112", "256-56", "512-28", "512-14"]
STEP_SIZES = [224, 112]


def median_ms(fn, warmup, runs, min_time):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < runs or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--min-time", type=float, default=1.0, help="keep timing until this many seconds")
    ap.add_argument("--ops", default="mm,conv,layer,step", help="comma list: mm, conv, layer, step")
    ap.add_argument("--mm-sizes", default=",".join(map(str, MM_SIZES)))
    ap.add_argument("--shapes", default=",".join(CONV_SHAPES))
    ap.add_argument("--layer-shapes", default=",".join(LAYER_SHAPES), help="batch norm and ReLU: C-HW")
    ap.add_argument("--step-sizes", default=",".join(map(str, STEP_SIZES)), help="vgg19_bn image sizes")
    ap.add_argument("--steps", type=int, default=3, help="timed vgg19_bn steps")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ops = set(args.ops.split(","))
    results = []
    with torch.no_grad():
        if "mm" in ops:
            for n in map(int, args.mm_sizes.split(",")):
                a, b = torch.randn(n, n), torch.randn(n, n)
                out = torch.empty(n, n)
                ms = median_ms(lambda: torch.mm(a, b, out=out), args.warmup, args.runs, args.min_time)
                results.append({"op": "mm", "shape": str(n), "ms": ms, "gflops": 2.0 * n ** 3 / ms / 1e6})
        if "conv" in ops:
            for shape in args.shapes.split(","):
                c, k, hw = map(int, shape.split("-"))
                n = args.batch
                x = torch.randn(n, c, hw, hw)
                w = torch.randn(k, c, 3, 3)
                dy = torch.randn(n, k, hw, hw)
                flops = 2.0 * n * k * hw * hw * c * 9
                # What autograd runs for conv2d's backward (oneDNN here); torch.nn.grad.conv2d_input
                # passes an expanded dummy input that can steer it off oneDNN.
                def backward(mask, i):
                    return lambda: torch.ops.aten.convolution_backward(
                        dy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, mask)[i]
                passes = {
                    "forward": lambda: F.conv2d(x, w, None, 1, 1),
                    "backwardData": backward((True, False, False), 0),
                    "backwardWeight": backward((False, True, False), 1),
                }
                for name, fn in passes.items():
                    ms = median_ms(fn, args.warmup, args.runs, args.min_time)
                    results.append({"op": "conv." + name, "shape": shape, "ms": ms, "gflops": flops / ms / 1e6})
        if "layer" in ops:
            for shape in args.layer_shapes.split(","):
                c, hw = map(int, shape.split("-"))
                x, dy = torch.randn(args.batch, c, hw, hw), torch.randn(args.batch, c, hw, hw)
                gamma, beta = torch.randn(c), torch.randn(c)
                mean, var = torch.zeros(c), torch.ones(c)
                y, save_mean, save_invstd = torch.ops.aten.native_batch_norm(x, gamma, beta, mean, var, True, 0.1, 1e-5)
                passes = {
                    "batchNormForward": lambda: torch.ops.aten.native_batch_norm(x, gamma, beta, mean, var, True,
                                                                                 0.1, 1e-5),
                    "batchNormBackward": lambda: torch.ops.aten.native_batch_norm_backward(
                        dy, x, gamma, mean, var, save_mean, save_invstd, True, 1e-5, [True, True, True]),
                    "reluForward": lambda: torch.relu(x),
                    "reluBackward": lambda: torch.ops.aten.threshold_backward(dy, y, 0),
                }
                for name, fn in passes.items():
                    results.append({"op": "layer." + name, "shape": shape,
                                    "ms": median_ms(fn, args.warmup, args.runs, args.min_time)})
    if "step" in ops:
        for size in map(int, args.step_sizes.split(",")):
            r = time_steps("vgg19_bn", size, args.batch, args.steps, args.threads)
            results.append({"op": "step.trainStep", "shape": str(size), "ms": r["train_step_s"] * 1e3})
            results.append({"op": "step.inference", "shape": str(size),
                            "ms": args.batch / r["infer_images_per_s"] * 1e3})
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "batch": args.batch,
               "results": results}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
