package org.covidct.tensor.cpu;

import java.util.Arrays;
import java.util.function.Supplier;
import org.covidct.tensor.Storage;
import org.covidct.tensor.Tensor;

/**
 * The implicit GEMM's packed weights, made once for frozen convolution weights ({@link Tensor#freeze})
 * and kept with their storage, for inference with fixed weights: repacking them on every call costs
 * as much as a small layer's multiply. Weights that are not frozen are packed anew each call, into
 * the kernels' reused buffer, so training keeps no second copy of them. (Winograd's transformed
 * filters are not kept: 16/9 of the weights again, for a few percent of a VGG pass.)
 */
final class FrozenWeights {
    /** The implicit GEMM's A panels: the weights, and the bias as one more column when there is one. */
    private record PackedA(Storage bias, int depth, float[] panels) {
    }

    private FrozenWeights() {
    }

    /**
     * The A panels of {@code rows} output channels {@code depth} deep (weights, then the bias column
     * where bias is given): kept with w when w and the bias are frozen, else {@code pack}'s.
     */
    static float[] packedA(Tensor w, Tensor bias, int rows, int depth, Supplier<float[]> pack) {
        Storage ws = w.storage(), bs = bias == null ? null : bias.storage();
        if (!ws.isFrozen() || bs != null && !bs.isFrozen()) {
            return pack.get();
        }
        if (ws.derived() instanceof PackedA kept && kept.bias() == bs && kept.depth() == depth) {
            return kept.panels();
        }
        float[] panels = Arrays.copyOf(pack.get(), Math.ceilDiv(rows, Sgemm.MR) * Sgemm.MR * depth);
        ws.keepDerived(new PackedA(bs, depth, panels));
        return panels;
    }
}
