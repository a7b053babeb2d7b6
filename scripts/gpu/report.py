#!/usr/bin/env python3
"""Writes BENCHMARKS-gpu.md from the JSON lines of GpuTrainStep (ours) and torch_vgg_step.py.

    python3 scripts/gpu/report.py --covidct covidct.jsonl --pytorch pytorch.jsonl \
        --command "bash scripts/gpu/run.sh" --out BENCHMARKS-gpu.md
"""
import argparse
import json
import os
import subprocess


def read_lines(path):
    """Rows by (config, precision); none when the run that writes them failed before any."""
    rows = {}
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                rows[(r["config"], r["precision"])] = r
    return rows


def gpu_name():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (nvidia-smi not found)"
    name, _, driver = out.splitlines()[0].partition(",")
    return "%s, driver %s" % (name.strip(), driver.strip())


def cell(row, key, fmt="{:.1f}"):
    return fmt.format(row[key]) if row else "failed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--covidct", required=True)
    ap.add_argument("--pytorch", required=True)
    ap.add_argument("--command", required=True, help="the command that reproduces the numbers")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ours, torch = read_lines(a.covidct), read_lines(a.pytorch)
    keys = sorted(set(ours) | set(torch), key=lambda k: (k[1] != "tf32", k[0] != "batch64", k))
    any_torch = next(iter(torch.values()), {})
    lines = [
        "# GPU training step: ours against PyTorch on the same GPU",
        "",
        "GPU: %s. PyTorch %s, cuDNN %s." % (gpu_name(), any_torch.get("torch", "?"), any_torch.get("cudnn", "?")),
        "",
        "vgg19_bn at 224x224, random initialisation, a 2-class last layer, cross-entropy and SGD with"
        " momentum 0.9, on random images kept on the GPU. batch64: one SGD step per batch of 64;"
        " batch8_accumulate8: 8 batches of 8 per SGD step. tf32 lets convolutions and matmuls use TF32"
        " tensor cores (PyTorch's allow_tf32 switches); fp32 forbids them. Throughput is images per"
        " second over the timed steps, between device synchronisations, after warm-up steps. Raw"
        " allocations count cudaMalloc/cuMemAlloc calls during the timed steps (0 once the caching"
        " allocators are warm).",
        "",
        "| configuration | precision | ours (images/s) | PyTorch (images/s) | ours / PyTorch"
        " | raw allocations, ours | raw allocations, PyTorch |",
        "|---|---|---|---|---|---|---|",
    ]
    for config, precision in keys:
        o, t = ours.get((config, precision)), torch.get((config, precision))
        ratio = "%.2f" % (o["images_per_s"] / t["images_per_s"]) if o and t else "-"
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            config, precision, cell(o, "images_per_s"), cell(t, "images_per_s"), ratio,
            cell(o, "raw_allocations_after_warmup", "{}"), cell(t, "raw_allocations_after_warmup", "{}")))
    steps = next(iter(ours.values()), any_torch)
    lines += [
        "",
        "Timed steps per configuration: %s, after %s warm-up steps." % (steps.get("steps", "?"),
                                                                       steps.get("warmup_steps", "?")),
        "",
        "Reproduce: `bash scripts/gpu/prepare.sh` on a machine with Maven, carry `target/gpu/` to the GPU"
        " machine, then run there `%s` (scripts/gpu/README.md)." % a.command,
        "",
    ]
    with open(a.out, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
