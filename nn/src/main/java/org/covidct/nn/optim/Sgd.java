package org.covidct.nn.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Parameter;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * torch.optim.SGD with momentum and weight decay (no dampening, no Nesterov): for each parameter
 * with a gradient, g = grad + weightDecay * p; the momentum buffer is g at the parameter's first
 * step and momentum * buf + g after; p -= lr * buf.
 */
public final class Sgd implements Optimizer {
    /** The type of its {@link OptimizerState}, whose tensors are the momentum buffers. */
    public static final String TYPE = "sgd";
    private static final String MOMENTUM = "momentum";

    private final List<Parameter> params;
    private final float momentum;
    private final float weightDecay;
    private final Map<Parameter, Tensor> momentumBuffers = new IdentityHashMap<>();
    private float learningRate;

    public Sgd(List<Parameter> params, float learningRate, float momentum, float weightDecay) {
        if (!(learningRate >= 0f) || !(momentum >= 0f) || !(weightDecay >= 0f)) {
            throw new IllegalArgumentException("Sgd: invalid lr " + learningRate + ", momentum " + momentum
                    + " or weight decay " + weightDecay);
        }
        this.params = List.copyOf(params);
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    /** Takes effect at the next step, like editing param_groups[0]["lr"]. */
    @Override
    public void setLearningRate(float learningRate) {
        if (!(learningRate >= 0f)) {
            throw new IllegalArgumentException("Sgd: invalid learning rate " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /**
     * Updates every parameter that has a gradient; parameters without one are left alone. The
     * updates go to each device's backend as one batch (one fused launch on a GPU), split only
     * where parameters differ in device or in whether this is their first step.
     */
    @Override
    public void step() {
        Map<Group, Batch> batches = new LinkedHashMap<>();
        for (Parameter p : params) {
            Tensor grad = p.grad();
            if (grad == null) {
                continue;
            }
            Tensor buf = null;
            boolean first = false;
            if (momentum != 0f) {
                buf = momentumBuffers.get(p);
                if (buf == null) {
                    buf = TensorScope.detach(Tensor.zeros(p.data().device(), p.data().dims()));
                    momentumBuffers.put(p, buf);
                    first = true;
                }
            }
            batches.computeIfAbsent(new Group(p.data().device(), first), g -> new Batch()).add(p.data(), grad, buf);
        }
        batches.forEach((g, b) -> Ops.sgdStepAll(b.params, b.grads, b.buffers, learningRate, momentum, weightDecay,
                g.first()));
    }

    private record Group(Device device, boolean first) {
    }

    /** One backend call's tensors; buffers holds nulls when there is no momentum. */
    private static final class Batch {
        final List<Tensor> params = new ArrayList<>();
        final List<Tensor> grads = new ArrayList<>();
        final List<Tensor> buffers = new ArrayList<>();

        void add(Tensor param, Tensor grad, Tensor buf) {
            params.add(param);
            grads.add(grad);
            buffers.add(buf);
        }
    }

    /** Drops every parameter's gradient (PyTorch's set_to_none). */
    @Override
    public void zeroGrad() {
        params.forEach(Parameter::zeroGrad);
    }

    /** The momentum buffer of a parameter, or null before its first step. */
    public Tensor momentumBuffer(Parameter p) {
        return momentumBuffers.get(p);
    }

    /** The parameters this optimiser updates, in the order it was given them. */
    @Override
    public List<Parameter> parameters() {
        return params;
    }

    /** A read-only view of the momentum buffers by parameter (identity keys); the tensors are live. */
    public Map<Parameter, Tensor> momentumBuffers() {
        return Collections.unmodifiableMap(momentumBuffers);
    }

    /**
     * Sets a parameter's momentum buffer to a copy of {@code value}, as loading the optimiser's
     * state dict does: its next step then continues the momentum instead of starting it. A null
     * value drops the buffer, so that the next step is a first step again.
     */
    public void setMomentumBuffer(Parameter p, Tensor value) {
        if (!params.contains(p)) {
            throw new IllegalArgumentException("Sgd.setMomentumBuffer: the parameter is not one this optimiser updates");
        }
        Tensor copy = null;
        if (value != null) {
            if (!value.shape().equals(p.data().shape())) {
                throw new IllegalArgumentException("Sgd.setMomentumBuffer: buffer of shape " + value.shape()
                        + " for a parameter of shape " + p.data().shape());
            }
            copy = TensorScope.detach(Tensor.zeros(p.data().device(), p.data().dims()));
            if (value.device().equals(copy.device())) {
                Ops.copyInto(value, copy);
            } else {
                try (Tensor moved = value.to(copy.device())) {
                    Ops.copyInto(moved, copy);
                }
            }
        }
        Tensor old = copy == null ? momentumBuffers.remove(p) : momentumBuffers.put(p, copy);
        if (old != null) {
            old.close();
        }
    }

    /** The momentum buffers, as {@code momentum.<parameter name>}. */
    @Override
    public OptimizerState state(Map<String, Parameter> names) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        new StateEntries("Sgd", TYPE, params).putTensors(MOMENTUM, momentumBuffers, names, tensors);
        return new OptimizerState(TYPE, tensors, Map.of());
    }

    /**
     * Sets the momentum buffer of every parameter of {@code names} that this optimiser updates to a
     * copy of the state's, or drops it where the state has none ({@link #setMomentumBuffer}).
     */
    @Override
    public void loadState(OptimizerState state, Map<String, Parameter> names) {
        StateEntries entries = new StateEntries("Sgd", TYPE, params);
        Map<Parameter, Tensor> buffers = entries.tensorsBySlot(state, List.of(MOMENTUM), names).get(MOMENTUM);
        if (!state.steps().isEmpty()) {
            throw new IllegalArgumentException("Sgd.loadState: SGD counts no steps, the state has "
                    + state.steps().keySet());
        }
        entries.updatedAmong(names).values().forEach(p -> setMomentumBuffer(p, buffers.get(p)));
    }

    @Override
    public void close() {
        momentumBuffers.values().forEach(Tensor::close);
        momentumBuffers.clear();
    }
}
