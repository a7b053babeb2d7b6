package org.covidct.nn.io.tflite;

/**
 * One operator of a TFLite subgraph: its builtin code, input and output tensor indices (-1 for an
 * absent optional input) and, for convolutions, their options.
 */
public record TfliteOperator(int builtinCode, int[] inputs, int[] outputs, ConvOptions conv) {
    public static final int ADD = 0;
    public static final int AVERAGE_POOL_2D = 1;
    public static final int CONV_2D = 3;
    public static final int DEPTHWISE_CONV_2D = 4;
    public static final int RESHAPE = 22;
    public static final int SOFTMAX = 25;
    public static final int MEAN = 40;
    public static final int QUANTIZE = 114;

    /** Padding.SAME and ActivationFunctionType.RELU6 in the schema. */
    public static final int PADDING_SAME = 0;
    public static final int ACTIVATION_NONE = 0;
    public static final int ACTIVATION_RELU6 = 3;

    /** Conv2DOptions or DepthwiseConv2DOptions (depthMultiplier 0 for a plain convolution). */
    public record ConvOptions(int padding, int strideW, int strideH, int activation, int dilationW, int dilationH,
                              int depthMultiplier) {
    }

    /** A copy: operators that refer to the same vector in the file share one array. */
    @Override
    public int[] inputs() {
        return inputs.clone();
    }

    /** A copy, as {@link #inputs()} is. */
    @Override
    public int[] outputs() {
        return outputs.clone();
    }

    public boolean isConvolution() {
        return builtinCode == CONV_2D || builtinCode == DEPTHWISE_CONV_2D;
    }
}
