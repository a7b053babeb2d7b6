#!/usr/bin/env bash
# Compiles each kernel family (src/main/cuda/<family>.cu) to PTX (src/main/ptx/<family>.ptx).
# The PTX is committed, so the default build needs no nvcc; check-ptx.sh proves it is current.
# compute_75 is the lowest virtual architecture CUDA 13 supports; the driver JIT-compiles it for
# the GPU at hand (Turing to Hopper and later). No fast math: results are compared with the CPU's
# at 1e-5, and without FMA contraction the elementwise kernels round exactly as the Java code does.
# Usage: bash cuda-kernels/generate-ptx.sh [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/src/main/ptx}
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
mkdir -p "$out"
for src in "$here"/src/main/cuda/*.cu; do
    family=$(basename "$src" .cu)
    "$nvcc" --ptx -arch=compute_75 -O3 -fmad=false -prec-div=true -prec-sqrt=true \
        -I "$here/src/main/cuda" -o "$out/$family.ptx" "$src"
done
