#!/usr/bin/env bash
# Whole-network training step, inference and peak memory: ours (covidct.jar bench) against both peers,
# PyTorch 1.13 (torch_train_step.py) and DJL 0.36 over libtorch 2.7.1 (djl/, its own Maven project),
# each run with glibc's malloc and with jemalloc preloaded without page decay; a peer counts with the
# better of its two runs, metric by metric. The runs alternate (per workload: ours, PyTorch, DJL under
# glibc, then the three under jemalloc), so that a change in machine load hits every side alike.
# Writes the markdown table (and every run) to OUT.
#
# Usage, from anywhere (OUT is relative to the repository root), after `mvn -B package -DskipTests` at
# the root and `mvn -B package` in scripts/bench/djl (both offline once their dependencies are in the
# local repository):
#   bash scripts/bench/compare_peers.sh [--avx2] STEPS OUT ARCH:BATCH:SIZE...
#   bash scripts/bench/compare_peers.sh 3 BENCHMARKS-peers.md vgg19_bn:8:224 vgg19_bn:8:112 mobilenet_v2:32:224
# --avx2 holds every side to AVX2 kernels on an AVX-512 machine: ours with -XX:UseAVX=2, the peers with
# oneDNN's, ATen's, MKL's and OpenBLAS's own switches.
#
# Both peers run their kernels on OpenMP (libgomp), whose idle threads spin by default: on a machine
# shared with other work a spinning thread holds a core that the thread it waits for needs, and the
# peers can run many times slower. So the peers run with OMP_WAIT_POLICY=PASSIVE unless
# PEER_OMP_WAIT_POLICY says otherwise (ACTIVE, or default for libgomp's own); on an idle machine
# compare both.
#
# Each peer trains with the fastest loop it allows: PyTorch zero_grad(set_to_none=True) and
# SGD(foreach=True) (torch_train_step.py --loop fast), DJL the in-place update of djl/'s MomentumSgd.
# A run that fails shows its last errors and leaves its cell empty; the others go on.
#
# Environment: JAVA_HOME (JDK 25), TORCH_PYTHON (Debian's python3 with torch 1.13), THREADS (nproc),
# JEMALLOC (Debian's libjemalloc2), TORCH_LOOP (fast, or plain: zero_grad() and the per-parameter SGD),
# DJL_UPDATE (direct, or trainer: DJL's Trainer.step()), PEER_OMP_WAIT_POLICY (PASSIVE, ACTIVE or
# default).
set -euo pipefail
cd "$(dirname "$0")/../.."
avx2=0 avx2_flag=
if [[ ${1:-} == --avx2 ]]; then
    avx2=1 avx2_flag="--avx2 "
    shift
fi
steps=${1:?steps} out=${2:?output file}
shift 2
(($# > 0)) || { echo "no workload given: expected ARCH:BATCH:SIZE, e.g. vgg19_bn:8:112" >&2; exit 2; }
threads=${THREADS:-$(nproc)}
source scripts/bench/peer_runs.sh

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
for workload in "$@"; do
    IFS=: read -r arch batch size <<<"$workload"
    for malloc in glibc jemalloc; do
        for side in ours pytorch djl; do
            result=$(run "$side" "$malloc" "$arch" "$batch" "$size" "$threads" "$steps")
            echo "$side $malloc $workload: $result" >&2
            printf '{"workload":"%s","side":"%s","malloc":"%s","result":%s}\n' \
                "$workload" "$side" "$malloc" "${result:-null}" >>"$runs"
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# The command that reproduces the table, with the settings that were not left to their defaults.
command="bash scripts/bench/compare_peers.sh ${avx2_flag}$steps $out $*"
for knob in THREADS TORCH_LOOP DJL_UPDATE PEER_OMP_WAIT_POLICY; do
    [[ -n ${!knob:-} ]] && command="$knob=${!knob} $command"
done
"$python" scripts/bench/peer_report.py --runs "$runs" --steps "$steps" --threads "$threads" --avx2 "$avx2" \
    --load "$load_before" "$load_after" --torch-loop "$torch_loop" --djl-update "$djl_update" \
    --omp-wait-policy "$wait_policy" \
    --command "$command" >"$out"
cat "$out"
