package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CpuArrayPoolTest {
    private static final int N = CpuArrayPool.MIN_POOLED;

    @Test
    void aGivenArrayComesBackZeroedForTheSameLengthOnly() {
        CpuArrayPool pool = new CpuArrayPool(1L << 30);
        float[] a = pool.take(N);
        Arrays.fill(a, 3f);
        pool.give(a);
        assertEquals(N, pool.pooledFloats());
        assertNotSame(a, pool.take(N + 1), "another length never gets it");
        float[] b = pool.take(N);
        assertSame(a, b);
        assertEquals(0, pool.pooledFloats());
        for (float v : b) {
            assertEquals(0f, v);
        }
    }

    @Test
    void smallArraysAreLeftToTheCollector() {
        CpuArrayPool pool = new CpuArrayPool(1L << 30);
        float[] small = pool.take(N - 1);
        pool.give(small);
        assertEquals(0, pool.pooledFloats());
        assertNotSame(small, pool.take(N - 1));
    }

    @Test
    void thePoolNeverHoldsMoreThanItsLimit() {
        CpuArrayPool pool = new CpuArrayPool(2L * N * Float.BYTES);
        float[] a = pool.take(N), b = pool.take(N), c = pool.take(N);
        pool.give(a);
        pool.give(b);
        pool.give(c);
        assertEquals(2L * N, pool.pooledFloats());
        float[] first = pool.take(N), second = pool.take(N);
        assertNotSame(c, first);
        assertNotSame(c, second);
        assertEquals(0, pool.pooledFloats());
    }

    @Test
    void anUninitializedTakeHandsBackTheArrayAsItWasLeft() {
        CpuArrayPool pool = new CpuArrayPool(1L << 30);
        float[] a = pool.take(N);
        Arrays.fill(a, 5f);
        pool.give(a);
        float[] b = pool.takeUninitialized(N);
        assertSame(a, b);
        assertEquals(5f, b[N - 1]);
    }

    /** The safety net of every kernel test: outputs start as NaN, so an unwritten element shows. */
    @Test
    void testsRunWithPoisonedOutputs() {
        assertTrue(CpuBackend.POISON_OUTPUTS, "surefire must set -Dcovidct.cpu.poisonOutputs=true");
        for (float v : ((CpuStorage) CpuBackend.instance().allocateOutput(3)).data()) {
            assertTrue(Float.isNaN(v));
        }
    }
}
