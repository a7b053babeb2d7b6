package org.covidct.nn;

import java.util.Arrays;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Tensor;

/**
 * nn.LayerNorm(normalized_shape, eps) with elementwise affine weight (1 at the start) and bias (0),
 * both of normalized_shape: normalises over the input's trailing dimensions, which must be
 * normalized_shape. elementwise_affine=False is not supported (it equals weight 1 and bias 0 frozen).
 */
public final class LayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final float eps;

    public LayerNorm(int[] normalizedShape, float eps) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("LayerNorm: invalid normalized shape " + Arrays.toString(normalizedShape));
        }
        int size = Arrays.stream(normalizedShape).reduce(1, Math::multiplyExact);
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.of(Init.constant(size, 1f), normalizedShape));
        this.bias = registerParameter("bias", Tensor.of(Init.constant(size, 0f), normalizedShape));
    }

    /** PyTorch's default eps, 1e-5. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.layerNorm(x, weight, bias, eps);
    }
}
