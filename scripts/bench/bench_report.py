#!/usr/bin/env python3
"""Merges JMH results (ms/op) and scripts/bench/torch_ops.py output into a markdown report.

Each figure is a median of timed calls on both sides (JMH SampleTime's 50th percentile; torch_ops.py's
median). An item measured in several rounds (compare_ops.sh's MM_ROUNDS) shows the median over its
rounds, and the ratio of each round beside it."""
import argparse
import datetime
import json
import platform
import statistics
import subprocess

VGG_SHAPES = ["3-64-224", "64-64-224", "64-128-112", "128-128-112", "128-256-56", "256-256-56",
              "256-512-28", "512-512-28", "512-512-14"]
CONV_PASSES = {"forward": "forward", "backwardData": "backwardData", "backwardWeight": "backwardWeight"}


def lscpu():
    out = {}
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines():
            key, _, value = line.partition(":")
            out[key.strip()] = value.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


def java_version(jmh):
    for r in jmh:
        if r.get("vmVersion"):
            return "%s %s" % (r.get("vmName", "JVM"), r["vmVersion"])
    return "?"


def jmh_ms(result):
    """The median ms/op of a SampleTime result (the mean of any other mode)."""
    metric = result["primaryMetric"]
    if result.get("mode") == "sample":
        return metric["scorePercentiles"]["50.0"]
    return metric["score"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jmh", nargs="+", required=True, help="JMH -rf json files")
    ap.add_argument("--torch", nargs="+", required=True, help="torch_ops.py outputs")
    ap.add_argument("--command", required=True)
    ap.add_argument("--threads", default="2")
    ap.add_argument("--load", nargs="*", default=[])
    args = ap.parse_args()

    jmh, torch_results, torch = [], [], {}
    for path in args.jmh:
        with open(path) as f:
            jmh += json.load(f)
    for path in args.torch:
        with open(path) as f:
            torch = json.load(f)
        torch_results += torch["results"]

    # Per item: ms of each round in file order (compare_ops.sh numbers its files by item, rounds in order).
    our_ms, their_ms, flops = {}, {}, {}
    for r in jmh:
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        p = r.get("params", {})
        if cls == "MatmulBenchmark":
            n = int(p["n"])
            key = ("mm", str(n))
            flops[key] = 2.0 * n ** 3
        elif cls == "Conv2dBenchmark":
            c, k, hw = map(int, p["shape"].split("-"))
            key = ("conv." + method, p["shape"])
            flops[key] = 2.0 * int(p["batch"]) * k * hw * hw * c * 9
        elif cls == "LayerOpsBenchmark":
            key = ("layer." + method, p["shape"])
        elif cls == "VggStepBenchmark":
            key = ("step." + method, p["imageSize"])
        else:
            continue
        our_ms.setdefault(key, []).append(jmh_ms(r))
    for r in torch_results:
        key = (r["op"], r["shape"])
        their_ms.setdefault(key, []).append(r["ms"])
        if r.get("gflops"):
            flops[key] = r["gflops"] * r["ms"] * 1e6

    def summary(runs):
        """(median ms, GFLOP/s at that median or None) per item."""
        medians = {key: statistics.median(ms) for key, ms in runs.items()}
        return {key: (ms, flops[key] / ms / 1e6 if key in flops else None) for key, ms in medians.items()}

    ours, theirs = summary(our_ms), summary(their_ms)

    def round_ratios(key):
        """PyTorch ms / ours, round by round, where both have the same number of rounds (more than one)."""
        o, t = our_ms.get(key, []), their_ms.get(key, [])
        return [b / a for a, b in zip(o, t)] if len(o) == len(t) > 1 else []

    cpu = lscpu()
    lines = ["# CPU kernel benchmarks: ours against PyTorch", ""]
    lines.append("Written by `scripts/bench/compare_ops.sh` on %s." % datetime.date.today().isoformat())
    lines.append("")
    lines.append("- machine: %s, %s CPU(s) (%s core(s) per socket, %s thread(s) per core), %s" % (
        cpu.get("Model name", platform.processor() or "?"), cpu.get("CPU(s)", "?"),
        cpu.get("Core(s) per socket", "?"), cpu.get("Thread(s) per core", "?"), platform.machine()))
    lines.append("- threads: %s for both (our pool via `-XX:ActiveProcessorCount`, torch.set_num_threads)" % args.threads)
    lines.append("- ours: %s, JMH, median of timed calls (SampleTime); PyTorch %s (torch.mm on its BLAS, "
                 "convolutions on oneDNN), median of timed calls; each size or shape measured by both back to "
                 "back, the first alternating" % (java_version(jmh), torch.get("torch", "?")))
    rounds = max((len(v) for v in our_ms.values()), default=1)
    if rounds > 1:
        lines.append("- items measured in %d rounds (each round both sides back to back): medians over the "
                     "rounds, and each round's ratio" % rounds)
    if args.load:
        lines.append("- load average (1, 5, 15 min) before / after: %s" % " / ".join(args.load))
    lines.append("- command: `%s`" % args.command)
    lines.append("")
    lines.append("GFLOP/s: 2*n^3 for an n x n product; 2*N*K*H*W*C*9 per convolution pass (3x3, pad 1, "
                 "stride 1, batch N = 8, shape C-K-HW), whatever the algorithm (ours is Winograd F(2x2, 3x3) "
                 "from 64 channels). Ratio = PyTorch time / ours (above 1: ours faster).")
    lines.append("")

    def table(title, keys, label):
        if not keys:
            return
        per_round = any(round_ratios(key) for key, _ in keys)
        lines.append("## " + title)
        lines.append("")
        lines.append("| %s | ours ms | PyTorch ms | ours GFLOP/s | PyTorch GFLOP/s | ratio |%s" % (
            label, " ratio by round |" if per_round else ""))
        lines.append("|---|---:|---:|---:|---:|---:|%s" % ("---|" if per_round else ""))
        for key, name in keys:
            o, t = ours.get(key), theirs.get(key)
            cells = [name]
            cells += ["%.2f" % o[0] if o else "-", "%.2f" % t[0] if t else "-"]
            cells += ["%.1f" % o[1] if o else "-", "%.1f" % t[1] if t else "-"]
            cells.append("**%.2f**" % (t[0] / o[0]) if o and t else "-")
            if per_round:
                cells.append(" ".join("%.2f" % r for r in round_ratios(key)) or "-")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")

    mm = sorted({k[1] for k in list(ours) + list(theirs) if k[0] == "mm"}, key=int)
    table("sgemm (square, float32)", [(("mm", n), "%s^3" % n) for n in mm], "n")
    shapes = []
    for k in list(theirs) + list(ours):
        if k[0].startswith("conv.") and k[1] not in shapes:
            shapes.append(k[1])
    shapes.sort(key=lambda s: VGG_SHAPES.index(s) if s in VGG_SHAPES else len(VGG_SHAPES))
    keys = [(("conv." + p, s), "%s %s" % (s, p)) for s in shapes for p in CONV_PASSES]
    table("VGG19 3x3 convolutions, batch 8", keys, "C-K-HW pass")
    def timed_table(title, prefix, label, name):
        """Rows of ms only; ratio = PyTorch ms / ours (above 1: ours faster)."""
        keys = [k for k in list(ours) + list(theirs) if k[0].startswith(prefix)]
        keys = sorted(set(keys), key=keys.index)
        if not keys:
            return
        lines.append("## " + title)
        lines.append("")
        lines.append("| %s | ours ms | PyTorch ms | ratio |" % label)
        lines.append("|---|---:|---:|---:|")
        for key in keys:
            o, t = ours.get(key), theirs.get(key)
            cells = [name(key), "%.2f" % o[0] if o else "-", "%.2f" % t[0] if t else "-"]
            cells.append("**%.2f**" % (t[0] / o[0]) if o and t else "-")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")

    timed_table("Batch norm (training) and ReLU, batch 8", "layer.", "C-HW op",
                lambda k: "%s %s" % (k[1], k[0].split(".", 1)[1]))
    timed_table("Whole vgg19_bn (2-class head), batch 8", "step.", "image size, pass",
                lambda k: "%sx%s %s" % (k[1], k[1], {"step.trainStep": "training step (forward, loss, backward, SGD)",
                                                     "step.inference": "inference"}[k[0]]))
    ratios = [theirs[k][0] / ours[k][0] for k in ours if k in theirs]
    if ratios:
        lines.append("Lowest ratio: %.2f; highest: %.2f." % (min(ratios), max(ratios)))
        lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
