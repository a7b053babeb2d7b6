package org.covidct.nn.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covidct.nn.Module;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * An exponential moving average of a model's weights, as torch.optim.swa_utils.AveragedModel with
 * the averaging function {@code decay * averaged + (1 - decay) * current}: the first
 * {@link #update} copies the parameters, every later one moves each averaged parameter towards
 * the model's. Buffers (batch-norm statistics) are not averaged but copied from the model at each
 * update. The average lives beside the model, on the model's device, keyed by the model's state
 * dict names; {@link #swapInto} puts it into the model for evaluation and back.
 *
 * <p>The float32 arithmetic is torch's: {@code (float) decay * averaged} plus
 * {@code (float) (1 - decay) * current}, each product rounded, then the sum.
 */
public final class ModelEma implements AutoCloseable {
    private final float decay;
    private final Map<String, Tensor> state = new LinkedHashMap<>();
    private final Set<String> parameterNames;
    private long updates;

    /**
     * An average of {@code model}'s state (a copy of it until the first update).
     *
     * @throws IllegalArgumentException unless {@code 0 <= decay <= 1}
     */
    public ModelEma(Module model, float decay) {
        if (!(decay >= 0f && decay <= 1f)) {
            throw new IllegalArgumentException("ModelEma: decay " + decay + " must be in [0, 1]");
        }
        this.decay = decay;
        this.parameterNames = Set.copyOf(model.namedParameters().keySet());
        model.stateDict().forEach((name, t) -> state.put(name, TensorScope.detach(Ops.copy(t))));
    }

    public float decay() {
        return decay;
    }

    /** How many times {@link #update} has run (AveragedModel's {@code n_averaged}). */
    public long updates() {
        return updates;
    }

    /**
     * Folds the model's current parameters into the average and copies its buffers; the model must
     * be the one (or built like the one) this average was made from, on the same device.
     *
     * @throws IllegalArgumentException if the model's state dict differs in names or shapes
     */
    public void update(Module model) {
        Map<String, Tensor> current = model.stateDict();
        requireSameKeys("update", current);
        float keep = decay;
        float take = (float) (1 - (double) decay);
        try (TensorScope scope = TensorScope.open()) {
            current.forEach((name, t) -> {
                Tensor avg = state.get(name);
                if (updates == 0 || !parameterNames.contains(name)) {
                    Ops.copyInto(t, avg);
                } else {
                    Ops.copyInto(Ops.add(Ops.scale(avg, keep), Ops.scale(t, take)), avg);
                }
            });
        }
        updates++;
    }

    /** The averaged state dict and the update count, live: what a checkpoint saves. */
    public EmaState state() {
        return new EmaState(state, updates);
    }

    /**
     * Replaces the average with copies of a checkpoint's, moved to this average's device.
     *
     * @throws IllegalArgumentException if the names or shapes differ from this average's
     */
    public void load(EmaState saved) {
        requireSameKeys("load", saved.averaged());
        state.forEach((name, avg) -> {
            Tensor value = saved.averaged().get(name);
            if (value.device().equals(avg.device())) {
                Ops.copyInto(value, avg);
            } else {
                try (Tensor moved = value.to(avg.device())) {
                    Ops.copyInto(moved, avg);
                }
            }
        });
        this.updates = saved.updates();
    }

    /**
     * Loads the average into {@code model} until the returned handle is closed, which puts the
     * model's own state back: {@code try (var swap = ema.swapInto(model)) { evaluate(model); }}.
     */
    public Swap swapInto(Module model) {
        requireSameKeys("swapInto", model.stateDict());
        Map<String, Tensor> own = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> own.put(name, TensorScope.detach(Ops.copy(t))));
        model.loadStateDict(state, true);
        return new Swap(model, own);
    }

    /** The model's own state while the average is swapped in; closing it restores that state. */
    public static final class Swap implements AutoCloseable {
        private final Module model;
        private Map<String, Tensor> own;

        private Swap(Module model, Map<String, Tensor> own) {
            this.model = model;
            this.own = own;
        }

        /** Puts the model's own state back; closing twice does nothing. */
        @Override
        public void close() {
            if (own != null) {
                model.loadStateDict(own, true);
                own.values().forEach(Tensor::close);
                own = null;
            }
        }
    }

    private void requireSameKeys(String op, Map<String, Tensor> other) {
        List<String> problems = new ArrayList<>();
        state.forEach((name, avg) -> {
            Tensor t = other.get(name);
            if (t == null) {
                problems.add("missing " + name);
            } else if (!t.shape().equals(avg.shape())) {
                problems.add(name + " is " + t.shape() + ", the average's " + avg.shape());
            }
        });
        other.keySet().stream().filter(name -> !state.containsKey(name)).forEach(name -> problems.add("unexpected " + name));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("ModelEma." + op + ": the state does not match the average: " + problems);
        }
    }

    @Override
    public void close() {
        state.values().forEach(Tensor::close);
        state.clear();
    }
}
