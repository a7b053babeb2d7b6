package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

class AutogradTest {
    private static Variable leaf(float... values) {
        return Variable.withGrad(Tensor.of(values, values.length));
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Variable x = leaf(1f, 2f, 3f);
        for (int call = 0; call < 3; call++) {
            Functional.sum(Functional.mul(x, x)).backward(); // d/dx sum(x^2) = 2x
        }
        assertArrayEquals(new float[] {6f, 12f, 18f}, x.grad().toArray(), 1e-6f);
        x.zeroGrad();
        assertNull(x.grad());
        Functional.sum(x).backward();
        assertArrayEquals(new float[] {1f, 1f, 1f}, x.grad().toArray());
    }

    @Test
    void aVariableUsedTwiceReceivesTheSumOfBothPaths() {
        Variable x = leaf(2f, -1f);
        Variable y = Functional.add(Functional.scale(x, 3f), Functional.mul(x, x)); // 3x + x^2
        Functional.mean(y).backward(); // (3 + 2x) / 2
        assertArrayEquals(new float[] {3.5f, 0.5f}, x.grad().toArray(), 1e-6f);
    }

    @Test
    void constantsGetNoGradient() {
        Variable x = leaf(1f, 2f);
        Variable c = Variable.constant(Tensor.of(new float[] {5f, 7f}, 2));
        Functional.sum(Functional.mul(x, c)).backward();
        assertArrayEquals(new float[] {5f, 7f}, x.grad().toArray());
        assertNull(c.grad());
    }

    @Test
    void noGradRecordsNothing() {
        Variable x = leaf(1f, 2f);
        Variable y;
        try (GradMode.Guard g = GradMode.noGrad()) {
            y = Functional.sum(Functional.relu(x));
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertTrue(y.isLeaf());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("does not depend on anything that requires a gradient"), e.getMessage());
    }

    @Test
    void aSecondBackwardThroughAFreedGraphFailsNamingTheOp() {
        Variable x = leaf(1f, -2f, 3f);
        Variable loss = Functional.sum(Functional.relu(x));
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("sum") && e.getMessage().contains("already freed"), e.getMessage());
        assertArrayEquals(new float[] {1f, 0f, 1f}, x.grad().toArray(), "the failed call changed nothing");
    }

    @Test
    void backwardNeedsAScalar() {
        Variable y = Functional.relu(leaf(1f, 2f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void scopesCloseActivationsButNotParameterGradients() {
        Variable x = leaf(1f, 2f);
        Tensor activation;
        try (TensorScope step = TensorScope.open()) {
            Variable h = Functional.scale(x, 2f);
            activation = h.data();
            Functional.sum(h).backward();
        }
        assertTrue(activation.isClosed());
        assertArrayEquals(new float[] {2f, 2f}, x.grad().toArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, activation::toArray);
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("closed"), e.getMessage());
    }
}
