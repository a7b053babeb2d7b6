#!/usr/bin/env bash
# How cost grows: the training step's and inference's images/s and the peak memory of ours
# (covidct.jar bench), PyTorch 1.13 and DJL 0.36 over libtorch 2.7.1, against the batch size and the
# number of threads. Runs the sides as compare_peers.sh does (peer_runs.sh), on a grid: every
# architecture at its image size, every batch size, every thread count; at each point the runs
# alternate (ours, PyTorch, DJL under glibc, then the three under jemalloc), so that a change in
# machine load hits every side alike. Each side counts with the better of its allocators, metric by
# metric. Writes every run to OUT/scaling-runs.jsonl, then scaling_plot.py draws OUT/*.png and writes
# the markdown section OUT/scaling.md (tables, ours over the better peer at every point, machine,
# load, the command); with --section FILE it also replaces that section of FILE (or adds it at the end).
#
# Usage, from anywhere (OUT and FILE are relative to the repository root), after the builds that
# compare_peers.sh needs (`mvn -B package -DskipTests` at the root, `mvn -B package` in scripts/bench/djl):
#   bash scripts/bench/scaling.sh [--avx2] [--section FILE] [--arches ARCH:SIZE,...] [--batches B,...]
#       [--threads T,...] [--steps N] [--allocators SIDE=ALLOC[+ALLOC],...] OUT
#   bash scripts/bench/scaling.sh --section BENCHMARKS.md BENCHMARKS-scaling
# The defaults: --arches vgg19_bn:112,mobilenet_v2:224 --batches 1,2,4,8,16,32,64 --threads 1,2
# --steps 2, and every side under glibc and jemalloc. --allocators narrows a side to the allocators
# named (glibc, jemalloc, or glibc+jemalloc), e.g. `--allocators pytorch=jemalloc,djl=jemalloc`, where
# earlier runs showed which one a side is better with; the sides not named keep both.
# The plots alone, again from the runs: /usr/bin/python3 scripts/bench/scaling_plot.py RUNS OUT [--section FILE]
#
# --avx2 and the environment (JAVA_HOME, TORCH_PYTHON, JEMALLOC, TORCH_LOOP, DJL_UPDATE,
# PEER_OMP_WAIT_POLICY) as in compare_peers.sh; the peers' OpenMP threads wait passively by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
arguments="$*"
avx2=0 section=() arches=vgg19_bn:112,mobilenet_v2:224 batches=1,2,4,8,16,32,64 thread_counts=1,2 steps=2
declare -A allocators=([ours]=glibc+jemalloc [pytorch]=glibc+jemalloc [djl]=glibc+jemalloc)
usage="usage: scaling.sh [--avx2] [--section FILE] [--arches ARCH:SIZE,...] [--batches B,...] [--threads T,...] [--steps N] [--allocators SIDE=ALLOC[+ALLOC],...] OUT"
while (($# > 1)); do
    case $1 in
        --avx2) avx2=1; shift; continue ;;
        --section) section=(--section "$2") ;;
        --arches) arches=$2 ;;
        --batches) batches=$2 ;;
        --threads) thread_counts=$2 ;;
        --steps) steps=$2 ;;
        --allocators)
            for choice in ${2//,/ }; do
                side=${choice%%=*} chosen=${choice#*=}
                [[ -v allocators[$side] && $choice == *=* ]] ||
                    { echo "--allocators: '$choice' names no side: expected ours, pytorch or djl=ALLOC" >&2; exit 2; }
                [[ $chosen =~ ^(glibc|jemalloc)(\+(glibc|jemalloc))?$ ]] ||
                    { echo "--allocators: '$chosen' for $side: expected glibc, jemalloc or glibc+jemalloc" >&2; exit 2; }
                allocators[$side]=$chosen
            done ;;
        *) echo "unknown option '$1'; $usage" >&2; exit 2 ;;
    esac
    shift 2
done
(($# == 1)) && [[ $1 != -* ]] || { echo "$usage" >&2; exit 2; }
out=$1
for list in "$batches" "$thread_counts"; do
    [[ $list =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
        { echo "'$list': expected positive whole numbers separated by commas" >&2; exit 2; }
done
[[ $steps =~ ^[1-9][0-9]*$ ]] || { echo "--steps '$steps': expected a positive whole number" >&2; exit 2; }
[[ $arches =~ ^[a-z0-9_]+:[1-9][0-9]*(,[a-z0-9_]+:[1-9][0-9]*)*$ ]] ||
    { echo "--arches '$arches': expected ARCH:SIZE,..., e.g. vgg19_bn:112,mobilenet_v2:224" >&2; exit 2; }
source scripts/bench/peer_runs.sh

mkdir -p "$out"
data=$out/scaling-runs.jsonl
# The command that reproduces the runs, with the settings that were not left to their defaults.
command="bash scripts/bench/scaling.sh $arguments"
for knob in TORCH_LOOP DJL_UPDATE PEER_OMP_WAIT_POLICY; do
    [[ -n ${!knob:-} ]] && command="$knob=${!knob} $command"
done
allocator_choice=$(for side in ours pytorch djl; do printf '%s=%s,' "$side" "${allocators[$side]}"; done)
# The first line sets the scene (every value a string), the runs follow, the last line closes it.
"$python" - command "$command" date "$(date +%F)" steps "$steps" avx2 "$avx2" torch_loop "$torch_loop" \
    djl_update "$djl_update" omp_wait_policy "$wait_policy" allocators "${allocator_choice%,}" \
    load_before "$(cut -d' ' -f1-3 /proc/loadavg)" >"$data" <<'PY'
import json, sys
sys.path.insert(0, "scripts/bench")
from peer_report import machine
setup = dict(zip(sys.argv[1::2], sys.argv[2::2]))
setup["machine"] = "%s, %s cores, %s" % machine()
print(json.dumps({"setup": setup}))
PY

points=0
for arch_size in ${arches//,/ }; do for threads in ${thread_counts//,/ }; do for batch in ${batches//,/ }; do
    points=$((points + 1))
done; done; done
point=0
for arch_size in ${arches//,/ }; do
    IFS=: read -r arch size <<<"$arch_size"
    for threads in ${thread_counts//,/ }; do
        for batch in ${batches//,/ }; do
            point=$((point + 1))
            for malloc in glibc jemalloc; do
                for side in ours pytorch djl; do
                    [[ +${allocators[$side]}+ == *+$malloc+* ]] || continue
                    load=$(cut -d' ' -f1 /proc/loadavg)
                    started=$SECONDS
                    result=$(run "$side" "$malloc" "$arch" "$batch" "$size" "$threads" "$steps")
                    seconds=$((SECONDS - started))
                    echo "[$point/$points] $side $malloc $arch ${size}px batch $batch threads $threads," \
                         "${seconds}s: $result" >&2
                    printf '{"arch":"%s","size":%d,"batch":%d,"threads":%d,"side":"%s","malloc":"%s","load":%s,"seconds":%d,"result":%s}\n' \
                        "$arch" "$size" "$batch" "$threads" "$side" "$malloc" "$load" "$seconds" \
                        "${result:-null}" >>"$data"
                done
            done
        done
    done
done
printf '{"load_after":"%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$data"
"$python" scripts/bench/scaling_plot.py "$data" "$out" "${section[@]}"
