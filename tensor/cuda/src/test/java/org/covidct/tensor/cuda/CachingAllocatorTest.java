package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.covidct.tensor.cuda.CachingAllocator.Block;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The caching allocator against a fake device memory with a byte budget; no GPU needed. */
@DisplayName("CachingAllocator: reuse, rounding, best fit, out-of-memory retry, counters")
class CachingAllocatorTest {
    private static final long MIB = 1 << 20;

    /** Device memory with {@code capacity} bytes; addresses never repeat, so reuse is visible. */
    private static final class FakeMemory implements CachingAllocator.DeviceMemory {
        final Map<Long, Long> live = new HashMap<>();
        final long capacity;
        long nextAddress = 0x1000;
        int allocateCalls;
        int freeCalls;

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        long used() {
            return live.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public long allocate(long bytes) {
            allocateCalls++;
            if (used() + bytes > capacity) {
                return 0;
            }
            long address = nextAddress;
            nextAddress += bytes;
            live.put(address, bytes);
            return address;
        }

        @Override
        public void free(long address) {
            freeCalls++;
            if (live.remove(address) == null) {
                throw new AssertionError("freed unknown address " + address);
            }
        }
    }

    @Test
    @DisplayName("sizes round up to 512 B below 1 MiB and to 2 MiB above")
    void rounding() {
        assertEquals(512, CachingAllocator.roundedSize(1));
        assertEquals(512, CachingAllocator.roundedSize(512));
        assertEquals(1024, CachingAllocator.roundedSize(513));
        assertEquals(MIB, CachingAllocator.roundedSize(MIB));
        assertEquals(2 * MIB, CachingAllocator.roundedSize(MIB + 1));
        assertEquals(4 * MIB, CachingAllocator.roundedSize(2 * MIB + 1));

        FakeMemory memory = new FakeMemory(1L << 40);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block b = allocator.allocate(700);
        assertEquals(1024, b.bytes());
        assertEquals(1024L, memory.live.get(b.address()), "the device gets the rounded size");
    }

    @Test
    @DisplayName("a freed block serves the next request of its size without a raw allocation")
    void reuse() {
        FakeMemory memory = new FakeMemory(1L << 40);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block a = allocator.allocate(1000);
        allocator.free(a);
        Block b = allocator.allocate(1000);
        assertEquals(a.address(), b.address());
        assertEquals(1, allocator.rawAllocations());
        assertEquals(1, memory.allocateCalls);

        Block c = allocator.allocate(1000); // a is in use again: this one is new
        assertNotEquals(b.address(), c.address());
        assertEquals(2, allocator.rawAllocations());
    }

    @Test
    @DisplayName("the small pool reuses only the same rounded size")
    void smallPoolIsExact() {
        FakeMemory memory = new FakeMemory(1L << 40);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block big = allocator.allocate(4096);
        allocator.free(big);
        Block small = allocator.allocate(512);
        assertNotEquals(big.address(), small.address(), "a 4 KiB block must not serve 512 B");
        assertEquals(2, allocator.rawAllocations());
        assertEquals(big.address(), allocator.allocate(4000).address(), "4000 B rounds to 4 KiB: reused");
    }

    @Test
    @DisplayName("the large pool takes the smallest free block that fits, at most twice the request")
    void largePoolBestFit() {
        FakeMemory memory = new FakeMemory(1L << 40);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block six = allocator.allocate(6 * MIB);
        Block ten = allocator.allocate(10 * MIB);
        Block four = allocator.allocate(4 * MIB);
        allocator.free(ten);
        allocator.free(six);
        allocator.free(four);
        assertEquals(3, allocator.rawAllocations());

        Block got = allocator.allocate(5 * MIB); // rounds to 6 MiB: the 6 MiB block, not the 10
        assertEquals(six.address(), got.address());
        assertEquals(6 * MIB, got.bytes());

        Block small = allocator.allocate(3 * MIB); // 4 MiB fits exactly
        assertEquals(four.address(), small.address());

        Block tooSmallForTen = allocator.allocate(4 * MIB); // 10 MiB > 2 x 4 MiB: a new block
        assertNotEquals(ten.address(), tooSmallForTen.address());
        assertEquals(4, allocator.rawAllocations());

        Block half = allocator.allocate(5 * MIB + 1); // 6 MiB rounded: 10 MiB is within 2x
        assertEquals(ten.address(), half.address());
        assertEquals(10 * MIB, half.bytes(), "a reused block keeps its size");
        assertEquals(4, allocator.rawAllocations());
    }

    @Test
    @DisplayName("counters: bytes in use and cached follow allocate, free and release")
    void counters() {
        FakeMemory memory = new FakeMemory(1L << 40);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block a = allocator.allocate(100);
        Block b = allocator.allocate(3 * MIB);
        assertEquals(512 + 4 * MIB, allocator.bytesInUse());
        assertEquals(0, allocator.bytesCached());

        allocator.free(b);
        assertEquals(512, allocator.bytesInUse());
        assertEquals(4 * MIB, allocator.bytesCached());

        allocator.releaseCached();
        assertEquals(0, allocator.bytesCached());
        assertEquals(1, memory.freeCalls);
        assertEquals(512L, memory.used());

        allocator.free(a);
        assertEquals(0, allocator.bytesInUse());
        assertEquals(2, allocator.rawAllocations());
    }

    @Test
    @DisplayName("zero bytes need no device memory")
    void empty() {
        FakeMemory memory = new FakeMemory(0);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block b = allocator.allocate(0);
        assertSame(Block.EMPTY, b);
        allocator.free(b);
        assertEquals(0, memory.allocateCalls);
        assertEquals(0, allocator.bytesCached());
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1));
    }

    @Test
    @DisplayName("out of memory: cached blocks are released and the allocation retried once")
    void outOfMemoryReleasesCacheAndRetries() {
        FakeMemory memory = new FakeMemory(8 * MIB);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block a = allocator.allocate(4 * MIB);
        Block b = allocator.allocate(2 * MIB);
        allocator.free(a); // 4 MiB cached, cannot serve 6 MiB
        Block c = allocator.allocate(6 * MIB); // 2 MiB used + 6 MiB fits only once the cache is released
        assertEquals(6 * MIB, c.bytes());
        assertEquals(0, allocator.bytesCached());
        assertEquals(1, memory.freeCalls);
        assertEquals(3, allocator.rawAllocations());
        assertEquals(8 * MIB, allocator.bytesInUse());
        assertEquals(8 * MIB, memory.used());
        allocator.free(b);
    }

    @Test
    @DisplayName("out of memory after the retry: null from tryAllocate, an error naming the sizes from allocate")
    void outOfMemoryAfterRetry() {
        FakeMemory memory = new FakeMemory(8 * MIB);
        CachingAllocator allocator = new CachingAllocator(memory);
        Block a = allocator.allocate(6 * MIB);
        allocator.free(allocator.allocate(512));
        assertEquals(512, allocator.bytesCached());

        int callsBefore = memory.allocateCalls;
        assertNull(allocator.tryAllocate(4 * MIB));
        assertEquals(0, allocator.bytesCached(), "the cache was released before the retry");
        assertEquals(1, memory.freeCalls);
        assertEquals(callsBefore + 2, memory.allocateCalls, "one try, one retry");

        allocator.free(allocator.allocate(512));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.allocate(3 * MIB));
        String message = e.getMessage();
        assertTrue(message.contains("3145728 bytes"), message);        // requested
        assertTrue(message.contains("4194304"), message);              // rounded
        assertTrue(message.contains(6 * MIB + " bytes in use"), message);
        assertTrue(message.contains("512 bytes cached"), message);
        assertEquals(6 * MIB, allocator.bytesInUse(), "a failed allocation changes no counter");
        allocator.free(a);
    }
}
