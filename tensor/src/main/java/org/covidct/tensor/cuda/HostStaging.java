package org.covidct.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUevent;

/**
 * Host-device copies through one page-locked buffer, grown on demand up to {@value #MAX_BYTES}
 * bytes; larger transfers go through it in chunks. Java arrays cannot be copied asynchronously
 * (the JVM may move them), pinned memory can: an upload returns once its copy is queued, and the
 * next use of the buffer first waits for that copy to finish.
 */
final class HostStaging {
    static final long MIN_BYTES = 1 << 20;
    static final long MAX_BYTES = 32 << 20;

    private final Driver driver;
    /** Signals that the last upload has left the buffer. */
    private final CUevent copied;
    private boolean copyPending;
    private Pointer host;
    private ByteBuffer buffer;
    private long capacity;

    HostStaging(Driver driver) {
        this.driver = driver;
        this.copied = driver.createEvent();
    }

    synchronized void upload(float[] src, long dst) {
        upload(src.length, Float.BYTES, dst, (b, from, count) -> b.asFloatBuffer().put(src, from, count));
    }

    synchronized void upload(int[] src, long dst) {
        upload(src.length, Integer.BYTES, dst, (b, from, count) -> b.asIntBuffer().put(src, from, count));
    }

    synchronized void upload(long[] src, long dst) {
        upload(src.length, Long.BYTES, dst, (b, from, count) -> b.asLongBuffer().put(src, from, count));
    }

    /** Waits for everything queued before, then copies. */
    synchronized void download(long src, float[] dst) {
        download(src, dst.length, Float.BYTES, (b, from, count) -> b.asFloatBuffer().get(dst, from, count));
    }

    synchronized void download(long src, int[] dst) {
        download(src, dst.length, Integer.BYTES, (b, from, count) -> b.asIntBuffer().get(dst, from, count));
    }

    /** Moves elements [from, from + count) of a Java array into or out of the staging buffer. */
    private interface Chunk {
        void move(ByteBuffer staging, int from, int count);
    }

    private void upload(int length, int elementBytes, long dst, Chunk put) {
        for (int from = 0; from < length; ) {
            int count = reserve(length - from, elementBytes);
            put.move(buffer.clear(), from, count);
            driver.copyHostToDevice(dst + (long) from * elementBytes, host, (long) count * elementBytes);
            driver.record(copied);
            copyPending = true;
            from += count;
        }
    }

    private void download(long src, int length, int elementBytes, Chunk get) {
        for (int from = 0; from < length; ) {
            int count = reserve(length - from, elementBytes);
            driver.copyDeviceToHost(host, src + (long) from * elementBytes, (long) count * elementBytes);
            driver.synchronize();
            get.move(buffer.clear(), from, count);
            from += count;
        }
    }

    /**
     * Makes the buffer free to write and large enough for part of a transfer of {@code remaining}
     * elements of {@code elementBytes}; returns how many elements fit.
     */
    private int reserve(int remaining, int elementBytes) {
        if (copyPending) {
            driver.await(copied);
            copyPending = false;
        }
        long wanted = Math.min((long) remaining * elementBytes, MAX_BYTES);
        if (wanted > capacity) {
            long grown = Math.min(Math.max(Long.highestOneBit(wanted - 1) << 1, MIN_BYTES), MAX_BYTES);
            if (host != null) {
                driver.freePinned(host);
            }
            host = driver.allocatePinned(grown);
            buffer = host.getByteBuffer(0, grown).order(ByteOrder.nativeOrder());
            capacity = grown;
        }
        return (int) Math.min(remaining, capacity / elementBytes);
    }
}
