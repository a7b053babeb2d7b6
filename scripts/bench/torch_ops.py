#!/usr/bin/python3
"""Times torch.mm and VGG19's 3x3 convolutions (forward, backward-data, backward-weight) on the CPU.
The backward passes call aten.convolution_backward with one output each, as autograd does.

Run with Debian's python3 (torch 1.13): /usr/bin/python3 scripts/bench/torch_ops.py [--threads 2]
Prints one JSON object: {"torch": version, "threads": t, "results": [{op, shape, ms, gflops}, ...]}.
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

MM_SIZES = [256, 512, 1024, 2048]
CONV_SHAPES = ["3-64-224", "64-64-224", "64-128-112", "128-128-112", "128-256-56", "256-256-56",
               "256-512-28", "512-512-28", "512-512-14"]


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
    ap.add_argument("--ops", default="mm,conv", help="comma list: mm, conv")
    ap.add_argument("--mm-sizes", default=",".join(map(str, MM_SIZES)))
    ap.add_argument("--shapes", default=",".join(CONV_SHAPES))
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
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "batch": args.batch,
               "results": results}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
