package org.covidct.nn;

import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/** A learnable leaf owned by a module: it lives outside any scope until the module is closed. */
public final class Parameter extends Variable {
    public Parameter(Tensor data) {
        super(TensorScope.detach(data), true);
    }

    /**
     * Freezes ({@code false}) or unfreezes ({@code true}) the parameter, as torch's
     * {@code requires_grad_}: a frozen parameter gets no gradient, so optimisers leave it and its
     * state alone. See {@link org.covidct.nn.Module#setRequiresGrad} for a whole module.
     */
    public void setRequiresGrad(boolean on) {
        setLeafRequiresGrad(on);
    }

    /** Moves the value and gradient to {@code device} in place, for {@link Module#to}. */
    void moveTo(Device device) {
        moveLeafTo(device);
    }
}
