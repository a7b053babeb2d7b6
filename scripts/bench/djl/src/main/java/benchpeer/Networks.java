package benchpeer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/**
 * torchvision's vgg19_bn and mobilenet_v2, layer for layer, composed from DJL blocks, each with a
 * 2-class last layer as in torch_train_step.py.
 */
final class Networks {
    /** torchvision's configuration "E": channels per 3x3 convolution, 0 for a 2x2 max pool. */
    private static final int[] VGG19 = {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0,
            512, 512, 512, 512, 0, 512, 512, 512, 512, 0};

    /** torchvision's inverted residual settings: expansion t, channels c, repeats n, first stride s. */
    private static final int[][] MOBILENET_V2 = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2},
            {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private Networks() {}

    static Block build(String arch, int classes) {
        return switch (arch) {
            case "vgg19_bn" -> vgg19Bn(classes);
            case "mobilenet_v2" -> mobilenetV2(classes);
            default -> throw new IllegalArgumentException("--arch " + arch + ": expected vgg19_bn or mobilenet_v2");
        };
    }

    static Block vgg19Bn(int classes) {
        SequentialBlock net = new SequentialBlock();
        for (int channels : VGG19) {
            if (channels == 0) {
                net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            } else {
                net.add(conv(channels, 3, 1, 1, true)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
            }
        }
        return net.add(adaptiveAvgPool(7))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(4096).build()).add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.5f).build())
                .add(Linear.builder().setUnits(4096).build()).add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.5f).build())
                .add(Linear.builder().setUnits(classes).build());
    }

    static Block mobilenetV2(int classes) {
        SequentialBlock net = new SequentialBlock().add(convBnRelu6(32, 3, 2, 1));
        int in = 32;
        for (int[] stage : MOBILENET_V2) {
            for (int i = 0; i < stage[2]; i++) {
                net.add(invertedResidual(in, stage[1], i == 0 ? stage[3] : 1, stage[0]));
                in = stage[1];
            }
        }
        return net.add(convBnRelu6(1280, 1, 1, 1))
                .add(Pool.globalAvgPool2dBlock())
                .add(Dropout.builder().optRate(0.2f).build())
                .add(Linear.builder().setUnits(classes).build());
    }

    /**
     * DJL has no AdaptiveAvgPool2d block, so this calls libtorch's own adaptive_avg_pool2d (autograd
     * included) through DJL's public JNI binding: at 224 the 7x7 features pass unchanged, at 112 the
     * 3x3 features are spread over 7x7 exactly as torchvision's model does.
     */
    private static Block adaptiveAvgPool(int side) {
        return new LambdaBlock(x -> new NDList(JniUtils.adaptiveAvgPool((PtNDArray) x.singletonOrThrow(),
                new Shape(side, side))), "adaptiveAvgPool2d");
    }

    private static Block invertedResidual(int in, int out, int stride, int expansion) {
        int hidden = in * expansion;
        SequentialBlock branch = new SequentialBlock();
        if (expansion != 1) {
            branch.add(convBnRelu6(hidden, 1, 1, 1));
        }
        branch.add(convBnRelu6(hidden, 3, stride, hidden))
                .add(conv(out, 1, 1, 1, false)).add(BatchNorm.builder().build());
        if (stride != 1 || in != out) {
            return branch;
        }
        return new ParallelBlock(
                sums -> new NDList(sums.get(0).singletonOrThrow().add(sums.get(1).singletonOrThrow())),
                List.of(branch, Blocks.identityBlock()));
    }

    private static Block convBnRelu6(int out, int kernel, int stride, int groups) {
        return new SequentialBlock().add(conv(out, kernel, stride, groups, false))
                .add(BatchNorm.builder().build()).add(Activation.relu6Block());
    }

    private static Block conv(int out, int kernel, int stride, int groups, boolean bias) {
        return Conv2d.builder().setFilters(out).setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2))
                .optGroups(groups).optBias(bias).build();
    }
}
