package org.covidct.tensor.cuda;

/**
 * The kernels of the cuda-kernels module that the backend launches, by PTX family (file) and
 * function name. Their C signatures, in the cuda-kernels module's .cu sources, are the ABI that the
 * launch sites in {@link CudaBackend} follow argument by argument.
 */
enum Kernel {
    ADD("elementwise", "add"),
    MUL("elementwise", "mul"),
    SCALE("elementwise", "scale"),
    AXPY("elementwise", "axpy"),
    RELU("elementwise", "relu"),
    RELU_BACKWARD("elementwise", "relu_backward"),
    CLAMP("elementwise", "clamp"),
    CLAMP_BACKWARD("elementwise", "clamp_backward"),
    ADD_BIAS_ROWS("elementwise", "add_bias_rows"),
    ADD_BIAS_CHANNELS("elementwise", "add_bias_channels"),

    SUM_PARTIALS("reduce", "sum_partials"),
    SUM_FINAL("reduce", "sum_final"),
    SUM_PER_CHANNEL("reduce", "sum_per_channel"),
    ARGMAX_ROWS("reduce", "argmax_rows"),

    MAX_POOL2D("pool", "max_pool2d"),
    MAX_POOL2D_BACKWARD("pool", "max_pool2d_backward"),
    ADAPTIVE_AVG_POOL2D("pool", "adaptive_avg_pool2d"),
    ADAPTIVE_AVG_POOL2D_BACKWARD("pool", "adaptive_avg_pool2d_backward"),
    PAD2D("pool", "pad2d"),
    PAD2D_BACKWARD("pool", "pad2d_backward"),

    BATCH_NORM_FROZEN_BACKWARD("batchnorm", "batch_norm_frozen_backward"),
    BATCH_NORM_FROZEN_PARAM_GRADS("batchnorm", "batch_norm_frozen_param_grads"),

    DROPOUT_MASK("dropout", "dropout_mask"),

    SOFTMAX_ROWS("loss", "softmax_rows"),
    CROSS_ENTROPY("loss", "cross_entropy"),
    CROSS_ENTROPY_BACKWARD("loss", "cross_entropy_backward"),

    SGD_MOMENTUM_MULTI("sgd", "sgd_momentum_multi");

    private final String family;
    private final String function;

    Kernel(String family, String function) {
        this.family = family;
        this.function = function;
    }

    /** The PTX file (without extension) that holds the kernel. */
    String family() {
        return family;
    }

    /** The kernel's extern "C" name. */
    String function() {
        return function;
    }
}
