package org.covidct.tensor.cuda;

import static jcuda.driver.JCudaDriver.cuCtxGetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.Optional;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA driver API, through JCuda: one device's primary context and the single stream every
 * kernel, copy and library call of the backend is queued on. Nothing else in the backend imports
 * {@code jcuda.driver}, so this is the one class to change to swap the binding. Device memory is
 * passed around as plain {@code long} addresses.
 */
final class Driver implements CachingAllocator.DeviceMemory {
    /**
     * cuDriverGetVersion of CUDA 12.0 (driver 525 or newer): the first to read PTX ISA 8.0, which
     * is what the kernels' PTX declares (see cuda-kernels' README).
     */
    static final int MIN_DRIVER_VERSION = 12000;
    /** The PTX targets sm_75, the oldest architecture CUDA 13 compiles for. */
    static final int MIN_COMPUTE_CAPABILITY = 75;

    private static final String OUT_OF_MEMORY = CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY);

    private final int deviceIndex;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();

    Driver(int deviceIndex) {
        this.deviceIndex = deviceIndex;
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        CUdevice device = new CUdevice();
        cuDeviceGet(device, deviceIndex);
        // The primary context is the one the CUDA runtime (and so cuBLAS and cuDNN) uses too.
        cuDevicePrimaryCtxRetain(context, device);
        bind();
        // Non-blocking: no implicit synchronisation with the legacy default stream.
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
    }

    /**
     * Why this machine cannot run the backend, or empty: loads the JCuda driver binding (which
     * needs libcuda.so.1), then checks the driver version, the device count and the compute
     * capability of device 0.
     */
    static Optional<String> unavailableReason() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] version = {0};
            JCudaDriver.cuDriverGetVersion(version);
            if (version[0] < MIN_DRIVER_VERSION) {
                return Optional.of("CUDA unavailable: the NVIDIA driver supports CUDA " + version[0] / 1000 + "."
                        + version[0] % 1000 / 10 + ", but the kernels' PTX (ISA 8.0) needs CUDA 12.0 or newer"
                        + " (driver >= 525)");
            }
            int[] count = {0};
            JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) {
                return Optional.of("CUDA unavailable: the NVIDIA driver sees no CUDA device");
            }
            CUdevice device = new CUdevice();
            cuDeviceGet(device, 0);
            int[] major = {0};
            int[] minor = {0};
            JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                    device);
            JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                    device);
            if (major[0] * 10 + minor[0] < MIN_COMPUTE_CAPABILITY) {
                return Optional.of("CUDA unavailable: device 0 has compute capability " + major[0] + "." + minor[0]
                        + ", the kernels' PTX needs >= 7.5");
            }
            return Optional.empty();
        } catch (LinkageError e) {
            return Optional.of("CUDA unavailable: " + NativeLoading.describe(e, "libcuda.so.1",
                    "NVIDIA driver >= 525, CUDA 12.0 or newer"));
        } catch (CudaException e) {
            return Optional.of("CUDA unavailable: cuInit or device query failed: " + e.getMessage());
        }
    }

    /**
     * Makes the context current on the calling thread unless it already is. Asked each time rather
     * than remembered per thread: other code on the thread (another library, another device's
     * backend) may have made a different context current since.
     */
    void bind() {
        CUcontext current = new CUcontext();
        cuCtxGetCurrent(current);
        if (!current.equals(context)) {
            cuCtxSetCurrent(context);
        }
    }

    int deviceIndex() {
        return deviceIndex;
    }

    CUstream stream() {
        return stream;
    }

    /** A JCuda pointer object for a device address, for library calls that take one. */
    static CUdeviceptr pointer(long address) {
        return new DevicePointer(address);
    }

    // ---- device memory ----------------------------------------------------------------------------

    /** cuMemAlloc; 0 when the device is out of memory (the caching allocator then retries). */
    @Override
    public long allocate(long bytes) {
        bind();
        DevicePointer p = new DevicePointer(0);
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (OUT_OF_MEMORY.equals(e.getMessage())) {
                return 0;
            }
            throw new IllegalStateException("cuMemAlloc of " + bytes + " bytes failed: " + e.getMessage(), e);
        }
        return p.address();
    }

    /**
     * cuMemFree, after the stream drains: only cached blocks are really freed, and queued kernels
     * may still read a block that the allocator considers free.
     */
    @Override
    public void free(long address) {
        bind();
        synchronize();
        cuMemFree(pointer(address));
    }

    void fill32(long address, int bits, long count) {
        bind();
        cuMemsetD32Async(pointer(address), bits, count, stream);
    }

    void copyDeviceToDevice(long dst, long src, long bytes) {
        bind();
        cuMemcpyDtoDAsync(pointer(dst), pointer(src), bytes, stream);
    }

    void copyHostToDevice(long dst, Pointer pinnedHost, long bytes) {
        bind();
        cuMemcpyHtoDAsync(pointer(dst), pinnedHost, bytes, stream);
    }

    void copyDeviceToHost(Pointer pinnedHost, long src, long bytes) {
        bind();
        cuMemcpyDtoHAsync(pinnedHost, pointer(src), bytes, stream);
    }

    // ---- pinned host memory and events --------------------------------------------------------------

    /** Page-locked host memory, which async copies need to be truly asynchronous. */
    Pointer allocatePinned(long bytes) {
        bind();
        Pointer p = new Pointer();
        cuMemAllocHost(p, bytes);
        return p;
    }

    void freePinned(Pointer p) {
        bind();
        cuMemFreeHost(p);
    }

    CUevent createEvent() {
        bind();
        CUevent e = new CUevent();
        cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        return e;
    }

    /** Records {@code event} after everything queued so far. */
    void record(CUevent event) {
        bind();
        cuEventRecord(event, stream);
    }

    void await(CUevent event) {
        bind();
        cuEventSynchronize(event);
    }

    void synchronize() {
        bind();
        cuStreamSynchronize(stream);
    }

    // ---- modules and launches -----------------------------------------------------------------------

    /** Loads a module from NUL-terminated PTX text; the driver JIT-compiles it for this device. */
    CUmodule loadModule(byte[] ptx) {
        bind();
        CUmodule module = new CUmodule();
        cuModuleLoadData(module, ptx);
        return module;
    }

    CUfunction function(CUmodule module, String name) {
        bind();
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, module, name);
        return f;
    }

    void launch(CUfunction f, int gridX, int blockX, Pointer params) {
        bind();
        cuLaunchKernel(f, gridX, 1, 1, blockX, 1, 1, 0, stream, params, null);
    }

    /**
     * A device pointer that JCuda reads as {@code nativePointer + byteOffset}: the address goes in
     * the offset, so any {@code long} can become a pointer argument without reflection.
     */
    private static final class DevicePointer extends CUdeviceptr {
        private static final CUdeviceptr NULL = new CUdeviceptr();

        DevicePointer(long address) {
            super(NULL, address);
        }

        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}
