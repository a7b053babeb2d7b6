/**
 * Float32 tensors, their ops and the CPU backend. Other backends (CUDA, in the artifact
 * tensor-cuda) plug in as {@link org.covidct.tensor.spi.DeviceBackendProvider} services.
 *
 * <p>The CPU kernels use the incubating Vector API when the JVM resolves it
 * ({@code --add-modules jdk.incubator.vector}), and scalar loops otherwise.
 */
@SuppressWarnings("module") // the qualified export names nn, which is compiled after this module
module org.covidct.tensor {
    requires static jdk.incubator.vector;
    // Per-thread allocation counts, which tell when the JIT has compiled the vector kernels.
    requires jdk.management;

    exports org.covidct.tensor;
    exports org.covidct.tensor.spi;
    // The counter-based RNG and the thread pool, shared with nn's initialisers and dropout.
    exports org.covidct.tensor.cpu to org.covidct.nn;

    uses org.covidct.tensor.spi.DeviceBackendProvider;
}
