package org.covidct.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Versions count Ops' in-place writes, and frozen tensors refuse them before anything is written. */
class TensorVersionTest {

    @Test
    void everyInPlaceWriteMovesTheVersionAndOnlyThose() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 4), other = Tensor.of(new float[] {4, 3, 2, 1}, 4);
            Tensor view = t.reshape(2, 2);
            assertEquals(0, t.version());
            Ops.add(t, other);
            Ops.scale(t, 2f);
            assertEquals(0, t.version(), "ops that make a new tensor leave their inputs' version");
            Ops.axpyInPlace(1f, other, t);
            assertEquals(1, t.version());
            Ops.fillInPlace(view, 0f);
            assertEquals(2, t.version(), "a view shares its storage's count");
            Ops.copyInto(other, t);
            assertEquals(3, view.version());
            Tensor momentum = Tensor.zeros(Device.CPU, 4);
            Ops.sgdStep(t, other, momentum, 0.1f, 0.9f, 0f, true);
            assertEquals(4, t.version());
            assertEquals(1, momentum.version());
            Ops.sgdStepAll(List.of(t), List.of(other), Arrays.asList(momentum), 0.1f, 0.9f, 0f, false);
            assertEquals(5, t.version());
            assertEquals(2, momentum.version());
            assertEquals(0, other.version(), "read, not written");
            Tensor mean = Tensor.zeros(Device.CPU, 2), var = Tensor.full(Device.CPU, 1f, 2);
            Ops.batchNormTraining(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2, 1), Tensor.full(Device.CPU, 1f, 2),
                    Tensor.zeros(Device.CPU, 2), mean, var, 0.1f, 1e-5f);
            assertEquals(1, mean.version(), "the running mean is updated in place");
            assertEquals(1, var.version(), "the running variance is updated in place");
        }
    }

    @Test
    void aFrozenTensorRefusesInPlaceWritesBeforeAnyIsMade() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor frozen = Tensor.of(new float[] {1, 2, 3, 4}, 4).freeze();
            Tensor other = Tensor.of(new float[] {4, 3, 2, 1}, 4), free = Tensor.of(new float[] {5, 5, 5, 5}, 4);
            assertSame(frozen, frozen.freeze(), "freezing twice is harmless");
            assertTrue(frozen.reshape(2, 2).isFrozen(), "its views share the frozen memory");
            List<Runnable> writes = List.of(() -> Ops.axpyInPlace(1f, other, frozen), () -> Ops.fillInPlace(frozen, 0f),
                    () -> Ops.copyInto(other, frozen), () -> Ops.sgdStep(frozen, other, null, 0.1f, 0f, 0f, true),
                    () -> Ops.sgdStepAll(List.of(free, frozen), List.of(other, other), Arrays.asList(null, null), 0.1f,
                            0f, 0f, true));
            for (Runnable write : writes) {
                IllegalStateException e = assertThrows(IllegalStateException.class, write::run);
                assertTrue(e.getMessage().endsWith("tensor of shape [4] is frozen (read-only)"), e.getMessage());
            }
            assertArrayEquals(new float[] {1, 2, 3, 4}, frozen.toArray());
            assertArrayEquals(new float[] {5, 5, 5, 5}, free.toArray(), "an update of several writes none of them");
            assertEquals(0, free.version());
            assertEquals(0, frozen.version());
            assertArrayEquals(new float[] {5, 5, 5, 5}, Ops.add(frozen, other).toArray(), "reading is fine");
        }
    }

    @Test
    void onlyFrozenMemoryKeepsDerivedForms() {
        try (Tensor t = Tensor.zeros(Device.CPU, 3)) {
            assertThrows(IllegalStateException.class, () -> t.storage().keepDerived("packed"));
            t.freeze().storage().keepDerived("packed");
            assertEquals("packed", t.storage().derived());
        }
    }
}
