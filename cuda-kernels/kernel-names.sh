#!/usr/bin/env bash
# Prints the kernels a .cu source defines, one name a line: every extern "C" __global__ function.
# The sources are the one list of kernel names: the stand-in registers what this prints, check-ptx.sh
# holds the committed PTX to it, and KernelPtxTest (tensor-cuda) holds the Java Kernel enum to the PTX.
# Fails when a line mentions __global__ without reading 'extern "C" __global__ void NAME(', so that
# no kernel escapes the pattern.
# Usage: bash cuda-kernels/kernel-names.sh FILE.cu
set -euo pipefail
src=${1:?usage: kernel-names.sh FILE.cu}
names=$(sed -n 's/^extern "C" __global__ void \([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' "$src")
defined=$(printf '%s' "$names" | grep -c . || true)
mentions=$(grep -c '__global__' "$src" || true)
if [[ $defined != "$mentions" ]]; then
    echo "kernel-names: $src mentions __global__ on $mentions lines but defines $defined kernels as" \
        "'extern \"C\" __global__ void NAME(' on one line" >&2
    exit 1
fi
printf '%s' "$names${names:+$'\n'}"
