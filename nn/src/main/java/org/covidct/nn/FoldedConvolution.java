package org.covidct.nn;

import java.util.Arrays;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * A convolution and the batch norm after it folded into one frozen weight and bias (see
 * {@link BatchNormFolding}), with the tensors and versions they were folded from: the fold stands
 * until one of those is replaced or written. Frozen, the weights may also keep the backend's packed
 * form of them ({@link Tensor#freeze}), so that fused inference repacks nothing between passes.
 */
final class FoldedConvolution implements AutoCloseable {
    private final Tensor[] sources;
    private final long[] versions;
    private final Tensor weight;
    private final Tensor bias;

    private FoldedConvolution(Tensor[] sources, Tensor weight, Tensor bias) {
        this.sources = sources;
        this.versions = Arrays.stream(sources).mapToLong(t -> t == null ? 0 : t.version()).toArray();
        this.weight = weight.freeze();
        this.bias = bias.freeze();
    }

    /** Folds bn into conv: weights times gamma / sqrt(var + eps) per output channel, and the shifted bias. */
    static FoldedConvolution of(Conv2d conv, BatchNorm2d bn) {
        Tensor w = conv.weight().data(), gamma = bn.weight().data();
        int k = w.dim(0);
        try (Tensor zeros = Tensor.zeros(w.device(), k);
             Tensor byChannel = w.reshape(1, k, -1, 1);
             Tensor scaled = Ops.batchNormInference(byChannel, gamma, zeros, zeros, bn.runningVar(), bn.eps());
             Tensor convBias = (conv.bias() == null ? zeros : conv.bias().data()).reshape(1, k, 1, 1);
             Tensor shifted = Ops.batchNormInference(convBias, gamma, bn.bias().data(), bn.runningMean(),
                     bn.runningVar(), bn.eps())) {
            return new FoldedConvolution(sources(conv, bn), TensorScope.detach(scaled.reshape(w.dims())),
                    TensorScope.detach(shifted.reshape(k)));
        }
    }

    /** Whether this is the fold of conv and bn as they are now: the same tensors, none written since. */
    boolean isFoldOf(Conv2d conv, BatchNorm2d bn) {
        Tensor[] now = sources(conv, bn);
        for (int i = 0; i < now.length; i++) {
            if (now[i] != sources[i] || now[i] != null && (now[i].isClosed() || now[i].version() != versions[i])) {
                return false;
            }
        }
        return true;
    }

    Tensor weight() {
        return weight;
    }

    Tensor bias() {
        return bias;
    }

    @Override
    public void close() {
        weight.close();
        bias.close();
    }

    private static Tensor[] sources(Conv2d conv, BatchNorm2d bn) {
        return new Tensor[] {conv.weight().data(), conv.bias() == null ? null : conv.bias().data(), bn.weight().data(),
                bn.bias().data(), bn.runningMean(), bn.runningVar()};
    }
}
