#!/usr/bin/env bash
# Builds, here (Maven, network), what scripts/gpu/run.sh needs on a GPU machine that has no Java,
# no Maven and no network, into one folder to carry there, target/gpu/:
#   jdk/      a Java 25 runtime cut down by jlink to the modules the jars use
#   lib/      nn's test classpath (tensor, its tests, JCuda), nn's tests, the GPU benchmark and
#             JUnit's console launcher; jcuda-natives without its 24 MB PTX compiler, unused here
#   natives/  JCuda's cuBLAS bindings relinked to CUDA 13's cuBLAS, the version PyTorch's pip
#             packages bring (README.md says why and how); JCudnn's native already links cuDNN 9
# Fails when the folder exceeds 60 MiB. Usage: bash scripts/gpu/prepare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
out=target/gpu
limit_mib=60
dependency_plugin=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
property() { sed -n "s|.*<$1>\(.*\)</$1>.*|\1|p" pom.xml | head -n 1; }
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -n 1)
jcuda=$(property jcuda.version)
platform=$(property jcuda.natives.classifier)
junit_platform=1.$(property junit.version | cut -d. -f2-)  # JUnit 5.x.y ships platform 1.x.y
for tool in patchelf readelf objdump strip unzip zip; do
    command -v "$tool" > /dev/null || { echo "prepare.sh: $tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

mvn -o -q -DskipTests -Dcuda.standin.skip=true install  # compiles the tests too
rm -rf "$out"
mkdir -p "$out/lib" "$out/natives"

# JUnit's own jars come inside the console launcher, so they are left out of nn's classpath, and
# so is jqwik: the GPU run has no property tests.
mvn -o -q -pl nn "$dependency_plugin:copy-dependencies" -DincludeScope=test \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian,net.jqwik \
    -DoutputDirectory="$PWD/$out/lib"
mvn -q "$dependency_plugin:copy" -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
    -DoutputDirectory="$PWD/$out/lib"
cp "nn/target/nn-$version.jar" "bench/target/bench-$version.jar" "$out/lib/"
"$JAVA_HOME/bin/jar" --create --file "$out/lib/nn-$version-tests.jar" -C nn/target/test-classes .
zip -q -d "$out/lib/jcuda-natives-$jcuda-$platform.jar" "lib/libJNvPTXCompiler-*"

# relink JAR MEMBER NAME OLD NEW [OLD NEW]...: extracts MEMBER of JAR as natives/NAME and makes it
# need library NEW instead of OLD: the dependency, the symbols bound to OLD's symbol version, and
# the requirement that the library define that version (made weak, as NEW defines its own).
relink() {
    local jar=$1 member=$2 so=$out/natives/$3
    shift 3
    unzip -p "$jar" "$member" > "$so"
    chmod 755 "$so"
    while (($# > 0)); do
        local old=$1 new=$2 args=() symbol
        shift 2
        if ! grep -qF "[$old]" <<< "$(readelf -d "$so")"; then
            continue
        fi
        while read -r symbol; do
            args+=(--clear-symbol-version "$symbol")
        done < <(objdump -T "$so" | awk -v v="$old" 'NF > 2 && ($(NF-1) == v || $(NF-1) == "(" v ")") {print $NF}')
        patchelf --replace-needed "$old" "$new" "${args[@]}" "$so"
        python3 scripts/gpu/weaken_verneed.py "$so" "$old"
        if grep -qF "[$old]" <<< "$(readelf -d "$so")" || grep -qF "$old" <<< "$(objdump -T "$so")"; then
            echo "prepare.sh: $so still refers to $old" >&2
            exit 1
        fi
        echo "relinked $(basename "$so"): $old -> $new, $((${#args[@]} / 2)) symbol versions cleared"
    done
}
cublas_jar=$out/lib/jcublas-natives-$jcuda-$platform.jar
relink "$cublas_jar" "lib/libJCublas2-$jcuda-$platform.so" "libJCublas2-$jcuda-$platform.so" \
    libcublas.so.12 libcublas.so.13 libcublasLt.so.12 libcublasLt.so.13
relink "$cublas_jar" "lib/libJCublas-$jcuda-$platform.so" "libJCublas-$jcuda-$platform.so" \
    libcublas.so.12 libcublas.so.13 libcublasLt.so.12 libcublasLt.so.13

# java.desktop (AWT, 12 MB) would come in only for Jackson's optional java.beans support.
modules=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release 25 --print-module-deps "$out"/lib/*.jar \
    | tr , '\n' | grep -vx java.desktop | paste -sd, -)
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files \
    --no-man-pages --compress=zip-9 --output "$out/jdk"
strip --strip-unneeded "$out/jdk/lib/server/libjvm.so"  # its symbol table is a fifth of the runtime

size_mib=$(du -sm "$out" | cut -f1)
echo "$out: ${size_mib} MiB (jdk $(du -sm "$out/jdk" | cut -f1), lib $(du -sm "$out/lib" | cut -f1)," \
    "natives $(du -sm "$out/natives" | cut -f1)); modules $modules"
if ((size_mib > limit_mib)); then
    echo "prepare.sh: $out is over $limit_mib MiB" >&2
    exit 1
fi
