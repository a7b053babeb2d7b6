# Sourced by compare_peers.sh and scaling.sh: how one side runs one workload. The sides are ours
# (covidct.jar bench), PyTorch 1.13 (torch_train_step.py) and DJL 0.36 over libtorch 2.7.1 (djl/);
# each prints one JSON line with train_images_per_s, infer_images_per_s and peak_memory_bytes.
#
# Set avx2 (1: every side held to AVX2 kernels, see compare_peers.sh) before sourcing, from the
# repository root. Reads JAVA_HOME, TORCH_PYTHON, JEMALLOC, TORCH_LOOP, DJL_UPDATE and
# PEER_OMP_WAIT_POLICY (see compare_peers.sh); stops the caller when a side is not built.
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
python=${TORCH_PYTHON:-/usr/bin/python3}
jemalloc=${JEMALLOC:-/usr/lib/x86_64-linux-gnu/libjemalloc.so.2}
torch_loop=${TORCH_LOOP:-fast}
djl_update=${DJL_UPDATE:-direct}
djl=scripts/bench/djl/target
for f in covidct/target/covidct.jar "$djl/classes/benchpeer/DjlTrainStep.class" "$jemalloc"; do
    [[ -e $f ]] || { echo "$f is missing: build it (see the usage above;" \
                          "jemalloc: apt-get install libjemalloc2)" >&2; exit 2; }
done

our_flags=()
peer_env=()
if ((avx2)); then
    our_flags+=(-XX:UseAVX=2)
    peer_env=(ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2
              MKL_ENABLE_INSTRUCTIONS=AVX2 OPENBLAS_CORETYPE=Haswell)
fi
wait_policy=${PEER_OMP_WAIT_POLICY:-PASSIVE}
[[ $wait_policy == default ]] || peer_env+=(OMP_WAIT_POLICY="$wait_policy")

run() {  # side allocator arch batch size threads steps -> the side's JSON line, or nothing where it failed
    local side=$1 malloc=$2 arch=$3 batch=$4 size=$5 threads=$6 steps=$7 alloc_env=() output last errors
    [[ $malloc == jemalloc ]] && alloc_env=(LD_PRELOAD="$jemalloc" MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1)
    local args=(--arch "$arch" --image-size "$size" --batch-size "$batch" --steps "$steps")
    errors=$(mktemp)
    output=$(case $side in
        ours) env "${alloc_env[@]}" "$java" -XX:ActiveProcessorCount="$threads" "${our_flags[@]}" \
                  -jar covidct/target/covidct.jar bench --device cpu "${args[@]}" ;;
        pytorch) env "${alloc_env[@]}" "${peer_env[@]}" "$python" scripts/bench/torch_train_step.py "${args[@]}" \
                     --threads "$threads" --loop "$torch_loop" ;;
        djl) env "${alloc_env[@]}" "${peer_env[@]}" "$java" --enable-native-access=ALL-UNNAMED \
                 -DENGINE_CACHE_DIR="$djl/djl-cache" -cp "$djl/classes:$djl/lib/*" benchpeer.DjlTrainStep \
                 "${args[@]}" --threads "$threads" --update "$djl_update" ;;
    esac 2>"$errors") || true
    last=$(tail -n 1 <<<"$output")
    if [[ $last == "{"*"}" ]]; then
        echo "$last"
    else
        echo "$side $malloc $arch:$batch:$size printed no result; its last errors:" >&2
        tail -n 5 "$errors" >&2
    fi
    rm -f "$errors"
}
