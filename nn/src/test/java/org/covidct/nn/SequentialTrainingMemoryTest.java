package org.covidct.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * In training, a Sequential frees the batch-norm outputs that ReLUs consume (backward reads only
 * the ReLU's output), keeps every activation backward reads, and the gradients do not change.
 */
class SequentialTrainingMemoryTest {
    /** A ReLU that remembers its input. */
    private static final class RecordingRelu extends Module {
        Tensor input;

        @Override
        public Variable forward(Variable x) {
            input = x.data();
            return Functional.relu(x);
        }
    }

    private static Tensor images() {
        Random r = new Random(7);
        float[] v = new float[2 * 3 * 6 * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, 2, 3, 6, 6);
    }

    /** conv, bn, relu, conv: the gradients of every parameter; the tensors relu and the first conv made go in the lists. */
    private static List<float[]> train(boolean watchBatchNorm, List<Tensor> reluInputs, List<Tensor> convOutputs) {
        Conv2d conv = new Conv2d(3, 4, 3, 1, 1, true, new Generator(1));
        BatchNorm2d bn = new BatchNorm2d(4);
        RecordingRelu relu = new RecordingRelu();
        Conv2d head = new Conv2d(4, 2, 3, 1, 1, true, new Generator(2));
        Sequential model = new Sequential(conv, bn, relu, head);
        model.train();
        if (watchBatchNorm) {
            bn.registerForwardHook((m, in, out) -> { });
        }
        conv.registerForwardHook((m, in, out) -> convOutputs.add(out.data()));
        Functional.sum(model.forward(Variable.constant(images()))).backward();
        reluInputs.add(relu.input);
        return model.parameters().stream().map(p -> p.grad().toArray()).toList();
    }

    @Test
    void batchNormOutputsThatReluConsumesAreFreedAndGradientsAreUnchanged() {
        List<Tensor> freedReluInputs = new ArrayList<>(), keptReluInputs = new ArrayList<>();
        List<Tensor> convOutputs = new ArrayList<>();
        List<float[]> freed = train(false, freedReluInputs, convOutputs);
        List<float[]> kept = train(true, keptReluInputs, new ArrayList<>());
        assertTrue(freedReluInputs.get(0).isClosed(), "the batch norm's output, which only the ReLU read");
        assertFalse(keptReluInputs.get(0).isClosed(), "the same, watched by a hook on the batch norm");
        assertFalse(convOutputs.get(0).isClosed(), "the convolution's output, which batch norm's backward reads");
        for (int i = 0; i < freed.size(); i++) {
            assertArrayEquals(kept.get(i), freed.get(i), 0f, "gradient of parameter " + i);
        }
    }

    @Test
    void activationsThatBackwardOrAHookReadsAreKept() {
        RecordingRelu relu = new RecordingRelu(), watchedRelu = new RecordingRelu();
        List<Tensor> seen = new ArrayList<>();
        watchedRelu.registerForwardHook((m, in, out) -> seen.add(in.data()));
        Sequential model = new Sequential(new Conv2d(3, 4, 3, 1, 1, true, new Generator(1)), new ReLU(), relu,
                new BatchNorm2d(4), watchedRelu);
        model.train();
        Functional.sum(model.forward(Variable.withGrad(images()))).backward();
        assertFalse(relu.input.isClosed(), "a ReLU's output, which its own backward reads");
        assertFalse(seen.get(0).isClosed(), "a batch norm's output that a hook on the ReLU after it saw");
    }
}
