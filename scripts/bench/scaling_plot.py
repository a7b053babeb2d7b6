#!/usr/bin/python3
"""Plots and markdown for scaling.sh: images/s and peak memory of ours, PyTorch 1.13 and DJL over
libtorch 2.7.1 against the batch size, one line per side and thread count.

    /usr/bin/python3 scaling_plot.py RUNS OUT [--section FILE]

RUNS is scaling.sh's JSON lines: {"setup": {...}} first, then one line per run ({"arch", "size",
"batch", "threads", "side", "malloc", "load", "seconds", "result": one bench JSON line or null}), and
{"load_after": ...} last where the grid ran to its end. Each side counts with the better of its runs
at a point (glibc, jemalloc), metric by metric: the higher images/s, the lower peak memory.
Writes, per architecture and image size, OUT/ARCH-SIZE-speed.png (training and inference images/s)
and OUT/ARCH-SIZE-memory.png (peak memory), and OUT/scaling.md: the section for BENCHMARKS.md, with
the tables, ours over the better peer at every point, and every run. --section FILE also puts that
section into FILE, in place of the one between its "<!-- kept: scaling" and "<!-- end: scaling -->"
lines, or at its end; its image links are then relative to FILE's folder."""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend is chosen first)

SIDES = {"ours": "ours", "pytorch": "PyTorch 1.13", "djl": "DJL / libtorch 2.7.1"}
COLOURS = {"ours": "tab:red", "pytorch": "tab:blue", "djl": "tab:green"}
# name, key, the better of two runs, scale to the unit shown, unit
SPEED = [("training step", "train_images_per_s", max, 1.0, "images/s"),
         ("inference", "infer_images_per_s", max, 1.0, "images/s")]
MEMORY = ("peak memory", "peak_memory_bytes", min, 1 / 2 ** 30, "GiB")
BEGIN, END = "<!-- kept: scaling (scripts/bench/scaling.sh) -->", "<!-- end: scaling -->"


def read_runs(path):
    """(setup, runs, load after or "?") from scaling.sh's JSON lines."""
    setup, runs, load_after = None, [], "?"
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if "setup" in record:
                setup = record["setup"]
            elif "load_after" in record:
                load_after = record["load_after"]
            elif "side" in record:
                runs.append(record)
            else:
                raise SystemExit("%s line %d: neither setup, run nor load_after: %s" % (path, number, line.strip()))
    if setup is None:
        raise SystemExit("%s: no setup line: is it scaling.sh's runs file?" % path)
    if not runs:
        raise SystemExit("%s: no runs" % path)
    return setup, runs, load_after


def best(runs, metric, pick):
    """Per (arch, size, threads, batch, side): the better value among the runs that gave the metric."""
    got = {}
    for run in runs:
        result = run["result"]
        if result is not None and result.get(metric, -1) > 0:
            key = (run["arch"], run["size"], run["threads"], run["batch"], run["side"])
            got.setdefault(key, []).append(result[metric])
    return {key: pick(values) for key, values in got.items()}


def threads_text(counts):
    """E.g. "1 and 2 threads", "1 thread"."""
    names = [str(c) for c in counts]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text + (" thread" if counts == [1] else " threads")


def in_order(values):
    """The distinct values in the order they first came."""
    return list(dict.fromkeys(values))


def plot(ax, values, arch, size, thread_counts, batches, scale, unit, title):
    """One line per side and thread count: the side's best value against the batch size."""
    styles = ["-", "--", ":", "-."]
    for side in SIDES:
        for i, threads in enumerate(sorted(thread_counts, reverse=True)):
            points = [(b, values[(arch, size, threads, b, side)] * scale) for b in batches
                      if (arch, size, threads, b, side) in values]
            if points:
                ax.plot(*zip(*points), styles[i % len(styles)], marker="o", color=COLOURS[side],
                        label="%s, %s" % (SIDES[side], threads_text([threads])))
    ax.set_xscale("log", base=2)
    ax.set_xticks(batches)
    ax.set_xticklabels([str(b) for b in batches])
    ax.set_xlabel("batch size")
    ax.set_ylabel(unit)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)


def legend(ax):
    if ax.get_legend_handles_labels()[0]:  # none where every run failed
        ax.legend(fontsize="small")


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})  # no version stamp: same runs, same bytes
    plt.close(fig)


def ratio_cell(values, key_of, pick):
    """Ours over the better peer, bold, with the peer named; "-" where a side has no value."""
    ours = values.get(key_of("ours"))
    peers = [(values[key_of(p)], p) for p in ("pytorch", "djl") if key_of(p) in values]
    if ours is None or not peers:
        return "-"
    value, peer = pick(peers, key=lambda p: p[0])
    return "**%.2f** (%s)" % (ours / value, "PyTorch" if peer == "pytorch" else "DJL")


def table(values, arch, size, thread_counts, batches, pick, scale):
    """Rows per batch size; per thread count, each side's value and ours over the better peer."""
    head, rule = ["batch"], ["---:"]
    for threads in thread_counts:
        t = threads_text([threads])
        head += ["ours, " + t, "PyTorch, " + t, "DJL, " + t, "ours / better peer, " + t]
        rule += ["---:"] * 4
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(rule) + "|"]
    for batch in batches:
        cells = [str(batch)]
        for threads in thread_counts:
            def key_of(side):
                return arch, size, threads, batch, side
            for side in SIDES:
                v = values.get(key_of(side))
                cells.append("-" if v is None else "%.2f" % (v * scale))
            cells.append(ratio_cell(values, key_of, pick))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def section(setup, runs, load_after, links):
    """The markdown section; links: folder of the images, relative to the markdown file."""
    workloads = in_order((r["arch"], r["size"]) for r in runs)
    thread_counts = sorted(in_order(r["threads"] for r in runs))
    batches = sorted(in_order(r["batch"] for r in runs))
    loads = [r["load"] for r in runs]
    allocators = dict(choice.split("=") for choice in setup["allocators"].split(","))
    lines = [BEGIN, "## How cost grows: batch size and threads", ""]
    lines.append("Written by `scripts/bench/scaling.sh` on %s: the training step's and inference's images/s and "
                 "the process's peak memory against the batch size, on %s, for ours "
                 "(`covidct.jar bench`), PyTorch 1.13 and DJL over libtorch 2.7.1, run as "
                 "`compare_peers.sh` runs them (torchvision's network with a 2-class last layer, softmax "
                 "cross-entropy and SGD with momentum on one random batch; ours folds batch norm into the "
                 "convolutions for inference, the peers run eval mode). At every point the runs alternate "
                 "sides, and each side counts with the better of its allocators, metric by metric."
                 % (setup["date"], threads_text(thread_counts)))
    lines.append("")
    lines.append("- machine: %s%s" % (setup["machine"], "; every side held to AVX2 kernels (as `compare_peers.sh "
                                      "--avx2`)" if setup["avx2"] == "1" else ""))
    lines.append("- medians of %s timed step%s after a warm-up (at least 2 steps and 3 s), training then inference" % (
        setup["steps"], "" if setup["steps"] == "1" else "s"))
    lines.append("- allocators: %s (jemalloc preloaded without page decay)" % "; ".join(
        "%s %s" % (SIDES[side], allocators[side].replace("+", " and ")) for side in SIDES))
    lines.append("- PyTorch loop `%s`, DJL update `%s`, the peers' OpenMP wait policy %s" % (
        setup["torch_loop"], setup["djl_update"], setup["omp_wait_policy"]))
    lines.append("- load average (1, 5, 15 min) before / after: %s / %s; the 1-minute load before each run: "
                 "%.2f to %.2f" % (setup["load_before"], load_after, min(loads), max(loads)))
    lines.append("- command: `%s`" % setup["command"])
    lines.append("- every run: [scaling-runs.jsonl](%s), from which `scripts/bench/scaling_plot.py` draws the plots "
                 "and writes this section again" % os.path.join(links, "scaling-runs.jsonl"))
    lines.append("")
    lines.append("Ours over the better peer at each point: above 1 is ours faster (images/s) or ours using "
                 "more (memory).")
    for arch, size in workloads:
        name = "%s-%d" % (arch, size)
        lines.append("")
        lines.append("### %s at %dx%d" % (arch, size, size))
        lines.append("")
        lines.append("![%s at %dx%d: images/s against batch size](%s)" % (
            arch, size, size, os.path.join(links, name + "-speed.png")))
        lines.append("![%s at %dx%d: peak memory against batch size](%s)" % (
            arch, size, size, os.path.join(links, name + "-memory.png")))
        for title, metric, pick, scale, unit in SPEED + [MEMORY]:
            lines.append("")
            lines.append("%s (%s):" % (title[0].upper() + title[1:], unit))
            lines.append("")
            lines += table(best(runs, metric, pick), arch, size, thread_counts, batches, pick, scale)
    lines.append("")
    lines.append("<details><summary>Every run, in order (images/s; peak memory in GiB; the run's seconds, "
                 "start-up included)</summary>")
    lines.append("")
    lines.append("| workload | threads | side | allocator | training | inference | peak memory | seconds |")
    lines.append("|---|---:|---|---|---:|---:|---:|---:|")
    for run in runs:
        cells = ["%s, batch %d, %dx%d" % (run["arch"], run["batch"], run["size"], run["size"]),
                 str(run["threads"]), SIDES[run["side"]], run["malloc"]]
        r = run["result"]
        cells += (["failed", "", ""] if r is None else
                  ["%.2f" % r["train_images_per_s"], "%.2f" % r["infer_images_per_s"],
                   "%.2f" % (r["peak_memory_bytes"] / 2 ** 30)])
        cells.append(str(run["seconds"]))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "</details>", END]
    return "\n".join(lines)


def draw(runs, out):
    """Per architecture and image size: the speed plot (training, inference) and the memory plot."""
    thread_counts = in_order(r["threads"] for r in runs)
    batches = sorted(in_order(r["batch"] for r in runs))
    for arch, size in in_order((r["arch"], r["size"]) for r in runs):
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        for ax, (title, metric, pick, scale, unit) in zip(axes, SPEED):
            plot(ax, best(runs, metric, pick), arch, size, thread_counts, batches, scale, unit,
                 "%s at %dx%d: %s" % (arch, size, size, title))
        legend(axes[0])
        save(fig, os.path.join(out, "%s-%d-speed.png" % (arch, size)))
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        title, metric, pick, scale, unit = MEMORY
        plot(ax, best(runs, metric, pick), arch, size, thread_counts, batches, scale, unit,
             "%s at %dx%d: %s" % (arch, size, size, title))
        legend(ax)
        save(fig, os.path.join(out, "%s-%d-memory.png" % (arch, size)))


def put_section(path, text):
    """Replaces the scaling section of the file at path, or adds it at the end."""
    with open(path) as f:
        lines = f.read().split("\n")
    begin = [i for i, line in enumerate(lines) if line.startswith("<!-- kept: scaling")]
    if begin:
        ends = [i for i, line in enumerate(lines) if line == END and i > begin[0]]
        if not ends:
            raise SystemExit("%s: the scaling section has no '%s' line" % (path, END))
        lines[begin[0]:ends[0] + 1] = text.split("\n")
        new = "\n".join(lines)
    else:
        new = "\n".join(lines).rstrip("\n") + "\n\n" + text + "\n"
    with open(path, "w") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("out")
    ap.add_argument("--section", help="markdown file whose scaling section to replace (or add)")
    args = ap.parse_args()
    setup, runs, load_after = read_runs(args.runs)
    os.makedirs(args.out, exist_ok=True)
    draw(runs, args.out)
    with open(os.path.join(args.out, "scaling.md"), "w") as f:
        f.write(section(setup, runs, load_after, "") + "\n")
    if args.section:
        links = os.path.relpath(args.out, os.path.dirname(os.path.abspath(args.section)))
        put_section(args.section, section(setup, runs, load_after, links))
    print(section(setup, runs, load_after, ""))


if __name__ == "__main__":
    main()
