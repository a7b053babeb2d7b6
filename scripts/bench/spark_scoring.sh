#!/usr/bin/env bash
# Scoring throughput: the same COVID-CT images scored by `covidct.jar predict` and by
# `spark/bin/covidct-spark score` at local[1] and local[2], each command in a fresh JVM with the same
# heap, on SMALL and on N images. Reports each command's time on N images (JVM start, Spark start,
# model load and output included), its images per second over the whole command, its images per
# second once started ((N - SMALL) / (time on N - time on SMALL)), and its peak resident set on N
# images: in local mode the executor runs in the driver's JVM, so that is what one executor with that
# many task slots needs. Writes its section of BENCHMARKS.md.
# Usage, from the repository root, after `mvn -B package -DskipTests`:
#   bash scripts/bench/spark_scoring.sh [N=300] [ARCH=mobilenet_v2] [SIZE=224] [DATA=../shared/covid-ct] [HEAP=4g] [SMALL=16]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-300} arch=${2:-mobilenet_v2} size=${3:-224} data=${4:-../shared/covid-ct} heap=${5:-4g} small=${6:-16}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java=$JAVA_HOME/bin/java
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The first COUNT/2 images of each class, in one folder.
images() {
    mkdir -p "$work/images-$1"
    for cls in CT_COVID CT_NonCOVID; do
        find "$data/Images-processed/$cls" -maxdepth 1 -type f | sort | head -n "$(($1 / 2))" | while IFS= read -r f; do
            ln -s "$(realpath "$f")" "$work/images-$1/${cls}_$(basename "$f")"
        done
    done
}
images "$small"
images "$n"
count=$(find "$work/images-$n" -type l | wc -l)
count_small=$(find "$work/images-$small" -type l | wc -l)
"$java" --add-modules jdk.incubator.vector -cp covidct/target/covidct.jar scripts/bench/RandomWeights.java \
    "$work/weights.safetensors" "$arch" "$size" 2>/dev/null

# Runs a command under /usr/bin/time; prints "seconds peak_kib".
timed() {
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" > "$work/stdout" 2> "$work/stderr" \
        || { cat "$work/stderr" >&2; exit 1; }
    cat "$work/time"
}
# One command (its name, then a function of the image folder and output folder) on both sizes.
measure() {
    local name=$1 run=$2 small_run big_run
    small_run=$($run "$work/images-$small" "$work/out-small-$RANDOM")
    big_run=$($run "$work/images-$n" "$work/out-$RANDOM")
    rows+=("| $name | $(awk -v n="$count" -v s="$count_small" -v a="$small_run" '{
        split(a, t0, " "); printf "%.1f | %.1f | %.1f | %.2f", $1, n / $1, (n - s) / ($1 - t0[1]), $2 / 1048576
    }' <<< "$big_run") |")
}
predict() {
    timed "$java" "-Xmx$heap" -jar covidct/target/covidct.jar predict --device cpu --batch-size 8 \
        --weights "$work/weights.safetensors" "$1"/*
}
spark1() {
    JAVA_OPTS="-Xmx$heap" timed spark/bin/covidct-spark score --master "local[1]" --device cpu --batch-size 8 \
        --weights "$work/weights.safetensors" --input "$1" --output "$2"
}
spark2() {
    JAVA_OPTS="-Xmx$heap" timed spark/bin/covidct-spark score --master "local[2]" --device cpu --batch-size 8 \
        --weights "$work/weights.safetensors" --input "$1" --output "$2"
}
rows=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
measure '`covidct.jar predict`' predict
measure '`covidct-spark score --master local[1]`' spark1
measure '`covidct-spark score --master local[2]`' spark2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

section=$(cat <<MD
<!-- kept: spark scoring (scripts/bench/spark_scoring.sh) -->
## Scoring on Spark (local mode) against predict

Written by \`scripts/bench/spark_scoring.sh\` on $(date +%F): $count COVID-CT images (half of each class),
and $count_small to tell start-up from scoring; $arch at ${size}x${size} (untrained weights: the time does
not depend on their values), batch 8, on the CPU, each command in a fresh JVM with \`-Xmx$heap\`.
"Whole command" counts JVM start, Spark start, model load and output; "once started" is
($count - $count_small) images over the difference of the two runs' times. Peak memory is the process's
peak resident set on $count images; in local mode the one executor runs in that JVM, so it is what an
executor with that many task slots needs.

- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, shared with other work (load average before / after: $load_before / $load_after)
- command: \`bash scripts/bench/spark_scoring.sh $n $arch $size\`

| command | seconds | images/s, whole command | images/s, once started | peak memory (GiB) |
|---|---:|---:|---:|---:|
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
