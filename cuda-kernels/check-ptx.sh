#!/usr/bin/env bash
# Fails when the committed PTX differs from what nvcc makes of the sources, or lacks a kernel
# listed in kernels.txt (the names the Java backend launches). Skipped, saying so, without nvcc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v nvcc >/dev/null && ! [ -x /usr/local/cuda/bin/nvcc ]; then
    echo "check-ptx: nvcc not found, skipped"
    exit 0
fi
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
bash "$here/generate-ptx.sh" "$fresh"
for f in "$fresh"/*.ptx; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$here/src/main/ptx/$name"; then
        echo "check-ptx: cuda-kernels/src/main/ptx/$name is stale or missing; run bash cuda-kernels/generate-ptx.sh" >&2
        exit 1
    fi
done
while read -r family name; do
    [ -z "$family" ] && continue
    if ! grep -q "^\.visible \.entry $name(" "$here/src/main/ptx/$family.ptx"; then
        echo "check-ptx: kernel $name missing from cuda-kernels/src/main/ptx/$family.ptx" >&2
        exit 1
    fi
done < "$here/kernels.txt"
echo "check-ptx: PTX up to date ($(ls "$here"/src/main/ptx/*.ptx | wc -l) files)"
