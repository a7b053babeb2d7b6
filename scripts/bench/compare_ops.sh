#!/usr/bin/env bash
# Our sgemm, VGG19 3x3 convolutions, batch norm and ReLU and the whole vgg19_bn step (JMH) against
# PyTorch's (torch.mm; oneDNN convolutions; aten; torchvision's vgg19_bn) with the same thread count,
# and markdown tables (ours, PyTorch, ratio) in BENCHMARKS.md at the repo root.
# Each size or shape is measured by both back to back, alternating which goes first, so that a change
# in machine load during the run hits both sides alike. Both sides report the median of timed calls.
# The sgemm sizes, whose ratio moves most from run to run (OpenBLAS's rate alone moves by 15%), are
# measured in MM_ROUNDS such rounds: the report gives the median and each round's ratio.
#
#   scripts/bench/compare_ops.sh                                          # JMH settings of the classes
#   JMH_OPTS="-f 1 -wi 2 -i 3 -w 1s -r 1s" scripts/bench/compare_ops.sh   # shorter
#
# Environment: JAVA_HOME (JDK 25), TORCH_PYTHON (Debian's python3 with torch 1.13), THREADS (2),
# JMH_OPTS, MVN_OPTS (-o), OUT (BENCHMARKS.md), MM_ROUNDS (3), MM_SIZES, CONV_SHAPES, LAYER_SHAPES,
# STEP_SIZES (comma lists; an empty one skips its table).
set -euo pipefail
cd "$(dirname "$0")/../.."

JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
TORCH_PYTHON=${TORCH_PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-2}
JMH_OPTS=${JMH_OPTS:-}
MVN_OPTS=${MVN_OPTS:--o}
OUT=${OUT:-BENCHMARKS.md}
MM_ROUNDS=${MM_ROUNDS:-3}
MM_SIZES=${MM_SIZES-256,512,1024,2048}
CONV_SHAPES=${CONV_SHAPES-3-64-224,64-64-224,64-128-112,128-128-112,128-256-56,256-256-56,256-512-28,512-512-28,512-512-14}
LAYER_SHAPES=${LAYER_SHAPES-64-224,128-112,256-56,512-28,512-14}
STEP_SIZES=${STEP_SIZES-224,112}
command_line="$0${*:+ $*}"
[ -n "$JMH_OPTS" ] && command_line="JMH_OPTS=\"$JMH_OPTS\" $command_line"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== building bench/target/benchmarks.jar" >&2
mvn -B -q $MVN_OPTS package -pl bench -am -DskipTests >&2

ours() { # $1 item number, $2 benchmark class, $3 JMH parameter
    echo "== ours: $2 $3" >&2
    # Our pool sizes itself from the processor count: pin it to THREADS, as torch is.
    # shellcheck disable=SC2086
    "$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar "org\.covidct\.bench\.$2\." -p "$3" $JMH_OPTS \
        -jvmArgsPrepend "-XX:ActiveProcessorCount=$THREADS" -rf json -rff "$work/jmh-$1.json" >&2
}
theirs() { # $1 item number, then torch_ops.py arguments
    local item=$1
    shift
    echo "== PyTorch: $*" >&2
    "$TORCH_PYTHON" scripts/bench/torch_ops.py --threads "$THREADS" "$@" > "$work/torch-$item.json"
}
flip=0 # added to the item number to pick which side goes first
pair() { # $1 item number, $2 class, $3 JMH parameter, then torch_ops.py arguments
    local item=$1 cls=$2 param=$3
    shift 3
    if (( (item + flip) % 2 == 0 )); then
        theirs "$item" "$@"
        ours "$item" "$cls" "$param"
    else
        ours "$item" "$cls" "$param"
        theirs "$item" "$@"
    fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
item=0
for ((round = 0; round < MM_ROUNDS; round++)); do
    flip=$round # each size goes first on alternate sides round by round
    for n in ${MM_SIZES//,/ }; do
        pair $item MatmulBenchmark "n=$n" --ops mm --mm-sizes "$n"
        item=$((item + 1))
    done
done
flip=0
for shape in ${CONV_SHAPES//,/ }; do
    pair $item Conv2dBenchmark "shape=$shape" --ops conv --shapes "$shape"
    item=$((item + 1))
done
for shape in ${LAYER_SHAPES//,/ }; do
    pair $item LayerOpsBenchmark "shape=$shape" --ops layer --layer-shapes "$shape"
    item=$((item + 1))
done
for size in ${STEP_SIZES//,/ }; do
    pair $item VggStepBenchmark "imageSize=$size" --ops step --step-sizes "$size"
    item=$((item + 1))
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Sections that other scripts write at the end of the file, from a line "<!-- kept: ... -->" on, stay.
kept=$(sed -n '/^<!-- kept: /,$p' "$OUT" 2>/dev/null || true)
# Files in item order (rounds in order), which the report pairs round by round.
"$TORCH_PYTHON" scripts/bench/bench_report.py --jmh $(ls "$work"/jmh-*.json | sort -V) \
    --torch $(ls "$work"/torch-*.json | sort -V) \
    --command "$command_line" --threads "$THREADS" --load "$load_before" "$load_after" > "$OUT"
[ -z "$kept" ] || printf '\n%s\n' "$kept" >> "$OUT"
echo "== wrote $OUT" >&2
