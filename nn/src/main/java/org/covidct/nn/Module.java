package org.covidct.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * A layer or a network, shaped like torch.nn.Module: named parameters, buffers and child modules,
 * a training flag, and a state dict whose keys are PyTorch's dotted names (features.0.weight,
 * features.1.running_mean, ...), in PyTorch's order. Closing a module frees its tensors.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<HookRegistration> forwardHooks = new ArrayList<>();
    private boolean training = true;

    /** A module with no parameters, buffers or children yet, in training mode. */
    protected Module() {
    }

    /** Sees a module's input and output each time the module runs through {@link #call}. */
    @FunctionalInterface
    public interface ForwardHook {
        void afterForward(Module module, Variable input, Variable output);
    }

    /** Removes its hook when closed, like torch's RemovableHandle; closing twice does nothing. */
    public interface HookHandle extends AutoCloseable {
        @Override
        void close();
    }

    /** One registration: equal only to itself, so a hook registered twice is removed once per handle. */
    private static final class HookRegistration {
        final ForwardHook hook;

        HookRegistration(ForwardHook hook) {
            this.hook = hook;
        }
    }

    public abstract Variable forward(Variable x);

    /**
     * Runs {@link #forward}, then this module's forward hooks, as calling a torch module does.
     * Containers run their children through it, which is what lets a hook see a layer's output
     * without any change to the model.
     */
    public final Variable call(Variable x) {
        Variable y = forward(x);
        if (!forwardHooks.isEmpty()) {
            for (HookRegistration r : List.copyOf(forwardHooks)) { // a hook may remove itself
                r.hook.afterForward(this, x, y);
            }
        }
        return y;
    }

    /** Whether a hook watches this module's output (containers then must not fuse it away). */
    final boolean hasForwardHooks() {
        return !forwardHooks.isEmpty();
    }

    /** torch's register_forward_hook, observing only: the hook cannot replace the output. */
    public final HookHandle registerForwardHook(ForwardHook hook) {
        HookRegistration r = new HookRegistration(Objects.requireNonNull(hook, "hook"));
        forwardHooks.add(r);
        return () -> forwardHooks.remove(r);
    }

    protected final Parameter registerParameter(String name, Tensor value) {
        Parameter p = new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    protected final Tensor registerBuffer(String name, Tensor value) {
        buffers.put(name, TensorScope.detach(value));
        return value;
    }

    /**
     * A buffer of this module by name. Modules read their buffers through it rather than keeping
     * the tensor, because {@link #to} replaces the tensor when it moves the module.
     */
    protected final Tensor buffer(String name) {
        Tensor b = buffers.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no buffer named '" + name + "' in " + getClass().getSimpleName());
        }
        return b;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** Replaces a child (transfer learning swaps the last classifier layer this way), closing the old one. */
    public final void replaceModule(String name, Module module) {
        Module old = children.get(name);
        if (old == null) {
            throw new IllegalArgumentException("replaceModule: no child named '" + name + "' in "
                    + getClass().getSimpleName() + ", children are " + children.keySet());
        }
        children.put(name, module);
        old.close();
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Sets training mode here and in every descendant. */
    public Module train(boolean on) {
        training = on;
        for (Module child : children.values()) {
            child.train(on);
        }
        return this;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Moves every parameter (with its gradient) and buffer of this module and its descendants to
     * {@code device}, closing the old tensors. Parameters stay the same objects, so an optimiser
     * built on them keeps working; its momentum buffers are made on the parameter's device at
     * its first step, so create or restore it after the move. Returns this module.
     */
    public Module to(Device device) {
        parameters.values().forEach(p -> p.moveTo(device));
        buffers.replaceAll((name, b) -> {
            if (b.device().equals(device)) {
                return b;
            }
            Tensor moved = TensorScope.detach(b.to(device));
            b.close();
            return moved;
        });
        children.values().forEach(child -> child.to(device));
        return this;
    }

    /** Every parameter of this module and its descendants, keyed by dotted name, in PyTorch's order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, null);
        return out;
    }

    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer (running statistics, batch counters), keyed by dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", null, out);
        return out;
    }

    /**
     * Parameters and buffers by dotted name, in the order of PyTorch's state_dict: each module's own
     * parameters, then its buffers, then its children. The tensors are the live ones, not copies.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        stateDict("", out);
        return out;
    }

    private void stateDict(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p.data()));
        buffers.forEach((name, b) -> out.put(prefix + name, b));
        children.forEach((name, child) -> child.stateDict(prefix + name + ".", out));
    }

    private void collect(String prefix, Map<String, Parameter> params, Map<String, Tensor> bufs) {
        if (params != null) {
            parameters.forEach((name, p) -> params.put(prefix + name, p));
        }
        if (bufs != null) {
            buffers.forEach((name, b) -> bufs.put(prefix + name, b));
        }
        children.forEach((name, child) -> child.collect(prefix + name + ".", params, bufs));
    }

    /** How {@code source} differs from this module's state dict: nothing is copied. */
    public final StateDictReport compareStateDict(Map<String, Tensor> source) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor value = source.get(e.getKey());
            if (value == null) {
                missing.add(e.getKey());
            } else if (!value.shape().equals(e.getValue().shape())) {
                mismatched.add(e.getKey() + " (file " + value.shape() + ", model " + e.getValue().shape() + ")");
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : source.keySet()) {
            if (!own.containsKey(key)) {
                unexpected.add(key);
            }
        }
        return new StateDictReport(missing, unexpected, mismatched);
    }

    /**
     * Copies values into this module's parameters and buffers. Strict loading demands exactly the
     * module's keys with their shapes and reports every missing, unexpected or mis-shaped key in one
     * exception; non-strict loading copies the keys that match in name and shape and returns the
     * problems instead (transfer learning uses it to skip a replaced classifier layer). Nothing is
     * copied when a strict load fails.
     */
    public final StateDictReport loadStateDict(Map<String, Tensor> source, boolean strict) {
        Map<String, Tensor> own = stateDict();
        StateDictReport report = compareStateDict(source);
        if (strict && !report.isClean()) {
            throw new IllegalArgumentException("loadStateDict: " + report);
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor value = source.get(e.getKey());
            Tensor target = e.getValue();
            if (value == null || !value.shape().equals(target.shape())) {
                continue;
            }
            if (value.device().equals(target.device())) {
                Ops.copyInto(value, target);
            } else {
                try (Tensor moved = value.to(target.device())) {
                    Ops.copyInto(moved, target);
                }
            }
        }
        onStateLoaded();
        return report;
    }

    /** Lets a module refresh state derived from its tensors (a batch counter) after a load. */
    protected void onStateLoaded() {
        children.values().forEach(Module::onStateLoaded);
    }

    /**
     * Freezes ({@code false}) or unfreezes ({@code true}) every parameter of this module and its
     * descendants, as torch's {@code module.requires_grad_(on)}: frozen parameters get no gradient,
     * so the optimiser skips them, and backward does not descend into a frozen prefix of the
     * network at all. Batch-norm running statistics still update in training mode, as in torch.
     * Returns this module.
     */
    public final Module setRequiresGrad(boolean on) {
        parameters().forEach(p -> p.setRequiresGrad(on));
        return this;
    }

    /** Drops the accumulated gradient of every parameter. */
    public final void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }

    /** Frees every parameter, gradient and buffer of this module and its descendants. */
    @Override
    public void close() {
        parameters.values().forEach(p -> {
            p.zeroGrad();
            p.data().close();
        });
        buffers.values().forEach(Tensor::close);
        children.values().forEach(Module::close);
    }

    /** The outcome of a state-dict load. */
    public record StateDictReport(List<String> missing, List<String> unexpected, List<String> mismatched) {
        public boolean isClean() {
            return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
        }

        @Override
        public String toString() {
            return "missing keys " + missing + ", unexpected keys " + unexpected + ", mis-shaped keys " + mismatched;
        }
    }
}
