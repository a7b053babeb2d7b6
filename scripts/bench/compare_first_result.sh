#!/usr/bin/env bash
# First results fast: `covidct.jar predict` of one image and `covidct.jar evaluate` of COVID-CT's test
# split against PyTorch 1.13 doing the same (torch_predict.py, torch_evaluate.py), each as a whole
# process from its start: wall time, and peak memory as the peak of the summed resident sets of the
# process and all its descendants (ours: the launcher JVM and the JVM it starts), sampled every 5 ms,
# beside the largest single process's maximum resident set. The sides run in turn, RUNS timed runs
# each after one untimed run (first_result.py; tree_memory.py measures). The checkpoint is an untrained
# one that records its description (RandomWeights.java): the weights' values do not change the work,
# but its scores are all 0.5 to 8 decimals, so the report's line on the two sides' agreement only
# shows that they scored the same images; WEIGHTS=CK (a run's checkpoints/best.safetensors) makes it
# a check of the scores, and RUNS 0 runs that check alone. The image is the first of the COVID
# test split file. Writes the markdown (medians, ratios ours / PyTorch, every run, the agreement, the
# machine, the load, the command) to OUT.
#
# Usage, from anywhere (OUT and DATA are relative to the repository root), after
# `mvn -B package -DskipTests` at the root:
#   bash scripts/bench/compare_first_result.sh [RUNS=5] [OUT=BENCHMARKS-first-result.md] [DATA=../shared/covid-ct]
#   bash scripts/bench/compare_first_result.sh 5 BENCHMARKS-first-result.md
#
# Environment: JAVA_HOME (JDK 25), TORCH_PYTHON (Debian's python3 with torch 1.13, torchvision,
# sklearn, scipy, PIL), THREADS (nproc: ours -XX:ActiveProcessorCount, PyTorch torch.set_num_threads),
# ARCH and SIZE (mobilenet_v2 and 224: the untrained checkpoint's architecture and image size), WEIGHTS
# (a checkpoint to use instead, relative to the repository root, one that records its description),
# PEER_OMP_WAIT_POLICY (PASSIVE, ACTIVE or default, as in compare_peers.sh: PyTorch's OpenMP threads
# wait passively unless told otherwise, since spinning ones starve a shared machine), TORCH_WORKERS
# (0: torch_evaluate.py's DataLoader reads the images in its own process, the DataLoader's default;
# more starts worker processes, whose memory counts too).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5} out=${2:-BENCHMARKS-first-result.md} data=${3:-../shared/covid-ct}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
python=${TORCH_PYTHON:-/usr/bin/python3}
threads=${THREADS:-$(nproc)} arch=${ARCH:-mobilenet_v2} size=${SIZE:-224}
[[ -e covidct/target/covidct.jar ]] ||
    { echo "covidct/target/covidct.jar is missing: mvn -B package -DskipTests" >&2; exit 2; }
[[ -d $data/Data-split ]] ||
    { echo "$data is no COVID-CT checkout (no Data-split/): give its folder as DATA" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -n ${WEIGHTS:-} ]]; then
    weights=$WEIGHTS describe="\`$WEIGHTS\`"
else
    weights=$work/$arch-$size.safetensors describe="an untrained one, \`RandomWeights.java OUT $arch $size\`"
    "$java" --add-modules jdk.incubator.vector -cp covidct/target/covidct.jar scripts/bench/RandomWeights.java \
        "$weights" "$arch" "$size" 2>/dev/null
fi
# The command that reproduces the report, with the settings that were not left to their defaults.
command="bash scripts/bench/compare_first_result.sh $runs $out $data"
for knob in THREADS ARCH SIZE WEIGHTS PEER_OMP_WAIT_POLICY TORCH_WORKERS; do
    [[ -n ${!knob:-} ]] && command="$knob=${!knob} $command"
done
"$python" scripts/bench/first_result.py --java "$java" --python "$python" \
    --weights "$weights" --describe "$describe" --data "$data" --threads "$threads" \
    --runs "$runs" --omp-wait-policy "${PEER_OMP_WAIT_POLICY:-PASSIVE}" --torch-workers "${TORCH_WORKERS:-0}" \
    --command "$command" >"$out"
cat "$out"
