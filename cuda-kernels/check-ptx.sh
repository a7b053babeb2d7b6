#!/usr/bin/env bash
# Fails when the committed PTX does not hold exactly the kernels the sources define (kernel-names.sh),
# or, where nvcc is installed, differs from what nvcc makes of the sources. Without nvcc only the
# names are checked, saying so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for src in "$here"/src/main/cuda/*.cu; do
    family=$(basename "$src" .cu)
    ptx=$here/src/main/ptx/$family.ptx
    if [ ! -f "$ptx" ]; then
        echo "check-ptx: cuda-kernels/src/main/ptx/$family.ptx is missing; run bash cuda-kernels/generate-ptx.sh" >&2
        exit 1
    fi
    defined=$(bash "$here/kernel-names.sh" "$src" | sort)
    entries=$(sed -n 's/^\.visible \.entry \([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' "$ptx" | sort)
    if [ "$defined" != "$entries" ]; then
        echo "check-ptx: the kernels of cuda-kernels/src/main/cuda/$family.cu ($(echo $defined)) are not the" \
            "entries of its PTX ($(echo $entries)); run bash cuda-kernels/generate-ptx.sh" >&2
        exit 1
    fi
done
for ptx in "$here"/src/main/ptx/*.ptx; do
    if [ ! -f "$here/src/main/cuda/$(basename "$ptx" .ptx).cu" ]; then
        echo "check-ptx: cuda-kernels/src/main/ptx/$(basename "$ptx") has no source; delete it" >&2
        exit 1
    fi
done
if ! command -v nvcc >/dev/null && ! [ -x /usr/local/cuda/bin/nvcc ]; then
    echo "check-ptx: kernel names match; nvcc not found, so the PTX was not regenerated and compared"
    exit 0
fi
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
bash "$here/generate-ptx.sh" "$fresh"
for f in "$fresh"/*.ptx; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$here/src/main/ptx/$name"; then
        echo "check-ptx: cuda-kernels/src/main/ptx/$name is stale; run bash cuda-kernels/generate-ptx.sh" >&2
        exit 1
    fi
done
echo "check-ptx: PTX up to date ($(ls "$here"/src/main/ptx/*.ptx | wc -l) files)"
