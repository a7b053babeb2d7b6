package org.covidct.tensor.cuda;

/**
 * The kernels of the cuda-kernels module that the backend launches, by PTX family (file) and
 * function name. Their C signatures, in the cuda-kernels module's .cu sources, are the ABI that the
 * launch sites in {@link CudaBackend} follow argument by argument. The sources are the one list of
 * kernels: KernelPtxTest holds this enum to their PTX entry for entry.
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

    SIGMOID("activation", "sigmoid"),
    SIGMOID_BACKWARD("activation", "sigmoid_backward"),
    TANH("activation", "tanh_forward"),
    TANH_BACKWARD("activation", "tanh_backward"),
    GELU_EXACT("activation", "gelu_exact"),
    GELU_EXACT_BACKWARD("activation", "gelu_exact_backward"),
    GELU_TANH("activation", "gelu_tanh"),
    GELU_TANH_BACKWARD("activation", "gelu_tanh_backward"),
    EXP("activation", "exp_forward"),
    LOG("activation", "log_forward"),
    LOG_BACKWARD("activation", "log_backward"),

    SUM_PARTIALS("reduce", "sum_partials"),
    SUM_FINAL("reduce", "sum_final"),
    SUM_PER_CHANNEL("reduce", "sum_per_channel"),
    ARGMAX_ROWS("reduce", "argmax_rows"),

    MAX_POOL2D("pool", "max_pool2d"),
    MAX_POOL2D_BACKWARD("pool", "max_pool2d_backward"),
    ADAPTIVE_AVG_POOL2D("pool", "adaptive_avg_pool2d"),
    ADAPTIVE_AVG_POOL2D_BACKWARD("pool", "adaptive_avg_pool2d_backward"),
    AVG_POOL2D("pool", "avg_pool2d"),
    AVG_POOL2D_BACKWARD("pool", "avg_pool2d_backward"),
    PAD2D("pool", "pad2d"),
    PAD2D_BACKWARD("pool", "pad2d_backward"),

    BATCH_NORM_FROZEN_BACKWARD("batchnorm", "batch_norm_frozen_backward"),
    BATCH_NORM_FROZEN_PARAM_GRADS("batchnorm", "batch_norm_frozen_param_grads"),

    LAYER_NORM("layernorm", "layer_norm"),
    LAYER_NORM_BACKWARD_DATA("layernorm", "layer_norm_backward_data"),
    LAYER_NORM_BACKWARD_PARAMS("layernorm", "layer_norm_backward_params"),

    DROPOUT_MASK("dropout", "dropout_mask"),

    SOFTMAX_ROWS("loss", "softmax_rows"),
    CROSS_ENTROPY("loss", "cross_entropy"),
    CROSS_ENTROPY_BACKWARD("loss", "cross_entropy_backward"),
    BINARY_CROSS_ENTROPY_WITH_LOGITS_PARTIALS("loss", "binary_cross_entropy_with_logits_partials"),
    BINARY_CROSS_ENTROPY_WITH_LOGITS_BACKWARD("loss", "binary_cross_entropy_with_logits_backward"),
    MSE_LOSS_PARTIALS("loss", "mse_loss_partials"),
    MSE_LOSS_BACKWARD("loss", "mse_loss_backward"),
    MEAN_OF_PARTIALS("loss", "mean_of_partials"),

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
