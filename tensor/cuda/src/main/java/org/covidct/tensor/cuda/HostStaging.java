package org.covidct.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUevent;

/**
 * Host-device copies through two page-locked buffers used in turn, each grown on demand up to
 * {@value #MAX_BYTES} bytes; larger transfers go through them in chunks. Java arrays cannot be
 * copied asynchronously (the JVM may move them), pinned memory can: an upload returns once its
 * copy is queued, and a buffer is written again only after its last copy has left it, so one
 * chunk is packed while the previous one is still being copied.
 */
final class HostStaging {
    static final long MIN_BYTES = 1 << 20;
    static final long MAX_BYTES = 32 << 20;

    /** One pinned buffer and the event that marks its last queued copy. */
    private static final class Buffer {
        final CUevent copied;
        boolean copyPending;
        Pointer host;
        ByteBuffer bytes;
        long capacity;

        Buffer(Driver driver) {
            copied = driver.createEvent();
        }
    }

    private final Driver driver;
    private final Buffer[] buffers;
    private int next;

    HostStaging(Driver driver) {
        this.driver = driver;
        this.buffers = new Buffer[] {new Buffer(driver), new Buffer(driver)};
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

    /** Moves elements [from, from + count) of a Java array into or out of a staging buffer. */
    private interface Chunk {
        void move(ByteBuffer staging, int from, int count);
    }

    private void upload(int length, int elementBytes, long dst, Chunk put) {
        for (int from = 0; from < length; ) {
            Buffer b = buffers[next];
            next = 1 - next;
            int count = reserve(b, length - from, elementBytes);
            put.move(b.bytes.clear(), from, count);
            driver.copyHostToDevice(dst + (long) from * elementBytes, b.host, (long) count * elementBytes);
            driver.record(b.copied);
            b.copyPending = true;
            from += count;
        }
    }

    private void download(long src, int length, int elementBytes, Chunk get) {
        Buffer b = buffers[0];
        for (int from = 0; from < length; ) {
            int count = reserve(b, length - from, elementBytes);
            driver.copyDeviceToHost(b.host, src + (long) from * elementBytes, (long) count * elementBytes);
            driver.synchronize();
            get.move(b.bytes.clear(), from, count);
            from += count;
        }
    }

    /**
     * Makes {@code b} free to write and large enough for part of a transfer of {@code remaining}
     * elements of {@code elementBytes}; returns how many elements fit.
     */
    private int reserve(Buffer b, int remaining, int elementBytes) {
        if (b.copyPending) {
            driver.await(b.copied);
            b.copyPending = false;
        }
        long wanted = Math.min((long) remaining * elementBytes, MAX_BYTES);
        if (wanted > b.capacity) {
            long grown = Math.min(Math.max(Long.highestOneBit(wanted - 1) << 1, MIN_BYTES), MAX_BYTES);
            if (b.host != null) {
                driver.freePinned(b.host);
            }
            b.host = driver.allocatePinned(grown);
            b.bytes = b.host.getByteBuffer(0, grown).order(ByteOrder.nativeOrder());
            b.capacity = grown;
        }
        return (int) Math.min(remaining, b.capacity / elementBytes);
    }
}
