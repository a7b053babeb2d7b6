package org.covidct.tensor;

/**
 * The kernels of one device. {@link Ops} validates shapes and devices, allocates the outputs and
 * then calls these methods, so an implementation may assume that every tensor is open, lives on
 * its device, and has the shape documented here (N batch, C input channels, K output channels).
 * Outputs are written, never accumulated into, unless the method says otherwise.
 */
public interface Backend {
    Device device();

    // ---- memory -------------------------------------------------------------------------------

    /** A zero-filled storage of {@code numel} floats. */
    Storage allocate(long numel);

    /**
     * Storage for an op's output, which its kernel overwrites entirely: the contents are
     * unspecified, so a backend may skip the zero-fill. {@link Ops} allocates every output so.
     */
    default Storage allocateOutput(long numel) {
        return allocate(numel);
    }

    /**
     * Waits until every op issued so far has finished, as timing needs; a backend that runs its
     * ops on the caller has nothing to wait for.
     */
    default void synchronize() {
    }

    /** A storage holding a copy of {@code host}. */
    Storage upload(float[] host);

    /** Copies all of {@code src} into {@code host}, whose length is {@code src.numel()}. */
    void download(Tensor src, float[] host);

    void fill(Tensor dst, float value);

    /** dst = src (same number of elements). */
    void copy(Tensor src, Tensor dst);

    // ---- elementwise (same shapes) --------------------------------------------------------------

    /** out = a + b. */
    void add(Tensor a, Tensor b, Tensor out);

    /** out = a * b. */
    void mul(Tensor a, Tensor b, Tensor out);

    /** out = alpha * a. */
    void scale(Tensor a, float alpha, Tensor out);

    /** y += alpha * x, in place: gradient accumulation. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** out = max(x, 0). */
    void relu(Tensor x, Tensor out);

    /** dx = dy where y > 0, else 0; {@code y} is the ReLU's output. */
    void reluBackward(Tensor y, Tensor dy, Tensor dx);

    /** out = min(max(x, min), max). */
    void clamp(Tensor x, float min, float max, Tensor out);

    /** dx = dy where {@code min < y < max}, else 0; {@code y} is the clamp's output. */
    void clampBackward(Tensor y, Tensor dy, float min, float max, Tensor dx);

    // ---- activations and elementwise functions (same shapes) ----------------------------------

    /** out = 1 / (1 + exp(-x)). */
    void sigmoid(Tensor x, Tensor out);

    /** dx = dy * (1 - y) * y; {@code y} is the sigmoid's output. */
    void sigmoidBackward(Tensor y, Tensor dy, Tensor dx);

    /** out = tanh(x). */
    void tanh(Tensor x, Tensor out);

    /** dx = dy * (1 - y * y); {@code y} is the tanh's output. */
    void tanhBackward(Tensor y, Tensor dy, Tensor dx);

    /** out = GELU(x) in the given form. */
    void gelu(Tensor x, GeluApproximation approximation, Tensor out);

    /** dx = dy * GELU'(x), from the input {@code x}. */
    void geluBackward(Tensor x, Tensor dy, GeluApproximation approximation, Tensor dx);

    /** out = exp(x); its gradient is dy * out, a {@link #mul}. */
    void exp(Tensor x, Tensor out);

    /** out = log(x): NaN below 0, -infinity at 0. */
    void log(Tensor x, Tensor out);

    /** dx = dy / x. */
    void logBackward(Tensor x, Tensor dy, Tensor dx);

    // ---- reductions ---------------------------------------------------------------------------

    /** out[0] = sum of all elements of x (rank-0 out). */
    void sum(Tensor x, Tensor out);

    /** out[c] = sum of x[n, c, ...] over every index but c: bias gradients of conv and linear. */
    void sumPerChannel(Tensor x, Tensor out);

    /** out[i] = first index of the maximum of row i of the 2-d x, as torch.argmax(dim=1). */
    void argmaxRows(Tensor x, int[] out);

    // ---- dense layers -------------------------------------------------------------------------

    /**
     * out = op(a) * op(b) for 2-d tensors, where op transposes when asked: a is [M, K] (or [K, M]
     * transposed), b is [K, N] (or [N, K]), out is [M, N].
     */
    void matmul(Tensor a, boolean transposeA, Tensor b, boolean transposeB, Tensor out);

    /** y = x W^T + bias, x [N, I], weight [O, I], bias [O] or null, y [N, O]. */
    void linear(Tensor x, Tensor weight, Tensor bias, Tensor y);

    // ---- convolution: x [N, C, H, W], weight [K, C/G, R, S], y [N, K, P, Q], G = spec.groups() ------

    /**
     * y = conv(x, weight) + bias; bias [K] or null. With G groups, output channel k reads only the
     * input channels of its group, [(k / (K/G)) * C/G, (k / (K/G) + 1) * C/G).
     */
    void conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec, Tensor y);

    /**
     * y = clamp(conv(x, weight) + bias, min, max): a convolution and the clamping activation after
     * it (ReLU is [0, inf], ReLU6 [0, 6]), which a backend may apply to each output as it makes it
     * instead of in a second pass over y. By default, the two passes.
     */
    default void conv2dClamped(Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec, float min, float max,
                               Tensor y) {
        conv2d(x, weight, bias, spec, y);
        clamp(y, min, max, y);
    }

    /** dx = gradient of the convolution with respect to its input. */
    void conv2dBackwardData(Tensor dy, Tensor weight, Conv2dSpec spec, Tensor dx);

    /** dw = gradient of the convolution with respect to its weight. */
    void conv2dBackwardWeight(Tensor dy, Tensor x, Conv2dSpec spec, Tensor dw);

    // ---- padding: x [N, C, H, W] ----------------------------------------------------------------

    /** y [N, C, H', W'] = zeros with x copied to rows [top, top + H) and columns [left, left + W). */
    void pad2d(Tensor x, int top, int left, Tensor y);

    /** dx [N, C, H, W] = the window of dy [N, C, H', W'] at rows from top and columns from left. */
    void pad2dBackward(Tensor dy, int top, int left, Tensor dx);

    // ---- batch normalisation: x and y [N, C, H, W], per-channel tensors [C] ------------------------

    /**
     * Normalises with the batch statistics (biased variance), writes their mean and 1/sqrt(var+eps)
     * to saveMean and saveInvStd, and updates the running estimates in place as PyTorch does:
     * running = (1 - momentum) * running + momentum * batch, with the unbiased variance.
     */
    void batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                           float momentum, float eps, Tensor y, Tensor saveMean, Tensor saveInvStd);

    /** Normalises with the running statistics. */
    void batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                            float eps, Tensor y);

    /**
     * Gradients of batch normalisation. {@code mean} and {@code invStd} are the statistics the
     * forward used: with {@code batchStatistics} they depend on x (training mode), otherwise they are
     * constants (eval mode, the running statistics).
     */
    void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor mean, Tensor invStd,
                           boolean batchStatistics, Tensor dx, Tensor dgamma, Tensor dbeta);

    // ---- pooling: x [N, C, H, W] ----------------------------------------------------------------

    /** Maximum of each window; padded cells never win. */
    void maxPool2d(Tensor x, Pool2dSpec spec, Tensor y);

    /**
     * Routes each dy to the first maximal element of its window, as PyTorch's indices do, found
     * again from x rather than from saved indices (cuDNN's convention).
     */
    void maxPool2dBackward(Tensor x, Tensor dy, Pool2dSpec spec, Tensor dx);

    /**
     * y [N, C, P, Q]: bin i covers rows [floor(i*H/P), ceil((i+1)*H/P)), likewise for columns;
     * bins overlap when the input is smaller than the output.
     */
    void adaptiveAvgPool2d(Tensor x, Tensor y);

    void adaptiveAvgPool2dBackward(Tensor dy, Tensor dx);

    /**
     * Average of each window over its kh * kw cells, padded cells counting as zeros
     * (count_include_pad=True).
     */
    void avgPool2d(Tensor x, Pool2dSpec spec, Tensor y);

    /** dx = each dy shared equally by the cells of its window (those in the padding are dropped). */
    void avgPool2dBackward(Tensor dy, Pool2dSpec spec, Tensor dx);

    // ---- layer normalisation: x viewed as [rows, size], weight and bias [size], statistics [rows] ----

    /**
     * Normalises each row by its mean and 1/sqrt(biased variance + eps), which it writes to mean and
     * invStd, then scales by weight and adds bias elementwise.
     */
    void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, Tensor mean, Tensor invStd);

    /** Gradients of layer normalisation, from the statistics its forward wrote. */
    void layerNormBackward(Tensor x, Tensor dy, Tensor weight, Tensor mean, Tensor invStd, Tensor dx,
                           Tensor dweight, Tensor dbias);

    // ---- dropout ------------------------------------------------------------------------------

    /**
     * Fills mask with 1/(1-p) (kept) or 0 (dropped, with probability p). Element i depends only on
     * (seed, i), through a counter-based generator, so every backend draws the same mask.
     */
    void dropoutMask(long seed, float p, Tensor mask);

    // ---- classification loss: logits [N, classes] ---------------------------------------------------

    /** probs = softmax of each row. */
    void softmax(Tensor logits, Tensor probs);

    /**
     * Mean cross-entropy of the rows against class indices: writes the row softmax to probs and the
     * loss to the rank-0 loss.
     */
    void crossEntropy(Tensor logits, int[] targets, Tensor probs, Tensor loss);

    /** dlogits = (probs - onehot(targets)) * gradScale. */
    void crossEntropyBackward(Tensor probs, int[] targets, float gradScale, Tensor dlogits);

    // ---- elementwise losses: input and target of the same shape, mean over every element -----------

    /**
     * loss[0] = mean of max(x, 0) - x * t + log(1 + exp(-|x|)), binary cross-entropy of
     * sigmoid(x) against t, in a form that cannot overflow.
     */
    void binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor loss);

    /** dlogits = (sigmoid(x) - t) * gradScale. */
    void binaryCrossEntropyWithLogitsBackward(Tensor logits, Tensor target, float gradScale, Tensor dlogits);

    /** loss[0] = mean of (x - t)^2. */
    void mseLoss(Tensor input, Tensor target, Tensor loss);

    /** dinput = (x - t) * (2 * gradScale). */
    void mseLossBackward(Tensor input, Tensor target, float gradScale, Tensor dinput);

    // ---- optimiser ----------------------------------------------------------------------------

    /**
     * One torch.optim.SGD update of a parameter, in place: g = grad + weightDecay * param; the
     * momentum buffer becomes g on the first step and momentum * buf + g after; param -= lr * buf.
     * With momentum 0 the buffer is unused (may be null) and param -= lr * g.
     */
    void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum,
                 float weightDecay, boolean firstStep);

    /**
     * {@link #sgdStep} of every parameter with the same hyperparameters: element t of each list
     * belongs together, and a momentum buffer may be null where {@link #sgdStep} allows it. A GPU
     * backend does this in one launch instead of one per tensor.
     */
    default void sgdStepAll(java.util.List<Tensor> params, java.util.List<Tensor> grads,
                            java.util.List<Tensor> momentumBuffers, float lr, float momentum, float weightDecay,
                            boolean firstStep) {
        for (int t = 0; t < params.size(); t++) {
            sgdStep(params.get(t), grads.get(t), momentumBuffers.get(t), lr, momentum, weightDecay, firstStep);
        }
    }
}
