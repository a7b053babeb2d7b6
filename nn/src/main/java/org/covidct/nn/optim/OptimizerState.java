package org.covidct.nn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.covidct.tensor.Tensor;

/**
 * An optimiser's per-parameter state, by parameter name: what torch keeps in
 * {@code optimizer.state_dict()["state"]}. Tensors are keyed {@code <slot>.<parameter name>}
 * ({@code momentum.0.weight} for SGD; {@code exp_avg.0.weight} and {@code exp_avg_sq.0.weight}
 * for AdamW); {@code steps} holds the step count of each parameter that counts its steps (AdamW,
 * whose bias correction depends on it). A parameter with no entry has not stepped yet.
 *
 * @param type    the optimiser that wrote it ({@link Sgd#TYPE}, {@link AdamW#TYPE}); a state is
 *                only loaded into an optimiser of the same type
 * @param tensors state tensors by {@code <slot>.<parameter name>}
 * @param steps   step counts by parameter name
 */
public record OptimizerState(String type, Map<String, Tensor> tensors, Map<String, Long> steps) {
    public OptimizerState {
        Objects.requireNonNull(type, "type");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }
}
