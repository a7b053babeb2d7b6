package org.covidct.nn;

import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;

/**
 * Inference through a convolution and the batch norm after it as one convolution. With running
 * statistics, batch norm is y = (x - mean) * s + beta per channel, s = gamma / sqrt(var + eps), so
 * it folds into the convolution: each output channel's weights times s (batch norm itself, with
 * zero mean and zero shift, applied to the weights seen as [1, K, C*R*S, 1]) and the bias
 * (b - mean) * s + beta (batch norm applied to the convolution's bias, or to zero). One pass over
 * the activations instead of two, and no intermediate tensor. The batch norm keeps the folded
 * weights ({@link FoldedConvolution}) until a training pass, or until one of the tensors they were
 * folded from is replaced or written; a pass that changes the weights while another thread runs
 * the fused model races with it, as any change of weights during inference would.
 *
 * <p>A Sequential folds only after {@link Sequential#fuseForInference}, and then only where nothing
 * can tell the difference beyond rounding: no gradients, batch norm in eval mode, and no forward
 * hook on either layer (a hook would miss the convolution's own output). On the CPU only: cuDNN
 * runs batch norm as one launch already, and no GPU run has checked the fold.
 */
final class BatchNormFolding {
    private BatchNormFolding() {
    }

    static boolean applies(Conv2d conv, BatchNorm2d bn, Variable x) {
        return !GradMode.isEnabled() && !bn.isTraining() && !conv.hasForwardHooks() && !bn.hasForwardHooks()
                && x.data().device() == Device.CPU && conv.weight().data().device() == Device.CPU;
    }

    static Variable forward(Conv2d conv, BatchNorm2d bn, Variable x) {
        return forward(conv, bn, x, null);
    }

    /** As above, clamped by the activation after the batch norm in the same call where clamp is given. */
    static Variable forward(Conv2d conv, BatchNorm2d bn, Variable x, Clamp clamp) {
        FoldedConvolution folded = bn.foldedWith(conv);
        return conv.convolve(x, Variable.constant(folded.weight()), Variable.constant(folded.bias()), clamp);
    }
}
