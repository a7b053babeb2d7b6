#!/usr/bin/env bash
# Times one network's training step and inference, ours (covidct.jar bench) against PyTorch's
# (torch_train_step.py), in one go on this machine, and writes the table to a markdown file.
# Usage, from the repository root, after `mvn -B package -DskipTests`:
#   bash scripts/bench/compare_step.sh ARCH BATCH "SIZES" STEPS OUT
#   bash scripts/bench/compare_step.sh vgg19_bn 8 "224 112" 3 BENCHMARKS-vgg.md
#   bash scripts/bench/compare_step.sh mobilenet_v2 32 224 5 BENCHMARKS-mobilenet.md
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:?arch} batch=${2:?batch size} sizes=${3:?image sizes} steps=${4:?steps} out=${5:?output file}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
rows=()
for size in $sizes; do
    ours=$("$java" -jar covidct/target/covidct.jar bench --device cpu --arch "$arch" --image-size "$size" \
        --batch-size "$batch" --steps "$steps" 2>/dev/null | tail -n 1)
    torch=$(/usr/bin/python3 scripts/bench/torch_train_step.py --arch "$arch" --image-size "$size" \
        --batch-size "$batch" --steps "$steps" --threads "$(nproc)")
    rows+=("$(/usr/bin/python3 - "$arch" "$batch" "$size" "$ours" "$torch" <<'PY'
import json, sys
arch, batch, size, ours, torch = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5])
def row(name, key, scale=1.0, fmt="{:.2f}"):
    o, t = ours[key] * scale, torch[key] * scale
    return f"| {arch} {name}, batch {batch}, {size}x{size} | {fmt.format(o)} | {fmt.format(t)} | {o / t:.2f} |"
print("\n".join([row("training step (images/s)", "train_images_per_s"),
                 row("inference (images/s)", "infer_images_per_s"),
                 row("training peak memory (GiB)", "peak_memory_bytes", 1 / 2**30)]))
PY
)")
done
{
    echo "# Whole-network benchmark: ours against PyTorch on the same machine"
    echo
    echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores."
    echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $(nproc) threads. Medians of $steps steps after a warm-up (at least 2 steps and 3 s)."
    echo "Memory is each process's peak resident set (a ratio above 1 means we use more)."
    echo
    echo "| workload | ours | PyTorch | ours / PyTorch |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Reproduce: \`bash scripts/bench/compare_step.sh $arch $batch \"$sizes\" $steps $out\`"
} > "$out"
cat "$out"
