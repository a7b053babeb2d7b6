#!/usr/bin/env bash
# Builds the CUDA stand-in, a CPU implementation of the parts of NVIDIA's driver, cuBLAS and cuDNN
# that the backend uses, for tests on machines without a GPU: libcuda.so.1, libcublas.so.12 and
# libcudnn.so.9 in OUT_DIR. The kernels are the cuda-kernels sources (src/main/cuda), compiled for
# the host. OUT_DIR/cudnn8 holds the same cuDNN as libcudnn.so.8. Needs g++ (C++17); without it,
# says so and builds nothing, and the CUDA tests skip.
# Usage: bash cuda-kernels/standin/build.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernels=$(cd "$here/../src/main/cuda" && pwd)
out=${1:?usage: build.sh OUT_DIR}
if ! command -v g++ >/dev/null; then
    echo "cuda stand-in: g++ not found, not built (the CUDA tests will be skipped)"
    exit 0
fi
if [[ $(uname -s -m) != "Linux x86_64" ]]; then
    # JCuda's natives are built for linux-x86_64, and the fibers switch x86-64 registers.
    echo "cuda stand-in: only built on Linux x86-64, not $(uname -s -m) (the CUDA tests will be skipped)"
    exit 0
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Rebuild only when a source changed: the stamp is a hash of every input.
stamp=$( (cat "$0" "$here"/src/* "$kernels"/* "$here/../kernel-names.sh"; g++ --version) | sha256sum | cut -c1-16)
if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp" && -f $out/cudnn8/libcudnn.so.8 ]]; then
    echo "cuda stand-in: up to date in $out"
    exit 0
fi
rm -f "$out/.stamp"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One translation unit per kernel family: the .cu source, then a registration of each kernel it
# defines (kernel-names.sh), under the name the Java backend launches it by.
for src in "$kernels"/*.cu; do
    family=$(basename "$src" .cu)
    names=$(bash "$here/../kernel-names.sh" "$src")
    tu=$work/kernels_$family.cpp
    printf '#include "emulation.h"\n#include "kernel_registry.h"\n#include "%s"\n' "$src" > "$tu"
    for name in $names; do
        printf 'static standin::Registration registration_%s("%s", %s);\n' "$name" "$name" "$name" >> "$tu"
    done
done

flags=(-std=c++17 -O3 -march=native -g -fPIC -fvisibility=hidden -ffp-contract=off -mtls-dialect=gnu2 -Wall -Wno-unused-function -Wno-sign-compare -I "$here/src" -I "$kernels" -pthread)
cat > "$work/cuda.map" <<'MAP'
{ global: cu*; extern "C++" { standin::*; }; local: *; };
MAP
cat > "$work/cublas.map" <<'MAP'
libcublas.so.12 { global: cublas*; local: *; };
MAP
cat > "$work/cudnn.map" <<'MAP'
libcudnn.so.9 { global: cudnn*; local: *; };
MAP
cat > "$work/cudnn8.map" <<'MAP'
libcudnn.so.8 { global: cudnn*; local: *; };
MAP
g++ "${flags[@]}" -shared -o "$out/libcuda.so.1" -Wl,-soname,libcuda.so.1 -Wl,--version-script="$work/cuda.map" \
    "$here"/src/{driver,streams,memory,ptx,fibers}.cpp "$work"/kernels_*.cpp
g++ "${flags[@]}" -shared -o "$out/libcublas.so.12" -Wl,-soname,libcublas.so.12 \
    -Wl,--version-script="$work/cublas.map" "$here/src/cublas.cpp" -L"$out" -l:libcuda.so.1 -Wl,-rpath,'$ORIGIN'
g++ "${flags[@]}" -shared -o "$out/libcudnn.so.9" -Wl,-soname,libcudnn.so.9 \
    -Wl,--version-script="$work/cudnn.map" "$here"/src/cudnn*.cpp -L"$out" -l:libcuda.so.1 -Wl,-rpath,'$ORIGIN'
# cudnn8/: the same cuDNN as version 8.9, beside links to the driver and cuBLAS, for a library
# path on which only cuDNN 8 is found.
mkdir -p "$out/cudnn8"
g++ "${flags[@]}" -DSTANDIN_CUDNN_VERSION=8907 -shared -o "$out/cudnn8/libcudnn.so.8" -Wl,-soname,libcudnn.so.8 \
    -Wl,--version-script="$work/cudnn8.map" "$here"/src/cudnn*.cpp -L"$out" -l:libcuda.so.1 -Wl,-rpath,'$ORIGIN/..'
ln -sf ../libcuda.so.1 ../libcublas.so.12 "$out/cudnn8/"
echo "$stamp" > "$out/.stamp"
echo "cuda stand-in: built libcuda.so.1, libcublas.so.12, libcudnn.so.9 in $out"
