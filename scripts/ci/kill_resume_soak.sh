#!/usr/bin/env bash
# Kill-and-resume soak of the packaged covidct.jar, as an operator would do it: a tiny training
# run is killed with SIGKILL at random moments, several times, and resumed each time (started
# again if it was killed before its config.json existed). It must end bit for bit where an
# uninterrupted run ends: the same weights and momentum in both checkpoints, the same metrics,
# scores and test metrics (wall times aside), no temporary file, and no worker outliving the
# `java -jar` process that was killed. Needs a COVID-CT checkout (default ../shared/covid-ct).
# Usage: bash scripts/ci/kill_resume_soak.sh [COVID_CT_DIR] [KILLS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
source=${1:-../shared/covid-ct}
kills=${2:-5}
seed=${3:-$RANDOM}
RANDOM=$seed
jar=covidct/target/covidct.jar
java=${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java
if [[ ! -d $source/Data-split ]]; then
    echo "soak: no COVID-CT checkout at $source, skipped"
    exit 0
fi
work=$(mktemp -d)
trap 'pkill -9 -f -- "$work/" 2>/dev/null || true; rm -rf "$work"' EXIT

# A few images of each class and split, with split files in COVID-CT's layout.
data=$work/COVID-CT
for cls in COVID NonCOVID; do
    mkdir -p "$data/Images-processed/CT_$cls" "$data/Data-split/$cls"
    for split in train:8 val:3 test:3; do
        name=${split%%:*} count=${split##*:}
        tr -d '\r' < "$source/Data-split/$cls/${name}CT_$cls.txt" | grep -v '^$' | sed -n "1,${count}p" \
            > "$data/Data-split/$cls/${name}CT_$cls.txt"
        while read -r image; do
            cp "$source/Images-processed/CT_$cls/$image" "$data/Images-processed/CT_$cls/"
        done < "$data/Data-split/$cls/${name}CT_$cls.txt"
    done
done

settings=(--arch mobilenet_v2 --weights none --image-size 32 --epochs 3 --batch-size 4 --accumulate 2 --workers 2
    --lr 0.01 --device cpu --no-analyze --data "$data")
start=$(date +%s%N)
"$java" -jar "$jar" train "${settings[@]}" --out "$work/whole" > "$work/whole.log" 2>&1
whole_ms=$(( ($(date +%s%N) - start) / 1000000 ))

run=$work/killed
log=$work/killed.log
for ((k = 1; k <= kills; k++)); do
    if [[ -f $run/config.json ]]; then
        "$java" -jar "$jar" train --resume "$run" --no-analyze >> "$log" 2>&1 &
    else
        "$java" -jar "$jar" train "${settings[@]}" --out "$run" >> "$log" 2>&1 &
    fi
    pid=$!
    delay_ms=$(( 300 + RANDOM % whole_ms ))
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then
        echo "soak: kill $k after $delay_ms ms" >> "$log"
    else
        echo "soak: run $k had finished before its kill at $delay_ms ms" >> "$log"
    fi
    wait "$pid" 2>/dev/null || true
    # The relaunched worker must notice at once that its launcher is gone, and stop writing the run.
    for ((t = 0; t < 20; t++)); do
        pgrep -f -- "$run" > /dev/null || break
        sleep 0.1
    done
    echo "soak: worker gone after $((t * 100)) ms" >> "$log"
    if pgrep -f -- "$run" > /dev/null; then
        echo "soak: a worker still runs 2 s after its launcher was killed:" >&2
        pgrep -af -- "$run" >&2
        exit 1
    fi
done
if [[ -f $run/config.json ]]; then
    "$java" -jar "$jar" train --resume "$run" --no-analyze >> "$log" 2>&1
else
    "$java" -jar "$jar" train "${settings[@]}" --out "$run" >> "$log" 2>&1
fi

fail() {
    echo "soak (seed $seed): $*" >&2
    echo "--- log of the killed run:" >&2
    cat "$log" >&2
    exit 1
}
# The tensors of a safetensors file: everything after its 8-byte length and its JSON header.
tensors() {
    local header
    header=$(od -An -t u8 -N 8 "$1" | tr -d ' ')
    tail -c "+$((9 + header))" "$1" | sha256sum
}
for checkpoint in last best; do
    file=checkpoints/$checkpoint.safetensors
    [[ $(tensors "$work/whole/$file") == $(tensors "$run/$file") ]] || fail "$file holds other tensors"
done
for file in metrics.json test_metrics.json val_scores.csv test_scores.csv; do
    diff <(grep -v '"seconds"' "$work/whole/$file") <(grep -v '"seconds"' "$run/$file") > /dev/null \
        || fail "$file differs"
done
temps=$(find "$run" -name '*.tmp')
[[ -z $temps ]] || fail "temporary files left: $temps"
echo "soak (seed $seed): $kills kills at random moments, each resumed; the run ended bit for bit as an" \
    "uninterrupted one ($(grep -c '^soak: kill' "$log") kills landed mid-run)"
