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
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    /** PyTorch keeps this as an int64 buffer; here it is a rank-0 float mirror of a long counter. */
    private final Tensor numBatchesTracked;
    private final float eps;
    private final float momentum;
    private long batchesTracked;

    public BatchNorm2d(int channels, float eps, float momentum) {
        if (channels < 1) {
            throw new IllegalArgumentException("BatchNorm2d: invalid channel count " + channels);
        }
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", Tensor.of(Init.constant(channels, 1f), channels));
        this.bias = registerParameter("bias", Tensor.of(Init.constant(channels, 0f), channels));
        this.runningMean = registerBuffer("running_mean", Tensor.of(Init.constant(channels, 0f), channels));
        this.runningVar = registerBuffer("running_var", Tensor.of(Init.constant(channels, 1f), channels));
        this.numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.scalar(0f));
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
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    public long numBatchesTracked() {
        return batchesTracked;
    }

    @Override
    public Variable forward(Variable x) {
        Variable y = Functional.batchNorm(x, weight, bias, runningMean, runningVar, isTraining(), momentum, eps);
        if (isTraining()) {
            Ops.fillInPlace(numBatchesTracked, ++batchesTracked);
        }
        return y;
    }

    @Override
    protected void onStateLoaded() {
        batchesTracked = (long) numBatchesTracked.item();
        super.onStateLoaded();
    }
}
