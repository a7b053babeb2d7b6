package org.covidct.nn.optim;

import org.covidct.nn.CrossEntropyLoss;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * The classifier's training step with gradient accumulation: a group of forward and backward
 * passes of mean cross-entropy (label-smoothed if the loss says so), one batch each, whose losses
 * are scaled by 1/(passes in the group) so that the gradients add up to the group's mean, then one
 * optimiser step. The trainer runs its batches through {@link #accumulate} and {@link #step}; the
 * benchmarks time {@link #run}.
 */
public final class TrainingStep {
    private final Module model;
    private final Optimizer optimizer;
    private final CrossEntropyLoss loss;

    /**
     * What one pass leaves its caller, in the caller's TensorScope: the logits and the unscaled mean
     * loss as a one-element tensor (reading it waits for a GPU, so only callers that need it do).
     */
    public record Pass(Tensor logits, Tensor loss) {
    }

    /** Steps with plain mean cross-entropy. */
    public TrainingStep(Module model, Optimizer optimizer) {
        this(model, optimizer, new CrossEntropyLoss());
    }

    public TrainingStep(Module model, Optimizer optimizer, CrossEntropyLoss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    /**
     * One batch's forward and backward pass, its loss scaled by 1/{@code groupSize}, adding to the
     * parameters' gradients; the images must live on the model's device.
     */
    public Pass accumulate(Tensor images, int[] labels, int groupSize) {
        if (groupSize < 1) {
            throw new IllegalArgumentException("TrainingStep: group size must be >= 1, got " + groupSize);
        }
        Variable logits = model.forward(Variable.constant(images));
        Variable mean = loss.forward(logits, labels);
        // Scaling by 1 would add a kernel and change nothing.
        (groupSize == 1 ? mean : Functional.scale(mean, 1f / groupSize)).backward();
        return new Pass(logits.data(), mean.data());
    }

    /** The optimiser's step on the accumulated gradients, which are then cleared for the next group. */
    public void step() {
        optimizer.step();
        optimizer.zeroGrad();
    }

    /** Runs one step of {@code accumulate} passes over the same batch, each in its own TensorScope. */
    public static void run(Module model, Optimizer optimizer, Tensor images, int[] labels, int accumulate) {
        if (accumulate < 1) {
            throw new IllegalArgumentException("TrainingStep: accumulate must be >= 1, got " + accumulate);
        }
        TrainingStep training = new TrainingStep(model, optimizer);
        for (int i = 0; i < accumulate; i++) {
            try (TensorScope pass = TensorScope.open()) {
                training.accumulate(images, labels, accumulate);
            }
        }
        training.step();
    }
}
