#!/usr/bin/env bash
# Self-tests of the CUDA stand-in: builds it (build.sh) into BUILD_DIR (default: a temporary
# directory), then checks its cuDNN against the golden fixtures of real PyTorch
# (cudnn_golden_test.cpp on tensor/src/test/resources/golden/ops) and shows that each strictness
# check of its driver and cuBLAS refuses the bad call it is there for (driver_strictness_test.cpp on
# the kernels' PTX in cuda-kernels/src/main/ptx). Prints one line per case; exits non-zero when any
# case fails (and then shows what the stand-in reported on stderr).
# Usage: bash cuda-kernels/standin/test/run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
if ! command -v g++ >/dev/null; then
    echo "cuda stand-in self-test: g++ not found, skipped"
    exit 0
fi
if [[ $# -ge 1 ]]; then
    out=$1
    mkdir -p "$out"
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
out=$(cd "$out" && pwd)
bash "$here/../build.sh" "$out"
g++ -std=c++17 -O2 -Wall -o "$out/cudnn_golden_test" "$here/cudnn_golden_test.cpp" \
    -L"$out" -l:libcudnn.so.9 -l:libcuda.so.1 -Wl,-rpath,"$out"
g++ -std=c++17 -O2 -Wall -pthread -o "$out/driver_strictness_test" "$here/driver_strictness_test.cpp" \
    -L"$out" -l:libcublas.so.12 -l:libcuda.so.1 -Wl,-rpath,"$out"
# The stand-in's own report lines (expected refusals among them) go to a log, shown on failure.
failed=0
"$out/cudnn_golden_test" "$root/tensor/src/test/resources/golden/ops" 2>"$out/stand-in.log" || failed=1
"$out/driver_strictness_test" "$root/cuda-kernels/src/main/ptx" 2>>"$out/stand-in.log" || failed=1
if [[ $failed == 0 ]]; then
    exit 0
fi
echo "--- the stand-in's report lines:"
cat "$out/stand-in.log"
exit 1
