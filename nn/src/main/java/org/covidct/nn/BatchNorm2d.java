package org.covidct.nn;

import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/**
 * nn.BatchNorm2d: weight (gamma) 1, bias (beta) 0, running_mean 0, running_var 1 and
 * num_batches_tracked 0 at the start. Training mode normalises with the batch statistics and
 * updates the running ones; eval mode uses the running ones.
 */
public final class BatchNorm2d extends Module {
    private static final String RUNNING_MEAN = "running_mean";
    private static final String RUNNING_VAR = "running_var";
    /** PyTorch keeps this as an int64 buffer; here it is a rank-0 float mirror of a long counter. */
    private static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    // Buffers are looked up by name on use: Module.to replaces their tensors.
    private final Parameter weight;
    private final Parameter bias;
    private final float eps;
    private final float momentum;
    private long batchesTracked;
    /** The convolution before this batch norm folded with it, for fused inference; null when none is kept. */
    private FoldedConvolution folded;

    public BatchNorm2d(int channels, float eps, float momentum) {
        if (channels < 1) {
            throw new IllegalArgumentException("BatchNorm2d: invalid channel count " + channels);
        }
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", Tensor.of(Init.constant(channels, 1f), channels));
        this.bias = registerParameter("bias", Tensor.of(Init.constant(channels, 0f), channels));
        registerBuffer(RUNNING_MEAN, Tensor.of(Init.constant(channels, 0f), channels));
        registerBuffer(RUNNING_VAR, Tensor.of(Init.constant(channels, 1f), channels));
        registerBuffer(NUM_BATCHES_TRACKED, Tensor.scalar(0f));
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1. */
    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Tensor runningMean() {
        return buffer(RUNNING_MEAN);
    }

    public Tensor runningVar() {
        return buffer(RUNNING_VAR);
    }

    public float eps() {
        return eps;
    }

    public long numBatchesTracked() {
        return batchesTracked;
    }

    /** The fold of conv and this batch norm as they are now (BatchNormFolding): the kept one, or a new one. */
    synchronized FoldedConvolution foldedWith(Conv2d conv) {
        if (folded == null || !folded.isFoldOf(conv, this)) {
            dropFold();
            folded = FoldedConvolution.of(conv, this);
        }
        return folded;
    }

    private synchronized void dropFold() {
        if (folded != null) {
            folded.close();
            folded = null;
        }
    }

    @Override
    public Variable forward(Variable x) {
        if (isTraining()) {
            dropFold(); // training changes what it was folded from; no copy of the weights meanwhile
        }
        Variable y = Functional.batchNorm(x, weight, bias, runningMean(), runningVar(), isTraining(), momentum, eps);
        if (isTraining()) {
            Ops.fillInPlace(buffer(NUM_BATCHES_TRACKED), ++batchesTracked);
        }
        return y;
    }

    @Override
    public void close() {
        dropFold();
        super.close();
    }

    @Override
    protected void onStateLoaded() {
        batchesTracked = (long) buffer(NUM_BATCHES_TRACKED).item();
        super.onStateLoaded();
    }
}
