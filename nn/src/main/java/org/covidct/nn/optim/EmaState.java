package org.covidct.nn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.covidct.tensor.Tensor;

/**
 * A {@link ModelEma}'s state as a checkpoint stores it: the averaged state dict by the model's
 * names, and how many updates made it.
 *
 * @param averaged the averaged parameters and copied buffers, by state dict name
 * @param updates  AveragedModel's {@code n_averaged}
 */
public record EmaState(Map<String, Tensor> averaged, long updates) {
    public EmaState {
        averaged = Collections.unmodifiableMap(new LinkedHashMap<>(averaged));
        if (updates < 0) {
            throw new IllegalArgumentException("EmaState: negative update count " + updates);
        }
    }
}
