#!/usr/bin/env python3
"""The runs and the markdown of compare_first_result.sh: ours and PyTorch 1.13 on each workload, as
whole processes from their start, each side run in turn (ours then PyTorch, then PyTorch then ours, and
so on, so that a drift in the machine's load weighs on both alike), after one untimed run of each that
leaves the page cache alike. Each run is measured by tree_memory.py: wall time, the peak of its process
tree's summed resident sets, and its largest process's maximum resident set. Writes the markdown to
stdout: medians, ratios ours / PyTorch, every run, the machine, the load before and after, and both
sides' agreement on their outputs (the checkpoint's scores from one run of each).

    python3 first_result.py --java JAVA --python TORCH_PYTHON --weights CK --data COVID_CT --threads T
        --runs N --command "the reproducing command" [--omp-wait-policy PASSIVE] [--torch-workers 0]

Run from the repository root; the jar is covidct/target/covidct.jar."""
import argparse
import csv
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import tree_memory
from peer_report import machine

SIDES = ("ours", "pytorch")
NAMES = {"ours": "ours", "pytorch": "PyTorch 1.13"}
JAR = "covidct/target/covidct.jar"


def first_test_image(data):
    """The first image of COVID-CT's COVID test split file: the image that predict scores."""
    with open(os.path.join(data, "Data-split", "COVID", "testCT_COVID.txt")) as f:
        name = next(line.strip() for line in f if line.strip())
    return os.path.join(data, "Images-processed", "CT_COVID", name)


def workloads(a, image):
    """name -> {side: function(output folder) -> (argv, environment)}."""
    ours_jvm = [a.java, "-XX:ActiveProcessorCount=%d" % a.threads, "-jar", JAR]
    torch_env = dict(os.environ)
    if a.omp_wait_policy != "default":
        torch_env["OMP_WAIT_POLICY"] = a.omp_wait_policy
    bench = os.path.dirname(os.path.abspath(__file__))
    return {
        "predict one image": {
            "ours": lambda out: (ours_jvm + ["predict", "--device", "cpu", "--weights", a.weights, image], None),
            "pytorch": lambda out: ([a.python, os.path.join(bench, "torch_predict.py"), "--weights", a.weights,
                                     "--threads", str(a.threads), image], torch_env),
        },
        "evaluate the test split": {
            "ours": lambda out: (ours_jvm + ["evaluate", "--device", "cpu", "--weights", a.weights, "--data", a.data,
                                             "--split", "test", "--scores-out", os.path.join(out, "test_scores.csv"),
                                             "--metrics-out", os.path.join(out, "test_metrics.json")], None),
            "pytorch": lambda out: ([a.python, os.path.join(bench, "torch_evaluate.py"), "--weights", a.weights,
                                     "--data", a.data, "--split", "test", "--threads", str(a.threads),
                                     "--workers", str(a.torch_workers), "--out", out], torch_env),
        },
    }


def scores(workload, out):
    """path -> (positive-class probability, predicted) from a run's output folder."""
    path = os.path.join(out, "stdout" if workload.startswith("predict") else "test_scores.csv")
    with open(path, newline="") as f:
        return {row["path"]: (float(row["covid_probability"]), row["prediction"]) for row in csv.DictReader(f)}


def measure(name, side, command, work, interval_s, keep=None):
    """One run in a fresh output folder; its measures, or None where it failed (its last errors shown).
    With keep, keep[side] gets its scores."""
    out = tempfile.mkdtemp(dir=work)
    argv, env = command(out)
    result = tree_memory.run(argv, os.path.join(out, "stdout"), os.path.join(out, "stderr"), env, interval_s)
    if result["exit_code"] != 0:
        with open(os.path.join(out, "stderr"), errors="replace") as f:
            errors = f.read().splitlines()[-5:]
        print("%s %s failed (exit %d); its last errors:\n%s" % (side, name, result["exit_code"], "\n".join(errors)),
              file=sys.stderr)
        return None
    if keep is not None:
        keep[side] = scores(name, out)
    shutil.rmtree(out)
    return result


def agreement(kept):
    """How far PyTorch's outputs are from ours: the largest probability difference, differing predictions."""
    ours, theirs = kept.get("ours"), kept.get("pytorch")
    if not ours or not theirs:
        return "-"
    if set(ours) != set(theirs):
        return "different images: %d ours, %d PyTorch's" % (len(ours), len(theirs))
    worst = max(abs(ours[p][0] - theirs[p][0]) for p in ours)
    differ = sum(ours[p][1] != theirs[p][1] for p in ours)
    return "%d images: largest probability difference %.2g, %d predictions differ" % (len(ours), worst, differ)


def versions(a):
    java = subprocess.run([a.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    torch = subprocess.run([a.python, "-c", "import torch, torchvision; print(torch.__version__, "
                            "torchvision.__version__)"], capture_output=True, text=True).stdout.split()
    return java, torch


def median(runs, key):
    values = [r[key] for r in runs if r]
    return statistics.median(values) if values else None


def cell(value, scale=1.0):
    return "-" if value is None else "%.2f" % (value / scale)


def ratio(a, b):
    return "**%.2f**" % (a / b) if a and b else "-"


def report(a, image, runs, agreed, load_before, load_after):
    model, cores, isa = machine()
    java, torch = versions(a)
    gib = 2 ** 30
    lines = ["# First results: ours and PyTorch 1.13 from process start", "",
             "Written by `scripts/bench/compare_first_result.sh` on %s." % datetime.date.today().isoformat(), "",
             "- machine: %s, %s cores, %s" % (model, cores, isa),
             "- %s; PyTorch %s, torchvision %s (`%s`)" % (java, torch[0] if torch else "?",
                                                         torch[1] if len(torch) > 1 else "?", a.python),
             "- %d threads on each side (ours `-XX:ActiveProcessorCount`, PyTorch `torch.set_num_threads`); "
             "ours with `--device cpu`; PyTorch's OpenMP wait policy: %s; PyTorch's DataLoader workers: %d"
             % (a.threads, "libgomp's default (spinning)" if a.omp_wait_policy == "default"
                else "OMP_WAIT_POLICY=" + a.omp_wait_policy, a.torch_workers),
             "- checkpoint: %s; image: `%s`; data: `%s`" % (a.describe, os.path.relpath(image), a.data),
             "- ours: `java -jar covidct.jar predict --device cpu --weights CK IMAGE` and `evaluate --device cpu "
             "--weights CK --data DATA --split test --scores-out F --metrics-out F`; PyTorch: "
             "`scripts/bench/torch_predict.py` and `scripts/bench/torch_evaluate.py --out DIR` (their headers say "
             "what they do as ours does, and what not)",
             "- %d timed runs per side and workload, the sides in turn (ours first in odd rounds, PyTorch first "
             "in even ones), after one untimed run of each; wall time from before the fork to the reaping" % a.runs,
             "- peak memory: the peak over time of the summed resident sets (VmRSS) of the process and all its "
             "descendants, sampled every %g ms (ours: the launcher JVM and the JVM it starts); largest process: "
             "the kernel's maximum resident set of the largest single process (GNU time's %%M)" % (a.interval_ms),
             "- load average (1, 5, 15 min) before / after: %s / %s" % (load_before, load_after),
             "- command: `%s`" % a.command, "",
             "Medians; ratios are ours over PyTorch (above 1: ours slower, or using more memory).", "",
             "| workload | time ours (s) | time PyTorch (s) | time ours / PyTorch | peak memory ours (GiB) "
             "| peak memory PyTorch (GiB) | memory ours / PyTorch | largest process ours / PyTorch (GiB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, by_side in runs.items():
        t = {s: median(by_side[s], "wall_s") for s in SIDES}
        m = {s: median(by_side[s], "tree_peak_bytes") for s in SIDES}
        p = {s: median(by_side[s], "max_process_bytes") for s in SIDES}
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s / %s |" % (
            name, cell(t["ours"]), cell(t["pytorch"]), ratio(t["ours"], t["pytorch"]), cell(m["ours"], gib),
            cell(m["pytorch"], gib), ratio(m["ours"], m["pytorch"]), cell(p["ours"], gib), cell(p["pytorch"], gib)))
    lines += ["", "Outputs, from the untimed run of each side: " + "; ".join(
        "%s: %s" % (name, agreed[name]) for name in runs), "", "Every run, in order:", "",
              "| workload | round | side | time (s) | peak memory (GiB) | largest process (GiB) | processes |",
              "|---|---:|---|---:|---:|---:|---:|"]
    for name, by_side in runs.items():
        for i in range(a.runs):
            for side in order(i):
                r = by_side[side][i]
                lines.append("| %s | %d | %s | %s |" % (name, i + 1, NAMES[side], "failed | | |" if r is None else
                             "%.2f | %.3f | %.3f | %d" % (r["wall_s"], r["tree_peak_bytes"] / gib,
                                                          r["max_process_bytes"] / gib, r["processes"])))
    return "\n".join(lines)


def order(i):
    return SIDES if i % 2 == 0 else SIDES[::-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--describe", default="", help="what the checkpoint is, for the report")
    ap.add_argument("--data", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--omp-wait-policy", default="PASSIVE")
    ap.add_argument("--torch-workers", type=int, default=0)
    ap.add_argument("--interval-ms", type=float, default=5.0)
    ap.add_argument("--command", required=True)
    a = ap.parse_args()
    image = first_test_image(a.data)
    load_before = open("/proc/loadavg").read().split()[:3]
    runs, agreed = {}, {}
    with tempfile.TemporaryDirectory() as work:
        for name, sides in workloads(a, image).items():
            kept = {}
            for side in SIDES:  # untimed: the page cache holds both sides' files alike
                measure(name, side, sides[side], work, a.interval_ms / 1000, kept)
            agreed[name] = agreement(kept)
            runs[name] = {side: [] for side in SIDES}
            for i in range(a.runs):
                for side in order(i):
                    result = measure(name, side, sides[side], work, a.interval_ms / 1000)
                    runs[name][side].append(result)
                    print("%s %s round %d: %s" % (name, side, i + 1, result), file=sys.stderr)
    load_after = open("/proc/loadavg").read().split()[:3]
    print(report(a, image, runs, agreed, " ".join(load_before), " ".join(load_after)))


if __name__ == "__main__":
    main()
