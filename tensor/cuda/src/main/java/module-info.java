/**
 * The CUDA backend: found by {@link org.covidct.tensor.Device#cuda(int)} through the service it
 * provides; {@link org.covidct.tensor.cuda.CudaBackend} adds CUDA's own settings (TF32, memory).
 */
module org.covidct.tensor.cuda {
    requires transitive org.covidct.tensor;
    requires jcuda;
    requires jcublas;
    requires jcudnn;
    // The kernels' PTX, read as resources.
    requires org.covidct.cuda.kernels;

    exports org.covidct.tensor.cuda;

    provides org.covidct.tensor.spi.DeviceBackendProvider with org.covidct.tensor.cuda.CudaBackendProvider;
}
