#!/usr/bin/env bash
# The packaged covidct.jar on the CUDA stand-in, as CI runs it after `mvn verify`: trains one
# epoch with --device cuda on a few COVID-CT images at 32 px, then evaluates that model and draws
# its Grad-CAM on CUDA and on the CPU, which must agree within 1e-3. Needs the stand-in built by
# the Maven build (cuda-kernels/target/standin) and a COVID-CT checkout (default ../shared/covid-ct).
# Usage: bash scripts/ci/cuda_cli.sh [COVID_CT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
source=${1:-../shared/covid-ct}
jar=covidct/target/covidct.jar
java=${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java
if [[ ! -d $source/Data-split ]]; then
    echo "cuda_cli: no COVID-CT checkout at $source, skipped"
    exit 0
fi
export LD_LIBRARY_PATH=$PWD/cuda-kernels/target/standin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A few images of each class and split, with split files in COVID-CT's layout.
data=$work/COVID-CT
for cls in COVID NonCOVID; do
    mkdir -p "$data/Images-processed/CT_$cls" "$data/Data-split/$cls"
    for split in train:4 val:2 test:3; do
        name=${split%%:*} count=${split##*:}
        list=$source/Data-split/$cls/${name}CT_$cls.txt
        tr -d '\r' < "$list" | grep -v '^$' | sed -n "1,${count}p" > "$data/Data-split/$cls/${name}CT_$cls.txt"
        while read -r image; do
            cp "$source/Images-processed/CT_$cls/$image" "$data/Images-processed/CT_$cls/"
        done < "$data/Data-split/$cls/${name}CT_$cls.txt"
    done
done

common=(--arch vgg11_bn --image-size 32)
"$java" -jar "$jar" train --device cuda "${common[@]}" --weights none --epochs 1 --batch-size 4 --data "$data" \
    --out "$work/run" --no-analyze
weights=$work/run/checkpoints/best.safetensors
image=$(ls "$data/Images-processed/CT_COVID" | head -n 1)
for device in cuda cpu; do
    "$java" -Dcovidct.cuda.tf32=false -jar "$jar" evaluate --device "$device" "${common[@]}" --weights "$weights" \
        --data "$data" --split test --batch-size 4 --scores-out "$work/scores-$device.csv" > /dev/null
    "$java" -Dcovidct.cuda.tf32=false -jar "$jar" gradcam --device "$device" "${common[@]}" --weights "$weights" \
        --image "$data/Images-processed/CT_COVID/$image" --out "$work/cam-$device.png" \
        --map-out "$work/cam-$device.csv" > /dev/null
done

# Field-by-field agreement: every number within 1e-3, every other field equal.
compare() {
    paste -d'\n' "$1" "$2" | awk -v what="$3" '
        NR % 2 == 1 { line = $0; next }
        {
            n = split(line, a, ","); m = split($0, b, ",")
            if (n != m) { print what ": rows differ: " line " / " $0; bad = 1; next }
            for (i = 1; i <= n; i++) {
                if (a[i] ~ /^-?[0-9.]+(E-?[0-9]+)?$/ && b[i] ~ /^-?[0-9.]+(E-?[0-9]+)?$/) {
                    d = a[i] - b[i]; if (d < 0) d = -d
                    if (d > 1e-3) { print what ": " a[i] " against " b[i] " in " line; bad = 1 }
                } else if (a[i] != b[i]) { print what ": " a[i] " against " b[i]; bad = 1 }
            }
        }
        END { exit bad }'
}
compare "$work/scores-cpu.csv" "$work/scores-cuda.csv" "test scores"
compare "$work/cam-cpu.csv" "$work/cam-cuda.csv" "Grad-CAM map"
echo "cuda_cli: train, evaluate and gradcam with --device cuda ran from $jar and agree with the CPU"
