package org.covidct.nn;

import static org.covidct.tensor.testing.TensorAssert.GOLDEN_RTOL;
import static org.covidct.tensor.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Inference through Conv2d then BatchNorm2d folded into one convolution, against the two layers run apart. */
class BatchNormFoldingTest {

    @Test
    void foldedConvolutionMatchesConvolutionThenBatchNorm() {
        Generator gen = new Generator(5);
        Conv2d[] convs = {
            new Conv2d(6, 10, 3, 1, 1, false, gen),           // no bias
            new Conv2d(6, 10, 3, 2, 1, true, gen),            // bias, strided
            new Conv2d(6, 12, 3, 1, 1, 6, false, gen),        // grouped (depthwise-like)
            Conv2d.tfSame(6, 8, 3, 2, 1, true, gen),          // TensorFlow SAME padding
            new Conv2d(6, 16, 1, 1, 0, false, gen),           // pointwise
        };
        for (Conv2d conv : convs) {
            int k = conv.weight().shape().dim(0);
            BatchNorm2d bn = withRunningStatistics(new BatchNorm2d(k), k, new Random(k));
            Sequential block = Sequential.fuseForInference(new Sequential(conv, bn, new ReLU6()));
            block.eval();
            try (TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
                Variable x = Variable.constant(random(new Random(7), 2, 6, 11, 12));
                assertTrue(BatchNormFolding.applies(conv, bn, x));
                Tensor folded = block.forward(x).data();
                Tensor apart = Ops.clamp(bn.call(conv.call(x)).data(), 0f, 6f);
                assertClose("conv " + conv.weight().shape() + " then batch norm", apart, folded, GOLDEN_RTOL);
            }
        }
    }

    /**
     * A convolution followed by ReLU6 (TensorFlow's MobileNetV2, no batch norm) or by batch norm and
     * ReLU runs as one clamped convolution; a hook on the activation keeps the layers apart, so that
     * it sees the convolution's own output.
     */
    @Test
    void clampsTheActivationInTheConvolutionsCall() {
        Generator gen = new Generator(11);
        Conv2d depthwise = new Conv2d(6, 6, 3, 2, 1, 6, true, gen);
        ReLU6 relu6 = new ReLU6();
        Sequential block = Sequential.fuseForInference(new Sequential(depthwise, relu6));
        Conv2d conv = new Conv2d(6, 10, 3, 1, 1, false, gen);
        BatchNorm2d bn = withRunningStatistics(new BatchNorm2d(10), 10, new Random(4));
        Sequential withNorm = Sequential.fuseForInference(new Sequential(conv, bn, new ReLU()));
        block.eval();
        withNorm.eval();
        try (TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Variable x = Variable.constant(random(new Random(12), 2, 6, 11, 12));
            Tensor clamped = Ops.conv2dClamped(x.data(), depthwise.weight().data(), depthwise.bias().data(),
                    depthwise.spec(), 0f, 6f);
            assertArrayEquals(clamped.toArray(), block.forward(x).data().toArray(), "conv2d_clamped's bits");
            Tensor[] seen = new Tensor[1];
            try (Module.HookHandle h = relu6.registerForwardHook((m, in, out) -> seen[0] = in.data())) {
                block.forward(x);
            }
            assertArrayEquals(depthwise.forward(x).data().toArray(), seen[0].toArray(),
                    "the hook on ReLU6 sees the unclamped convolution");
            Tensor folded = BatchNormFolding.forward(conv, bn, x).data();
            assertArrayEquals(Ops.relu(folded).toArray(), withNorm.forward(x).data().toArray(),
                    "folded, then ReLU in the same call");
        }
    }

    /** A library user gets the layers as written until they ask for fusion, which reaches nested Sequentials. */
    @Test
    void foldsOnlyAfterFuseForInference() {
        Generator gen = new Generator(8);
        Conv2d conv = new Conv2d(6, 10, 3, 1, 1, true, gen);
        BatchNorm2d bn = withRunningStatistics(new BatchNorm2d(10), 10, new Random(3));
        Sequential inner = new Sequential(conv, bn);
        Sequential model = new Sequential(inner, new ReLU());
        model.eval();
        try (TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Variable x = Variable.constant(random(new Random(9), 2, 6, 9, 9));
            Tensor apart = Ops.relu(bn.call(conv.call(x)).data());
            Tensor folded = Ops.relu(BatchNormFolding.forward(conv, bn, x).data());
            assertFalse(Arrays.equals(apart.toArray(), folded.toArray()),
                    "the fold rounds differently, so the two paths can be told apart");
            assertArrayEquals(apart.toArray(), model.forward(x).data().toArray(), "not fused: the layers as written");
            assertSame(model, Sequential.fuseForInference(model));
            assertArrayEquals(folded.toArray(), model.forward(x).data().toArray(), "fused, in the nested Sequential");
        }
    }

    @Test
    void foldsOnlyWhereNothingCanTellTheDifference() {
        Generator gen = new Generator(6);
        Conv2d conv = new Conv2d(3, 4, 3, 1, 1, true, gen);
        BatchNorm2d bn = withRunningStatistics(new BatchNorm2d(4), 4, new Random(1));
        Sequential block = Sequential.fuseForInference(new Sequential(conv, bn));
        try (TensorScope scope = TensorScope.open()) {
            Variable x = Variable.constant(random(new Random(2), 1, 3, 6, 6));
            block.train();
            try (GradMode.Guard g = GradMode.noGrad()) {
                assertFalse(BatchNormFolding.applies(conv, bn, x), "batch norm in training mode");
            }
            block.eval();
            assertFalse(BatchNormFolding.applies(conv, bn, x), "gradients enabled (Grad-CAM)");
            try (GradMode.Guard g = GradMode.noGrad()) {
                assertTrue(BatchNormFolding.applies(conv, bn, x));
                Tensor[] seen = new Tensor[1];
                try (Module.HookHandle h = conv.registerForwardHook((m, in, out) -> seen[0] = out.data())) {
                    assertFalse(BatchNormFolding.applies(conv, bn, x), "a hook on the convolution");
                    block.forward(x);
                    assertEquals(conv.forward(x).data().shape(), seen[0].shape());
                    assertClose("the hook sees the convolution's own output", conv.forward(x).data(), seen[0], 0);
                }
                try (Module.HookHandle h = bn.registerForwardHook((m, in, out) -> { })) {
                    assertFalse(BatchNormFolding.applies(conv, bn, x), "a hook on the batch norm");
                }
            }
        }
    }

    /**
     * The fold is kept between passes, frozen, and made again once anything it was folded from is
     * written (a loaded state, an optimiser step); a training pass or closing the model frees it.
     */
    @Test
    void keepsTheFoldUntilWhatItWasFoldedFromChanges() {
        Generator gen = new Generator(13);
        Conv2d conv = new Conv2d(6, 10, 1, 1, 0, true, gen);
        BatchNorm2d bn = withRunningStatistics(new BatchNorm2d(10), 10, new Random(5));
        Sequential block = Sequential.fuseForInference(new Sequential(conv, bn, new ReLU6()));
        block.eval();
        try (TensorScope scope = TensorScope.open()) {
            Variable x = Variable.constant(random(new Random(14), 2, 6, 7, 7));
            FoldedConvolution first;
            try (GradMode.Guard g = GradMode.noGrad()) {
                float[] before = block.forward(x).data().toArray();
                first = bn.foldedWith(conv);
                assertTrue(first.weight().isFrozen() && first.bias().isFrozen());
                assertArrayEquals(before, block.forward(x).data().toArray(), "the kept fold");
                assertSame(first, bn.foldedWith(conv), "kept, not folded again");
                Ops.copyInto(Tensor.full(org.covidct.tensor.Device.CPU, 3f, 10), bn.runningVar());
                assertAsWritten(conv, bn, block, x, "after the running variance is written");
                assertTrue(first.weight().isClosed(), "the stale fold is freed");
                Ops.axpyInPlace(0.5f, conv.weight().data(), conv.weight().data());
                assertAsWritten(conv, bn, block, x, "after the convolution's weights are written");
                Ops.fillInPlace(conv.bias().data(), 0.25f);
                assertAsWritten(conv, bn, block, x, "after the convolution's bias is written");
            }
            FoldedConvolution kept = bn.foldedWith(conv);
            block.train();
            block.forward(x);
            assertTrue(kept.weight().isClosed(), "a training pass frees the fold");
            block.eval();
            try (GradMode.Guard g = GradMode.noGrad()) {
                assertAsWritten(conv, bn, block, x, "after training");
            }
            kept = bn.foldedWith(conv);
            block.close();
            assertTrue(kept.weight().isClosed() && kept.bias().isClosed(), "closing the model frees the fold");
        }
    }

    /** The fused block gives the layers' result as they are now, within the fold's rounding. */
    private static void assertAsWritten(Conv2d conv, BatchNorm2d bn, Sequential block, Variable x, String when) {
        Tensor apart = Ops.clamp(bn.call(conv.call(x)).data(), 0f, 6f);
        assertClose(when, apart, block.forward(x).data(), GOLDEN_RTOL);
    }

    private static BatchNorm2d withRunningStatistics(BatchNorm2d bn, int channels, Random rnd) {
        float[] gamma = new float[channels], beta = new float[channels], mean = new float[channels], var = new float[channels];
        for (int c = 0; c < channels; c++) {
            gamma[c] = 0.5f + rnd.nextFloat() * 1.5f;
            beta[c] = rnd.nextFloat() - 0.5f;
            mean[c] = rnd.nextFloat() * 2 - 1;
            var[c] = 0.2f + rnd.nextFloat() * 2;
        }
        Ops.copyInto(Tensor.of(gamma, channels), bn.weight().data());
        Ops.copyInto(Tensor.of(beta, channels), bn.bias().data());
        Ops.copyInto(Tensor.of(mean, channels), bn.runningMean());
        Ops.copyInto(Tensor.of(var, channels), bn.runningVar());
        return bn;
    }

    private static Tensor random(Random rnd, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return Tensor.of(v, dims);
    }
}
