package org.covidct.nn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RetainGradTest {
    @Test
    void aRetainingOutputGetsTheSumOfEveryPathAndLeavesStillGetTheirs() {
        Variable x = Variable.withGrad(Tensor.of(new float[] {1f, -2f, 3f}, 3));
        Variable h = Functional.scale(x, 2f); // h = 2x
        h.retainGrad();
        Variable y = Functional.add(Functional.mul(h, h), Functional.scale(h, 3f)); // h^2 + 3h
        Functional.sum(y).backward();
        assertArrayEquals(new float[] {7f, -5f, 15f}, h.grad().toArray(), 1e-6f); // 2h + 3
        assertArrayEquals(new float[] {14f, -10f, 30f}, x.grad().toArray(), 1e-6f);
    }

    @Test
    void onlyRetainingOutputsKeepAGradientUntilZeroed() {
        Variable x = Variable.withGrad(Tensor.of(new float[] {1f, 2f}, 2));
        Variable h = Functional.scale(x, 3f);
        Variable other = Functional.scale(h, 1f);
        h.retainGrad();
        Variable loss = Functional.sum(other);
        loss.retainGrad();
        loss.backward();
        assertArrayEquals(new float[] {1f}, loss.grad().toArray());
        assertNull(other.grad());
        assertArrayEquals(new float[] {1f, 1f}, h.grad().toArray(), 1e-6f);
        assertArrayEquals(new float[] {3f, 3f}, x.grad().toArray(), 1e-6f);
        h.zeroGrad();
        assertNull(h.grad());
    }

    @Test
    void aConstantOrAGraphlessOutputCannotRetain() {
        Variable c = Variable.constant(Tensor.of(new float[] {1f}, 1));
        assertThrows(IllegalStateException.class, c::retainGrad);
        Variable x = Variable.withGrad(Tensor.of(new float[] {1f}, 1));
        try (GradMode.Guard g = GradMode.noGrad()) {
            Variable y = Functional.scale(x, 2f);
            assertThrows(IllegalStateException.class, y::retainGrad);
        }
    }
}
