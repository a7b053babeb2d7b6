#!/usr/bin/env bash
# Scoring throughput: the same N COVID-CT images scored by `covidct.jar predict` and by
# `spark/bin/covidct-spark score` at local[1] and local[2], each in a fresh JVM with the same heap;
# images per second over the whole command (JVM start, model load and output included) and each
# process's peak resident set. In local mode the executor runs in the driver's JVM, so that peak is
# what one executor of that many task slots needs. Writes its section of BENCHMARKS.md.
# Usage, from the repository root, after `mvn -B package -DskipTests`:
#   bash scripts/bench/spark_scoring.sh [N=200] [ARCH=mobilenet_v2] [SIZE=224] [DATA=../shared/covid-ct] [HEAP=4g]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-200} arch=${2:-mobilenet_v2} size=${3:-224} data=${4:-../shared/covid-ct} heap=${5:-4g}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java=$JAVA_HOME/bin/java
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# N images, half from each class, in one folder that both sides read.
mkdir -p "$work/images"
half=$((n / 2))
for cls in CT_COVID CT_NonCOVID; do
    find "$data/Images-processed/$cls" -maxdepth 1 -type f | sort | head -n "$half" | while IFS= read -r f; do
        ln -s "$(realpath "$f")" "$work/images/${cls}_$(basename "$f")"
    done
done
count=$(find "$work/images" -type l | wc -l)
"$java" --add-modules jdk.incubator.vector -cp covidct/target/covidct.jar scripts/bench/RandomWeights.java \
    "$work/weights.safetensors" "$arch" "$size" 2>/dev/null

# Runs a command under /usr/bin/time; prints "seconds peak_kib".
timed() {
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" > "$work/stdout" 2> "$work/stderr" \
        || { cat "$work/stderr" >&2; exit 1; }
    cat "$work/time"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mapfile -t images < <(find "$work/images" -type l | sort)
predict=$(timed "$java" "-Xmx$heap" -jar covidct/target/covidct.jar predict --device cpu --batch-size 8 \
    --weights "$work/weights.safetensors" "${images[@]}")
rows=("| \`covidct.jar predict\` | $(awk -v n="$count" '{printf "%.1f | %.1f | %.2f", $1, n / $1, $2 / 1048576}' <<< "$predict") |")
for threads in 1 2; do
    spark=$(JAVA_OPTS="-Xmx$heap" timed spark/bin/covidct-spark score --master "local[$threads]" --device cpu \
        --batch-size 8 --weights "$work/weights.safetensors" --input "$work/images" --output "$work/out-$threads")
    grep -q "^scored $count images" "$work/stdout" || { cat "$work/stdout" "$work/stderr" >&2; exit 1; }
    rows+=("| \`covidct-spark score --master local[$threads]\` | $(awk -v n="$count" \
        '{printf "%.1f | %.1f | %.2f", $1, n / $1, $2 / 1048576}' <<< "$spark") |")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

section=$(cat <<MD
<!-- kept: spark scoring (scripts/bench/spark_scoring.sh) -->
## Scoring on Spark (local mode) against predict

Written by \`scripts/bench/spark_scoring.sh\` on $(date +%F): $count COVID-CT images (half of each class),
$arch at ${size}x${size} (untrained weights: the time does not depend on their values), batch 8, on the
CPU, each command in a fresh JVM with \`-Xmx$heap\`. Images per second are over the whole command: JVM
start, Spark start, model load and output included. Peak memory is the process's peak resident set;
in local mode the one executor runs in that JVM, so it is what an executor with that many task slots
needs.

- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, shared with other work (load average before / after: $load_before / $load_after)
- command: \`bash scripts/bench/spark_scoring.sh $n $arch $size\`

| command | seconds | images/s | peak memory (GiB) |
|---|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")
<!-- end: spark scoring -->
MD
)
# Replace this script's section of BENCHMARKS.md, or add it at the end.
if grep -q '^<!-- kept: spark scoring' BENCHMARKS.md; then
    awk -v section="$section" '
        /^<!-- kept: spark scoring/ { print section; skip = 1; next }
        skip && /^<!-- end: spark scoring -->/ { skip = 0; next }
        !skip { print }' BENCHMARKS.md > "$work/BENCHMARKS.md"
    cp "$work/BENCHMARKS.md" BENCHMARKS.md
else
    printf '\n%s\n' "$section" >> BENCHMARKS.md
fi
printf '%s\n' "$section"
