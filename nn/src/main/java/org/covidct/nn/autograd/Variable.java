package org.covidct.nn.autograd;

import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Shape;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * A tensor in the autograd graph. A leaf either requires a gradient (a parameter) or is a
 * constant (an input); an op's output remembers the {@link Node} that made it, so that
 * {@link #backward()} can walk the graph back to the leaves. Leaf gradients accumulate across
 * backward calls until {@link #zeroGrad()}, which is how gradient accumulation works. An op's
 * output keeps its gradient only after {@link #retainGrad()}, as in torch.
 */
public class Variable {
    private Tensor data;
    private boolean requiresGrad;
    final Node gradFn;
    private Tensor grad;
    private boolean retainsGrad;

    /** A leaf. */
    protected Variable(Tensor data, boolean requiresGrad) {
        this(data, requiresGrad, null);
    }

    Variable(Tensor data, boolean requiresGrad, Node gradFn) {
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.gradFn = gradFn;
    }

    /** A leaf that needs no gradient, such as a batch of images. */
    public static Variable constant(Tensor data) {
        return new Variable(data, false);
    }

    /** A leaf whose gradient backward computes. */
    public static Variable withGrad(Tensor data) {
        return new Variable(data, true);
    }

    public Tensor data() {
        return data;
    }

    public Shape shape() {
        return data.shape();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * torch's {@code requires_grad_} on a leaf: a leaf that stops requiring a gradient is frozen,
     * as if constant, so the next forward records nothing that leads to it and backward gives it no
     * gradient. Its current gradient is left as it is. Change it between steps, not between a
     * forward pass and its backward.
     */
    protected final void setLeafRequiresGrad(boolean on) {
        if (!isLeaf()) {
            throw new IllegalStateException("requiresGrad can only change on a leaf, not on the output of " + gradFn.op);
        }
        requiresGrad = on;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /**
     * Whether backward reads nothing of {@code input}'s data to get through this output and through
     * input: this output was made from {@code input} alone by an op whose backward reads only its
     * output (ReLU, ReLU6, sigmoid, tanh), and {@code input} by one whose backward reads only its
     * inputs (a convolution, batch norm). A container that alone holds {@code input} may then free
     * its data: the batch norm outputs that ReLUs consume are a third of what VGG keeps for backward.
     */
    public boolean backwardIgnoresDataOf(Variable input) {
        return gradFn != null && gradFn.reads == Node.Reads.OUTPUT && gradFn.inputs.length == 1
                && gradFn.inputs[0] == input && input.gradFn != null && input.gradFn.reads == Node.Reads.INPUTS;
    }

    /**
     * The accumulated gradient of a leaf, or of an op's output that {@link #retainGrad retains}
     * it; null before any backward reached it.
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * torch's retain_grad: an op's output keeps the gradient that the next backward computes for
     * it, where it would otherwise be freed once used; {@link #zeroGrad()} frees it. Leaves keep
     * theirs anyway.
     */
    public void retainGrad() {
        if (!requiresGrad) {
            throw new IllegalStateException("retainGrad: the variable of shape " + shape()
                    + " does not require a gradient (nothing it depends on does, or it was computed under "
                    + "GradMode.noGrad())");
        }
        if (!isLeaf()) {
            retainsGrad = true;
        }
    }

    public boolean retainsGrad() {
        return retainsGrad;
    }

    /** Closes and forgets the accumulated gradient. */
    public void zeroGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
    }

    /** Adds {@code g} to the gradient; the first gradient is kept as is, outliving any scope. */
    void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = TensorScope.detach(g);
        } else {
            Ops.axpyInPlace(1f, g, grad);
            g.close();
        }
    }

    /**
     * Moves a leaf's value, and its gradient if it has one, to {@code device}, closing the old
     * tensors; the variable stays the same object, so whatever holds it (an optimiser) stays valid.
     */
    protected final void moveLeafTo(Device device) {
        if (!isLeaf()) {
            throw new IllegalStateException("moveLeafTo: only a leaf can move, not the output of " + gradFn.op);
        }
        if (data.device().equals(device)) {
            return;
        }
        Tensor moved = TensorScope.detach(data.to(device));
        data.close();
        data = moved;
        if (grad != null) {
            Tensor movedGrad = TensorScope.detach(grad.to(device));
            grad.close();
            grad = movedGrad;
        }
    }

    /** The value of a one-element variable, such as a loss. */
    public float item() {
        return data.item();
    }

    /** Back-propagates from this scalar (its gradient is 1) to every leaf that requires one. */
    public void backward() {
        Backward.run(this);
    }

    @Override
    public String toString() {
        return "Variable" + data.shape() + (gradFn != null ? " from " + gradFn.op : requiresGrad ? " (leaf, grad)" : "");
    }
}
