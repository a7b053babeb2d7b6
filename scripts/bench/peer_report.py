#!/usr/bin/env python3
"""Markdown for compare_peers.sh: ours against PyTorch 1.13 and DJL over libtorch, from the JSON lines
of its runs ({"workload", "side", "malloc", "result": one bench JSON line or null}).

Each side counts with the better of its runs (glibc, jemalloc) metric by metric: the higher images/s,
the lower peak memory, its allocator named beside it. Ratios are ours over each peer: above 1 is ours
faster for images/s, ours using more for memory."""
import argparse
import datetime
import json
import subprocess

SIDES = {"ours": "ours", "pytorch": "PyTorch 1.13", "djl": "DJL / libtorch 2.7.1"}
METRICS = [("training step (images/s)", "train_images_per_s", max, 1.0, "{:.2f}"),
           ("inference (images/s)", "infer_images_per_s", max, 1.0, "{:.2f}"),
           ("training peak memory (GiB)", "peak_memory_bytes", min, 1 / 2 ** 30, "{:.2f}")]


def machine():
    model, flags = "?", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return model, cores, isa


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True)
    ap.add_argument("--steps", required=True)
    ap.add_argument("--threads", required=True)
    ap.add_argument("--avx2", default="0")
    ap.add_argument("--load", nargs=2, default=["?", "?"])
    ap.add_argument("--torch-loop", default="fast")
    ap.add_argument("--djl-update", default="direct")
    ap.add_argument("--omp-wait-policy", default="default")
    ap.add_argument("--command", required=True)
    args = ap.parse_args()

    runs = []
    with open(args.runs) as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    # Workloads (ARCH:BATCH:SIZE) in the order they ran; per workload and side, every run that printed a
    # result.
    workloads, results = [], {}
    for run in runs:
        if run["workload"] not in workloads:
            workloads.append(run["workload"])
        if run["result"] is not None:
            results.setdefault((run["workload"], run["side"]), []).append((run["malloc"], run["result"]))

    model, cores, isa = machine()
    avx2 = args.avx2 == "1"
    kernels = "AVX2 kernels on an AVX-512 machine" if avx2 and isa == "AVX-512" else isa + " kernels"
    lines = ["# Ours, PyTorch 1.13 and DJL over libtorch 2.7.1: %s" % kernels, ""]
    lines.append("Written by `scripts/bench/compare_peers.sh` on %s." % datetime.date.today().isoformat())
    lines.append("")
    lines.append("- machine: %s, %s cores, %s%s" % (model, cores, isa, (
        "; every side held to AVX2 (ours `-XX:UseAVX=2`; the peers ONEDNN_MAX_CPU_ISA=AVX2, "
        "ATEN_CPU_CAPABILITY=avx2, MKL_ENABLE_INSTRUCTIONS=AVX2, OPENBLAS_CORETYPE=Haswell)") if avx2 else ""))
    lines.append("- %s threads on every side; medians of %s timed steps after a warm-up (at least 2 steps and 3 s), training then inference "
                 "(ours: batch norm folded into the convolutions; the peers: eval mode)" % (args.threads, args.steps))
    lines.append("- every side trains torchvision's network with a 2-class last layer, softmax cross-entropy "
                 "and SGD (lr 0.01, momentum 0.9) on one random batch")
    lines.append("- PyTorch: %s" % (
        "`zero_grad(set_to_none=True)` and `SGD(foreach=True)` (`torch_train_step.py --loop fast`)"
        if args.torch_loop == "fast" else "`zero_grad()` and the per-parameter SGD (`torch_train_step.py`)"))
    lines.append("- DJL: torchvision's layers composed from DJL blocks (adaptive average pool: libtorch's own, "
                 "through DJL's JNI binding), %s" % (
                     "SGD applied in place on the libtorch tensors (`MomentumSgd`, the same update as "
                     "`Trainer.step()` without its two gradient copies)" if args.djl_update == "direct"
                     else "DJL's `Trainer.step()`"))
    lines.append("- every side run with glibc malloc and with jemalloc preloaded without page decay "
                 "(`MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1`); each counts with the better of the two, "
                 "metric by metric (its allocator in brackets); the runs alternate sides")
    lines.append("- load average (1, 5, 15 min) before / after: %s / %s" % tuple(args.load))
    lines.append("- the peers' OpenMP wait policy: %s" % (
        "libgomp's default (spinning)" if args.omp_wait_policy == "default" else
        "OMP_WAIT_POLICY=%s (spinning OpenMP threads hold cores that the machine's other work needs)"
        % args.omp_wait_policy))
    lines.append("- command: `%s`" % args.command)
    lines.append("")
    lines.append("Ratios: ours over the peer, each at its better allocator (images/s: above 1 is ours faster; "
                 "memory: above 1 is ours using more).")
    lines.append("")
    lines.append("| workload | ours | PyTorch 1.13 | DJL / libtorch 2.7.1 | ours / PyTorch | ours / DJL |")
    lines.append("|---|---:|---:|---:|---:|---:|")

    def best(workload, side, metric, pick):
        """(value, allocator) of the side's better run, or None where no run gave the metric."""
        got = [(r[metric], malloc) for malloc, r in results.get((workload, side), []) if r.get(metric, -1) > 0]
        return pick(got, key=lambda g: g[0]) if got else None

    for workload in workloads:
        arch, batch, size = workload.split(":")
        for name, metric, pick, scale, fmt in METRICS:
            cells = ["%s %s, batch %s, %sx%s" % (arch, name, batch, size, size)]
            values = {side: best(workload, side, metric, pick) for side in SIDES}
            for side in SIDES:
                b = values[side]
                cells.append("-" if b is None else "%s (%s)" % (fmt.format(b[0] * scale), b[1]))
            for peer in ("pytorch", "djl"):
                ours, theirs = values["ours"], values[peer]
                cells.append("**%.2f**" % (ours[0] / theirs[0]) if ours and theirs else "-")
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Every run, in order (training and inference in images/s, peak memory in GiB):")
    lines.append("")
    lines.append("| workload | side | allocator | training | inference | peak memory |")
    lines.append("|---|---|---|---:|---:|---:|")
    for run in runs:
        arch, batch, size = run["workload"].split(":")
        cells = ["%s, batch %s, %sx%s" % (arch, batch, size, size), SIDES[run["side"]], run["malloc"]]
        r = run["result"]
        if r is None:
            cells += ["failed", "", ""]
        else:
            cells += ["%.2f" % r["train_images_per_s"], "%.2f" % r["infer_images_per_s"],
                      "%.2f" % (r["peak_memory_bytes"] / 2 ** 30)]
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
