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

    /** Moves the value and gradient to {@code device} in place, for {@link Module#to}. */
    void moveTo(Device device) {
        moveLeafTo(device);
    }
}
