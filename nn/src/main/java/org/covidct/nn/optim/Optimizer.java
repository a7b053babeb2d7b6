package org.covidct.nn.optim;

import java.util.List;
import java.util.Map;
import org.covidct.nn.Parameter;

/**
 * What training needs of an optimiser with one parameter group (torch.optim.Optimizer): a
 * learning rate that schedules may change between steps, the step itself, and a per-parameter
 * state that a checkpoint can save and restore exactly. {@link Sgd} and {@link AdamW} implement it.
 *
 * <p>As in torch, a step updates only the parameters that have a gradient: a frozen parameter
 * ({@link Parameter#setRequiresGrad}) or one the loss did not reach is left alone, state included.
 */
public interface Optimizer extends AutoCloseable {
    /** The parameters this optimiser updates, in the order it was given them. */
    List<Parameter> parameters();

    float learningRate();

    /** Takes effect at the next step, like editing param_groups[0]["lr"]. */
    void setLearningRate(float learningRate);

    /** Updates every parameter that has a gradient. */
    void step();

    /** Drops every parameter's gradient (torch's set_to_none). */
    void zeroGrad();

    /**
     * The per-parameter state as a checkpoint stores it, for the parameters in {@code names}
     * (the model's {@link org.covidct.nn.Module#namedParameters}): the live tensors, not copies.
     *
     * @throws IllegalArgumentException if the optimiser holds state for a parameter that is not
     *                                  among {@code names}
     */
    OptimizerState state(Map<String, Parameter> names);

    /**
     * Replaces the per-parameter state with copies of {@code state}'s, as loading torch's optimiser
     * state dict does: a parameter the state does not mention starts afresh at its next step.
     *
     * @throws IllegalArgumentException if the state is another optimiser's, or names a parameter
     *                                  that is not among {@code names} or that this optimiser does
     *                                  not update, or holds a tensor of the wrong shape
     */
    void loadState(OptimizerState state, Map<String, Parameter> names);

    /** Frees the state's tensors. */
    @Override
    void close();
}
