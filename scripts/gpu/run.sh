#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, with target/gpu/ from prepare.sh beside the
# sources: whether CUDA is usable (and if not, why), the GPU tests, the vgg19_bn training-step
# benchmark of ours and of PyTorch, and BENCHMARKS-gpu.md comparing them. Needs python3 with
# PyTorch and its nvidia-cublas / nvidia-cudnn-cu13 packages, which also supply cuBLAS and cuDNN.
# Everything it writes goes to $OUT (default target/gpu-run). Exits non-zero when a step fails.
# A machine where CUDA is unusable fails the cuda-status step, and its CUDA tests fail rather
# than skip. Usage: bash scripts/gpu/run.sh [--quick]    (--quick: fewer benchmark steps)
set -uo pipefail
cd "$(dirname "$0")/../.."
warmup=5 steps=20
if [[ ${1:-} == --quick ]]; then
    warmup=2 steps=5
elif (($# > 0)); then
    echo "usage: bash scripts/gpu/run.sh [--quick]" >&2
    exit 2
fi
gpu=target/gpu
out=${OUT:-target/gpu-run}
mkdir -p "$out"
if [[ ! -x $gpu/jdk/bin/java ]]; then
    echo "run.sh: $gpu/jdk is missing; run scripts/gpu/prepare.sh where Maven is and carry $gpu here" >&2
    exit 1
fi

# The dynamic loader finds cuBLAS, cuDNN and what they load (cublasLt, nvrtc, cuDNN's engines) in
# the folders of PyTorch's nvidia-* pip packages.
nvidia_libs=$(python3 - <<'PY'
import glob, os
try:
    import nvidia
    roots = list(nvidia.__path__)
except ImportError:
    roots = []
print(":".join(sorted({os.path.dirname(p) for r in roots for p in glob.glob(os.path.join(r, "**", "*.so*"), recursive=True)})))
PY
)
export LD_LIBRARY_PATH=${nvidia_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# java.library.path: JCuda's loader tries it before its jars, so the relinked natives win.
java=("$gpu/jdk/bin/java" -Xmx16g --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      -Djava.library.path="$gpu/natives" -cp "$gpu/lib/*")
# A CUDA test that would skip fails instead: this run exists to run them. Convolutions default to
# strict FP32, as GoldenOpsTest's tolerance needs; the tests that want TF32 turn it on themselves.
tests_java=("${java[@]}" -Dcovidct.requireCuda=true -Dcovidct.cuda.poisonOutputs=true -Dcovidct.cuda.tf32=false)
failed=()
step() { # NAME TIMEOUT_S COMMAND...: runs a step, logging to $out/NAME.log, and records a failure
    local name=$1 limit=$2
    shift 2
    echo "== $name"
    timeout "$limit" "$@" 2>&1 | tee "$out/$name.log"
    local rc=${PIPESTATUS[0]}
    if ((rc != 0)); then
        echo "== $name failed (exit $rc)"
        failed+=("$name")
    fi
}

nvidia-smi > "$out/nvidia-smi.txt" 2>&1
head -n 12 "$out/nvidia-smi.txt"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
step cuda-status 60 "${java[@]}" org.covidct.bench.CudaStatus
step tests 300 "${tests_java[@]}" org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors \
    --details=tree --reports-dir="$out/junit" \
    --select-class=org.covidct.tensor.GoldenOpsTest --select-class=org.covidct.tensor.cuda.CudaVsCpuTest \
    --select-class=org.covidct.tensor.cuda.CachingAllocatorTest \
    --select-class=org.covidct.tensor.cuda.CudaFromOtherThreadsTest --select-class=org.covidct.nn.ModuleToTest \
    --select-class=org.covidct.nn.DeviceParityTest --select-class=org.covidct.nn.GpuTrainingTest
: > "$out/covidct.jsonl"
for precision in tf32 fp32; do
    flag=()
    [[ $precision == fp32 ]] && flag=(--strict-fp32)
    step "covidct-$precision" 150 "${java[@]}" org.covidct.bench.GpuTrainStep --warmup "$warmup" --steps "$steps" \
        "${flag[@]}"
    grep '^{' "$out/covidct-$precision.log" >> "$out/covidct.jsonl"
done
step pytorch 240 python3 scripts/gpu/torch_vgg_step.py --warmup "$warmup" --steps "$steps"
grep '^{' "$out/pytorch.log" > "$out/pytorch.jsonl"
step report 60 python3 scripts/gpu/report.py --covidct "$out/covidct.jsonl" --pytorch "$out/pytorch.jsonl" \
    --command "bash scripts/gpu/run.sh $*" --out "$out/BENCHMARKS-gpu.md"
[[ -f $out/BENCHMARKS-gpu.md ]] && cat "$out/BENCHMARKS-gpu.md"

if ((${#failed[@]} > 0)); then
    echo "run.sh: failed: ${failed[*]}"
    exit 1
fi
echo "run.sh: all steps passed"
