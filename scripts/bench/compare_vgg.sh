#!/usr/bin/env bash
# Times the whole VGG training step and inference, ours (covidct.jar bench) against PyTorch's
# (torch_vgg_step.py), in one go on this machine, and writes the table to BENCHMARKS-vgg.md.
# Usage, from the repository root, after `mvn -B package -DskipTests`:
#   bash scripts/bench/compare_vgg.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=${1:-5}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
out=BENCHMARKS-vgg.md
rows=()
for size in 224 112; do
    ours=$("$java" -jar covidct/target/covidct.jar bench --device cpu --arch vgg19_bn --image-size "$size" \
        --batch-size 8 --steps "$steps" 2>/dev/null | tail -n 1)
    torch=$(/usr/bin/python3 scripts/bench/torch_vgg_step.py --arch vgg19_bn --image-size "$size" \
        --batch-size 8 --steps "$steps" --threads "$(nproc)")
    rows+=("$(/usr/bin/python3 - "$size" "$ours" "$torch" <<'PY'
import json, sys
size, ours, torch = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
def row(name, key, scale=1.0, fmt="{:.2f}"):
    o, t = ours[key] * scale, torch[key] * scale
    return f"| vgg19_bn {name}, batch 8, {size}x{size} | {fmt.format(o)} | {fmt.format(t)} | {o / t:.2f} |"
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
    echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $(nproc) threads. Medians of $steps steps after 2 warm-up steps."
    echo "Memory is each process's peak resident set (a ratio above 1 means we use more)."
    echo
    echo "| workload | ours | PyTorch | ours / PyTorch |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Reproduce: \`bash scripts/bench/compare_vgg.sh $steps\`"
} > "$out"
cat "$out"
