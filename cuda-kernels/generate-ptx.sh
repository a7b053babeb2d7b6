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
# nvcc 13 stamps its own PTX ISA (9.0) on every file and has no option for an older one, but a
# driver loads only the ISA versions of its CUDA release and before: CUDA 12.x drivers stop at 8.x.
# The kernels use nothing newer than ISA 8.0 (CUDA 12.0), so the header is lowered to that, which
# every CUDA 12 and 13 driver loads. PtxForOlderDriversTest assembles the result with CUDA 12's PTX
# compiler. A different stamp means a different nvcc: stop, so the lowering is looked at again.
nvcc_isa=".version 9.0"
lowest_isa=".version 8.0"
mkdir -p "$out"
for src in "$here"/src/main/cuda/*.cu; do
    family=$(basename "$src" .cu)
    ptx="$out/$family.ptx"
    "$nvcc" --ptx -arch=compute_75 -O3 -fmad=false -prec-div=true -prec-sqrt=true \
        -I "$here/src/main/cuda" -o "$ptx" "$src"
    stamps=$(grep '^\.version ' "$ptx" || true)
    if [ "$stamps" != "$nvcc_isa" ]; then
        echo "generate-ptx: $family.ptx has version line(s) '${stamps//$'\n'/', '}', expected" \
            "'$nvcc_isa'; nvcc changed, re-check which PTX ISA the kernels need" >&2
        rm -f "$ptx"
        exit 1
    fi
    sed -i "s/^$nvcc_isa\$/$lowest_isa/" "$ptx"
done
