#!/usr/bin/env bash
# Times two builds of covidct.jar against each other in one JVM: each is loaded in a class loader of
# its own and their passes alternate, so that this machine's drift (single-build timings move by
# up to 1.5x within minutes) hits both alike. Prints each build's median pass and the median of the
# per-pass ratios: a before/after figure for a change, from one run.
#
# Usage, from anywhere, with two built jars (e.g. copy covidct/target/covidct.jar aside before a
# change, then `mvn -B package -DskipTests`):
#   bash scripts/bench/compare_builds.sh OLD.jar NEW.jar [ARCH] [BATCH] [SIZE] [PASSES] [train|infer]
#   bash scripts/bench/compare_builds.sh old.jar covidct/target/covidct.jar mobilenet_v2 32 224 15 infer
# The defaults: mobilenet_v2, batch 32, 224x224, 15 passes, inference. Reads JAVA_HOME (JDK 25).
set -euo pipefail
old=$(realpath "${1:?old covidct.jar}") new=$(realpath "${2:?new covidct.jar}")
arch=${3:-mobilenet_v2} batch=${4:-32} size=${5:-224} passes=${6:-15} mode=${7:-infer}
[[ $mode == train || $mode == infer ]] || { echo "mode '$mode': expected train or infer" >&2; exit 2; }
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
src=$(cd "$(dirname "$0")/builds" && pwd)
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
mkdir -p "$classes/pass" "$classes/main"
"$java_home/bin/javac" -d "$classes/pass" -cp "$new" "$src/BuildPass.java"
"$java_home/bin/javac" -d "$classes/main" "$src/CompareBuilds.java"
"$java_home/bin/java" --add-modules jdk.incubator.vector -Xmx12g -cp "$classes/main" CompareBuilds \
    "$old" "$new" "$classes/pass/" "$arch" "$batch" "$size" "$passes" "$mode" 2> >(grep -v '^WARNING' >&2)
