package org.covidct.nn.optim;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Parameter;
import org.covidct.tensor.Tensor;

/**
 * Reads and writes the entries of an {@link OptimizerState} for one optimiser: the name of each
 * parameter, and the checks that a loaded state fits the optimiser before any of it is applied.
 */
final class StateEntries {
    private final String owner;
    private final String type;
    private final List<Parameter> updated;

    StateEntries(String owner, String type, List<Parameter> updated) {
        this.owner = owner;
        this.type = type;
        this.updated = updated;
    }

    /** {@code tensors}' entries under {@code <slot>.<name>}, in the model's order of names. */
    void putTensors(String slot, Map<Parameter, Tensor> tensors, Map<String, Parameter> names,
                    Map<String, Tensor> out) {
        int found = 0;
        for (Map.Entry<String, Parameter> e : names.entrySet()) {
            Tensor t = tensors.get(e.getValue());
            if (t != null) {
                out.put(slot + "." + e.getKey(), t);
                found++;
            }
        }
        if (found != tensors.size()) {
            throw new IllegalArgumentException(owner + ": the optimiser holds " + slot
                    + " state for parameters outside the model");
        }
    }

    /** Checks the state's type and splits its tensors by slot into parameter-keyed maps, shapes checked. */
    Map<String, Map<Parameter, Tensor>> tensorsBySlot(OptimizerState state, List<String> slots,
                                                      Map<String, Parameter> names) {
        if (!type.equals(state.type())) {
            throw new IllegalArgumentException(owner + ".loadState: the state is " + state.type()
                    + "'s, this optimiser is " + type);
        }
        Map<String, Map<Parameter, Tensor>> out = new LinkedHashMap<>();
        slots.forEach(slot -> out.put(slot, new IdentityHashMap<>()));
        for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
            String key = e.getKey();
            String slot = slots.stream().filter(s -> key.startsWith(s + ".")).findFirst().orElseThrow(
                    () -> new IllegalArgumentException(owner + ".loadState: state '" + key + "' is none of "
                            + type + "'s slots " + slots));
            Parameter p = parameter(key.substring(slot.length() + 1), names);
            if (!e.getValue().shape().equals(p.data().shape())) {
                throw new IllegalArgumentException(owner + ".loadState: state '" + key + "' of shape "
                        + e.getValue().shape() + " for a parameter of shape " + p.data().shape());
            }
            out.get(slot).put(p, e.getValue());
        }
        return out;
    }

    /** The state's step counts by parameter, each checked to be positive. */
    Map<Parameter, Long> stepsByParameter(OptimizerState state, Map<String, Parameter> names) {
        Map<Parameter, Long> out = new IdentityHashMap<>();
        state.steps().forEach((name, steps) -> {
            if (steps == null || steps < 1) {
                throw new IllegalArgumentException(owner + ".loadState: step count " + steps + " for '" + name
                        + "' (must be >= 1)");
            }
            out.put(parameter(name, names), steps);
        });
        return out;
    }

    /** The parameters of {@code names} that this optimiser updates, by name. */
    Map<String, Parameter> updatedAmong(Map<String, Parameter> names) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        names.forEach((name, p) -> {
            if (updated.contains(p)) {
                out.put(name, p);
            }
        });
        return out;
    }

    private Parameter parameter(String name, Map<String, Parameter> names) {
        Parameter p = names.get(name);
        if (p == null) {
            throw new IllegalArgumentException(owner + ".loadState: state for '" + name
                    + "', which is not a parameter of the model");
        }
        if (!updated.contains(p)) {
            throw new IllegalArgumentException(owner + ".loadState: state for '" + name
                    + "', which the optimiser does not update");
        }
        return p;
    }
}
