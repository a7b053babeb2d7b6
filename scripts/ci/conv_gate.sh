#!/usr/bin/env bash
# Convolution performance gate: a short JMH run of ConvGateBenchmark, one JMH run per VGG shape
# (its three passes and our sgemm beside them, close in time) and one for the direct loop, judged
# by JmhGate on flop-rate ratios within each JMH run. A failed gate is measured once more, and each
# pass counts at the run where its ratio is better: a busy spell passes, a slower kernel stays slow.
#
# The retry absorbs a busy spell, not a machine whose cores stay oversubscribed: the kernels' threads
# wait for each other at every parallel loop and lose far more than their share. At a load average
# of 11 on two cores, 128-128-28's forward pass took 31 to 54 ms a call, and its weight
# gradient measured 0.79x the sgemm in one attempt and 2.23x in the next.
#
#   bash scripts/ci/conv_gate.sh                                   # after mvn -B -ntp -pl bench -am package -DskipTests
#   REPORT=BENCHMARKS-conv-gate.md bash scripts/ci/conv_gate.sh    # also writes the machine and the table there
#
# Environment: JAVA_HOME (JDK 25), SHAPES (C-K-HW list; ConvGateBenchmark's own are the same), BATCH,
# THREADS (the kernels' thread count; all cores), JMH_OPTS, OUT (result files and logs), REPORT (a markdown file to write).
set -euo pipefail
cd "$(dirname "$0")/../.."

JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
JAR=bench/target/benchmarks.jar
SHAPES=${SHAPES:-128-128-28,256-256-14}
BATCH=${BATCH:-8}
THREADS=${THREADS:-$(nproc)}
# One warm-up iteration: each fork's set-up has already run its benchmark until the JIT is done.
# The forks skip the vector kernels' drills (VectorWarmUp): those compile every kernel, 3 s a fork,
# where the set-up's warm-up compiles the few its benchmark runs.
JMH_OPTS=${JMH_OPTS:--f 1 -wi 1 -w 1s -i 3 -r 1s}
OUT=${OUT:-bench/target/conv-gate}

if ! [ -f "$JAR" ]; then
    echo "conv_gate: $JAR not found; build it: mvn -B -ntp -pl bench -am package -DskipTests" >&2
    exit 2
fi
rm -rf "$OUT"
mkdir -p "$OUT"

jmh() { # $1 result file, $2 benchmark names (a regex), then JMH options
    local file=$1 names=$2 log=${1%.json}.log
    shift 2
    # JMH refuses to start beside another JMH run; on a shared machine that is load like any other.
    # shellcheck disable=SC2086
    if ! "$JAVA" -Djmh.ignoreLock=true -jar "$JAR" "^org\.covidct\.bench\.ConvGateBenchmark\.($names)\$" $JMH_OPTS -foe true \
            -jvmArgsPrepend "-Dcovidct.cpu.threads=$THREADS -Dcovidct.cpu.skipVectorWarmUp=true" -rf json -rff "$file" "$@" > "$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "conv_gate: JMH failed; its output is in $log" >&2
        exit 1
    fi
}
measure() { # $1 attempt number
    echo "conv_gate: attempt $1: JMH $JMH_OPTS, $THREADS thread(s), batch $BATCH, shapes $SHAPES" \
        "(load $(cut -d' ' -f1-3 /proc/loadavg))"
    jmh "$OUT/$1-direct.json" direct
    for shape in ${SHAPES//,/ }; do
        jmh "$OUT/$1-$shape.json" 'forward|backwardData|backwardWeight|sgemm' -p shape="$shape" -p batch="$BATCH"
    done
}
gate() {
    "$JAVA" -cp "$JAR" org.covidct.bench.JmhGate "$OUT"/*.json | tee "$OUT/gate.txt"
    return "${PIPESTATUS[0]}"
}

start=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
measure 1
attempts=1
status=0
gate || status=$?
if [ "$status" = 1 ]; then
    echo "conv_gate: measuring once more; each pass counts at its run with the better ratio"
    measure 2
    attempts=2
    status=0
    gate || status=$?
fi
summary="$([ "$status" = 0 ] && echo PASS || echo FAIL) in $((SECONDS - start)) s, $attempts attempt(s)"
echo "conv_gate: $summary (load $(cut -d' ' -f1-3 /proc/loadavg)); JMH results in $OUT"
if [ -n "${REPORT:-}" ]; then
    {
        echo "# Convolution performance gate"
        echo
        echo "Written by \`scripts/ci/conv_gate.sh\` on $(date -u +%Y-%m-%d), which CI runs (\`.ci/run\`)."
        echo
        load_after=$(cut -d' ' -f1-3 /proc/loadavg)
        echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPU(s),"\
             "$(grep -m1 -q avx512f /proc/cpuinfo && echo AVX-512 || echo AVX2 without AVX-512);"\
             "load average before / after: $load_before / $load_after$(awk -v a="${load_before%% *}" \
             -v b="${load_after%% *}" -v n="$(nproc)" 'BEGIN { if (a > n || b > n) printf \
             " (shared: other work kept more threads busy than there are CPUs, so every figure is low)" }')"
        echo "- command: \`REPORT=$REPORT bash scripts/ci/conv_gate.sh\`"
        echo "- $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.name = //p')" \
             "$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p'), JMH $JMH_OPTS,"\
             "$THREADS thread(s), one JMH run per shape, then JmhGate: $summary"
        echo "- GFLOP/s: 2*N*K*H*W*C*9 per pass (shape C-K-HW, batch N), whatever the algorithm; 2*n^3 for the"\
             "n x n sgemm, whose GFLOP/s in the same JMH run is the sgemm column; ms: the median of the timed calls"
        echo
        echo '```'
        cat "$OUT/gate.txt"
        echo '```'
    } > "$REPORT"
fi
exit "$status"
