#!/usr/bin/env bash
# Self-test of the cuDNN stand-in against the golden fixtures of real PyTorch: builds the stand-in
# (build.sh) into BUILD_DIR (default: a temporary directory), compiles cudnn_golden_test.cpp
# against its libcudnn.so.9 and libcuda.so.1, and runs it on tensor/src/test/resources/golden/ops.
# Prints one line per case; exits non-zero when any case fails (and then shows what the stand-in
# reported on stderr).
# Usage: bash cuda-kernels/standin/test/run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
if ! command -v g++ >/dev/null; then
    echo "cudnn self-test: g++ not found, skipped"
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
# The stand-in's own report lines (expected refusals among them) go to a log, shown on failure.
if "$out/cudnn_golden_test" "$root/tensor/src/test/resources/golden/ops" 2>"$out/stand-in.log"; then
    exit 0
fi
echo "--- the stand-in's report lines:"
cat "$out/stand-in.log"
exit 1
