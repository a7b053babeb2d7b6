package org.covidct.nn;

import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;

/**
 * Inference through a convolution and the batch norm after it as one convolution: with the running
 * statistics, batch norm is y = x * s + (beta - mean * s) per channel, s = gamma / sqrt(var + eps),
 * so it folds into the convolution's weights (each output channel's scaled by s) and bias. One pass
 * over the activations instead of two, and no intermediate tensor.
 *
 * <p>Only where nothing can tell the difference beyond rounding: no gradients, batch norm in eval
 * mode, no forward hook on either layer (a hook would miss the convolution's own output), and the
 * CPU, where the weights are folded in host memory (a device would copy them back every call).
 */
final class BatchNormFolding {
    private BatchNormFolding() {
    }

    static boolean applies(Conv2d conv, BatchNorm2d bn, Variable x) {
        return !GradMode.isEnabled() && !bn.isTraining() && !conv.hasForwardHooks() && !bn.hasForwardHooks()
                && x.data().device() == Device.CPU && conv.weight().data().device() == Device.CPU;
    }

    static Variable forward(Conv2d conv, BatchNorm2d bn, Variable x) {
        float[] w = conv.weight().data().toArray();
        float[] gamma = bn.weight().data().toArray(), beta = bn.bias().data().toArray();
        float[] mean = bn.runningMean().toArray(), var = bn.runningVar().toArray();
        float[] convBias = conv.bias() == null ? null : conv.bias().data().toArray();
        int channels = gamma.length, perChannel = w.length / channels;
        float[] bias = new float[channels];
        for (int k = 0; k < channels; k++) {
            double s = gamma[k] / Math.sqrt((double) var[k] + bn.eps());
            bias[k] = (float) (beta[k] + ((convBias == null ? 0 : convBias[k]) - (double) mean[k]) * s);
            for (int j = k * perChannel; j < (k + 1) * perChannel; j++) {
                w[j] = (float) (w[j] * s);
            }
        }
        try (Tensor folded = Tensor.of(w, conv.weight().shape().dims()); Tensor b = Tensor.of(bias, channels)) {
            return conv.convolve(x, Variable.constant(folded), Variable.constant(b));
        }
    }
}
