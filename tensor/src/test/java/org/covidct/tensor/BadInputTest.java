package org.covidct.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad shapes, ranks and lifetimes end in an exception naming the op and the shapes, never a wrong result. */
class BadInputTest {
    private static Tensor t(int... dims) {
        return Tensor.zeros(Device.CPU, dims);
    }

    private static void assertFails(Class<? extends RuntimeException> type, Executable call, String... fragments) {
        RuntimeException e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void convolutionChannelMismatch() {
        assertFails(IllegalArgumentException.class,
                () -> Ops.conv2d(t(2, 3, 8, 8), t(4, 5, 3, 3), null, Conv2dSpec.of(1, 1)),
                "conv2d", "[2, 3, 8, 8]", "[4, 5, 3, 3]");
    }

    @Test
    void convolutionWrongRank() {
        assertFails(IllegalArgumentException.class,
                () -> Ops.conv2d(t(3, 8, 8), t(4, 3, 3, 3), null, Conv2dSpec.of(1, 1)), "conv2d", "[3, 8, 8]");
    }

    @Test
    void convolutionKernelLargerThanInput() {
        assertFails(IllegalArgumentException.class,
                () -> Ops.conv2d(t(1, 3, 2, 2), t(4, 3, 5, 5), null, Conv2dSpec.of(1, 0)), "conv2d", "[4, 3, 5, 5]");
    }

    @Test
    void convolutionBiasMismatch() {
        assertFails(IllegalArgumentException.class,
                () -> Ops.conv2d(t(1, 3, 8, 8), t(4, 3, 3, 3), t(5), Conv2dSpec.of(1, 1)), "conv2d", "bias", "[5]");
    }

    @Test
    void convolutionBackwardGradientOfTheWrongShape() {
        assertFails(IllegalArgumentException.class,
                () -> Ops.conv2dBackwardData(t(1, 4, 7, 7), t(4, 3, 3, 3), Shape.of(1, 3, 8, 8), Conv2dSpec.of(1, 1)),
                "conv2d_backward_data", "[1, 4, 7, 7]", "[1, 4, 8, 8]");
    }

    @Test
    void groupedConvolutionChannelsMustSplitIntoTheGroups() {
        assertFails(IllegalArgumentException.class,
                () -> Ops.conv2d(t(1, 6, 8, 8), t(4, 3, 3, 3), null, new Conv2dSpec(1, 1, 1, 1, 3)),
                "conv2d", "[1, 6, 8, 8]", "[4, 3, 3, 3]", "3 groups");
        assertFails(IllegalArgumentException.class,
                () -> Ops.conv2d(t(1, 6, 8, 8), t(4, 2, 3, 3), null, new Conv2dSpec(1, 1, 1, 1, 3)),
                "conv2d", "4 output channels", "3 groups");
        assertFails(IllegalArgumentException.class, () -> new Conv2dSpec(1, 1, 0, 0, 0), "groups 0");
    }

    @Test
    void paddingAndClampArguments() {
        assertFails(IllegalArgumentException.class, () -> Ops.pad2d(t(1, 2, 3, 3), 0, -1, 0, 0), "pad2d", "negative");
        assertFails(IllegalArgumentException.class, () -> Ops.pad2d(t(2, 3, 3), 0, 1, 0, 1), "pad2d", "[2, 3, 3]");
        assertFails(IllegalArgumentException.class,
                () -> Ops.pad2dBackward(t(1, 2, 4, 4), Shape.of(1, 2, 3, 3), 2, 0), "pad2d_backward", "[1, 2, 4, 4]");
        assertFails(IllegalArgumentException.class, () -> Ops.clamp(t(3), 6f, 0f), "clamp", "empty");
    }

    @Test
    void linearFeatureMismatch() {
        assertFails(IllegalArgumentException.class, () -> Ops.linear(t(8, 100), t(2, 4096), t(2)),
                "linear", "[8, 100]", "[2, 4096]");
    }

    @Test
    void matmulInnerSizeMismatch() {
        assertFails(IllegalArgumentException.class, () -> Ops.matmul(t(3, 4), false, t(5, 6), false),
                "matmul", "[3, 4]", "[5, 6]");
    }

    @Test
    void elementwiseShapeMismatch() {
        assertFails(IllegalArgumentException.class, () -> Ops.add(t(2, 3), t(3, 2)), "add", "[2, 3]", "[3, 2]");
        assertFails(IllegalArgumentException.class, () -> Ops.mul(t(4), t(5)), "mul", "[4]", "[5]");
    }

    @Test
    void batchNormChannelMismatchAndTooFewValues() {
        assertFails(IllegalArgumentException.class,
                () -> Ops.batchNormTraining(t(2, 4, 3, 3), t(3), t(3), t(3), t(3), 0.1f, 1e-5f),
                "batch_norm", "[3]", "[2, 4, 3, 3]");
        assertFails(IllegalArgumentException.class,
                () -> Ops.batchNormTraining(t(1, 2, 1, 1), t(2), t(2), t(2), t(2), 0.1f, 1e-5f),
                "batch_norm", "[1, 2, 1, 1]");
    }

    @Test
    void poolingInputsTooSmallOrOfTheWrongRank() {
        assertFails(IllegalArgumentException.class, () -> Ops.maxPool2d(t(1, 1, 1, 5), Pool2dSpec.of(2, 2)),
                "max_pool2d", "[1, 1, 1, 5]");
        assertFails(IllegalArgumentException.class, () -> Ops.adaptiveAvgPool2d(t(4, 4), 7, 7),
                "adaptive_avg_pool2d", "[4, 4]");
    }

    @Test
    void paddedPoolingWindowsThatDoNotFit() {
        assertFails(IllegalArgumentException.class, () -> Pool2dSpec.of(3, 1, 2), "pool2d", "padding (2, 2)",
                "(3, 3)");
        assertFails(IllegalArgumentException.class, () -> Ops.avgPool2d(t(1, 1, 1, 6), Pool2dSpec.of(4, 1, 1)),
                "avg_pool2d", "[1, 1, 1, 6]", "padded by (1, 1)", "4x4");
        assertFails(IllegalArgumentException.class, () -> Ops.avgPool2d(t(6, 6), Pool2dSpec.of(2, 2)),
                "avg_pool2d", "[6, 6]");
        assertFails(IllegalArgumentException.class,
                () -> Ops.avgPool2dBackward(t(1, 1, 2, 2), Shape.of(1, 1, 6, 6), Pool2dSpec.of(2, 2, 1)),
                "avg_pool2d_backward", "[1, 1, 2, 2]", "[1, 1, 4, 4]");
    }

    @Test
    void activationGradientsOfAnotherShape() {
        assertFails(IllegalArgumentException.class, () -> Ops.sigmoidBackward(t(2, 3), t(3, 2)),
                "sigmoid_backward", "[2, 3]", "[3, 2]");
        assertFails(IllegalArgumentException.class, () -> Ops.geluBackward(t(4), t(5), GeluApproximation.NONE),
                "gelu_backward", "[4]", "[5]");
        assertFails(IllegalArgumentException.class, () -> Ops.gelu(t(4), null), "gelu", "[4]", "NONE or TANH");
        assertFails(IllegalArgumentException.class, () -> Ops.logBackward(t(4), t(2, 2)), "log_backward", "[4]",
                "[2, 2]");
    }

    @Test
    void layerNormParametersThatAreNotTheTrailingDimensions() {
        assertFails(IllegalArgumentException.class, () -> Ops.layerNorm(t(4, 6), t(5), t(5), 1e-5f),
                "layer_norm", "[5]", "[4, 6]");
        assertFails(IllegalArgumentException.class, () -> Ops.layerNorm(t(4, 6), t(6), t(4), 1e-5f),
                "layer_norm", "[6]", "[4]");
        assertFails(IllegalArgumentException.class, () -> Ops.layerNorm(t(6), t(2, 6), t(2, 6), 1e-5f),
                "layer_norm", "[2, 6]", "[6]");
        assertFails(IllegalArgumentException.class, () -> Ops.layerNorm(t(4, 6), t(6), t(6), -1f),
                "layer_norm", "eps -1.0", "[4, 6]");
        assertFails(IllegalArgumentException.class, () -> Ops.layerNormBackward(t(4, 6), t(4, 6), t(6), t(3), t(4)),
                "layer_norm_backward", "mean", "[3]", "[4]");
    }

    @Test
    void elementwiseLossesOfMismatchedOrEmptyInputs() {
        assertFails(IllegalArgumentException.class, () -> Ops.binaryCrossEntropyWithLogits(t(4, 1), t(4)),
                "binary_cross_entropy_with_logits", "[4, 1]", "[4]");
        assertFails(IllegalArgumentException.class, () -> Ops.mseLoss(t(0, 3), t(0, 3)), "mse_loss", "[0, 3]",
                "empty");
        assertFails(IllegalArgumentException.class, () -> Ops.mseLossBackward(t(3), t(2), 1f),
                "mse_loss_backward", "[3]", "[2]");
    }

    @Test
    void crossEntropyTargetsThatDoNotFit() {
        assertFails(IllegalArgumentException.class, () -> Ops.crossEntropy(t(4, 2), new int[] {0, 1, 1}),
                "cross_entropy", "[4, 2]", "3 targets");
        assertFails(IllegalArgumentException.class, () -> Ops.crossEntropy(t(2, 2), new int[] {0, 2}),
                "cross_entropy", "target 2", "[2, 2]");
    }

    @Test
    void reshapeToADifferentSize() {
        assertFails(IllegalArgumentException.class, () -> t(2, 3).reshape(4, 2), "reshape", "[2, 3]", "[4, 2]");
        assertFails(IllegalArgumentException.class, () -> t(2, 3).reshape(-1, 4), "reshape", "[2, 3]");
    }

    @Test
    void dataThatDoesNotFillTheShape() {
        assertFails(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3), "Tensor.of", "[2, 3]");
    }

    @Test
    void closedTensorsAreRefusedByEveryOp() {
        Tensor x = Tensor.of(new float[] {1, -2, 3}, 3);
        Tensor ok = Tensor.of(new float[] {1, 1, 1}, 3);
        x.close();
        assertFails(IllegalStateException.class, () -> Ops.relu(x), "relu", "[3]", "closed");
        assertFails(IllegalStateException.class, () -> Ops.add(ok, x), "add", "[3]", "closed");
        assertFails(IllegalStateException.class, x::toArray, "[3]", "closed");
        assertArrayEquals(new float[] {1, 1, 1}, ok.toArray(), "the other operand is untouched");
    }

    @Test
    void aViewKeepsItsStorageAliveAfterTheOriginalCloses() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor flat = x.reshape(4);
        x.close();
        assertArrayEquals(new float[] {1, 2, 3, 4}, flat.toArray());
        flat.close();
        assertFails(IllegalStateException.class, flat::toArray, "closed");
    }

    @Test
    void scopesCloseWhatTheyCreatedExceptWhatIsKept() {
        Tensor outside = Tensor.of(new float[] {1}, 1);
        Tensor inner;
        Tensor kept;
        try (TensorScope scope = TensorScope.open()) {
            inner = Ops.scale(outside, 2f);
            kept = scope.keep(Ops.scale(outside, 3f));
        }
        assertTrue(inner.isClosed());
        assertArrayEquals(new float[] {3}, kept.toArray());
        assertArrayEquals(new float[] {1}, outside.toArray());
    }
}
