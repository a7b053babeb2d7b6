package org.covidct.nn.optim;

import org.covidct.nn.Module;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * The classifier training step that the benchmarks time: {@code accumulate} forward and backward
 * passes of mean cross-entropy over one batch, then one SGD step. Each pass's loss is scaled by
 * 1/accumulate, so the step follows the mean gradient, as the trainer's accumulation does.
 */
public final class TrainingStep {
    private TrainingStep() {
    }

    /** Runs one step; the images must live on the model's device. */
    public static void run(Module model, Sgd sgd, Tensor images, int[] labels, int accumulate) {
        if (accumulate < 1) {
            throw new IllegalArgumentException("TrainingStep: accumulate must be >= 1, got " + accumulate);
        }
        for (int i = 0; i < accumulate; i++) {
            try (TensorScope pass = TensorScope.open()) {
                Variable loss = Functional.crossEntropy(model.forward(Variable.constant(images)), labels);
                // Scaling by 1 would add a kernel and change nothing.
                (accumulate == 1 ? loss : Functional.scale(loss, 1f / accumulate)).backward();
            }
        }
        sgd.step();
        sgd.zeroGrad();
    }
}
