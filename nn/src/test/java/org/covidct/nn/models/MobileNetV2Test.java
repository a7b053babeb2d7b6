package org.covidct.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Conv2d;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.Parameter;
import org.covidct.nn.autograd.Functional;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class MobileNetV2Test {
    private static List<String> torchvisionKeys() throws IOException {
        try (InputStream in = MobileNetV2Test.class.getResourceAsStream("/weights/mobilenet_v2_keys.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static List<String> keys(Module model) {
        List<String> out = new ArrayList<>();
        model.stateDict().forEach((name, t) -> out.add(name + " " + Arrays.toString(t.dims())));
        return out;
    }

    @Test
    void stateDictIsTorchvisions() throws IOException {
        try (MobileNetV2 model = new MobileNetV2(1000, MobileNetV2.Variant.TORCHVISION, new Generator(0))) {
            assertEquals(torchvisionKeys(), keys(model));
            long params = model.parameters().stream().mapToLong(p -> p.data().numel()).sum();
            assertEquals(3_504_872, params, "torchvision's num_params");
        }
    }

    @Test
    void foldedVariantHasConvBiasesInsteadOfBatchNorm() throws IOException {
        List<String> torchvision = torchvisionKeys();
        long batchNorms = torchvision.stream().filter(l -> l.contains("running_mean")).count();
        try (MobileNetV2 model = new MobileNetV2(1000, MobileNetV2.Variant.TENSORFLOW, new Generator(0))) {
            List<String> names = new ArrayList<>(model.stateDict().keySet());
            assertTrue(names.contains("features.0.0.bias") && names.contains("features.1.conv.1.bias")
                    && names.contains("features.2.conv.2.bias") && names.contains("classifier.1.weight"), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.contains("running")), names.toString());
            // A BatchNorm's five entries (weight, bias, 3 buffers) become its convolution's bias.
            assertEquals(torchvision.size() - 4 * batchNorms, names.size());
            assertEquals(52, batchNorms);
            assertEquals(3_504_872 - 17_056, model.parameters().stream().mapToLong(p -> p.data().numel()).sum(),
                    "the 17,056 BatchNorm channels keep one value each instead of two");
        }
    }

    @Test
    void outputShapeAndHeadReplacement() {
        try (MobileNetV2 model = new MobileNetV2(10, MobileNetV2.Variant.TORCHVISION, new Generator(0));
             TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
            model.eval();
            Tensor x = Tensor.of(new float[2 * 3 * 32 * 32], 2, 3, 32, 32);
            assertArrayEquals(new int[] {2, 10}, model.forward(Variable.constant(x)).data().dims());
            model.replaceHead(2, new Generator(1));
            assertEquals(2, model.numClasses());
            assertArrayEquals(new int[] {2, 2}, model.forward(Variable.constant(x)).data().dims());
        }
    }

    @Test
    void residualBlocksAreTorchvisions() {
        try (MobileNetV2 model = new MobileNetV2(2, MobileNetV2.Variant.TORCHVISION, new Generator(0))) {
            List<Integer> residual = new ArrayList<>();
            for (int i = 1; i <= 17; i++) {
                if (((InvertedResidual) model.features().get(i)).isResidual()) {
                    residual.add(i);
                }
            }
            assertEquals(List.of(3, 5, 6, 8, 9, 10, 12, 13, 15, 16), residual);
        }
    }

    /** TensorFlow's SAME: stride 2 on an even side pads 0 before and 1 after; on an odd side 1 and 1. */
    @Test
    void tfSamePaddingIsAsymmetricAtStrideTwo() {
        try (TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Generator gen = new Generator(3);
            Conv2d same = Conv2d.tfSame(2, 3, 3, 2, 1, true, gen);
            for (int side : new int[] {8, 7}) {
                float[] x = new float[2 * side * side];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) Math.sin(i * 0.37);
                }
                Tensor input = Tensor.of(x, 1, 2, side, side);
                Tensor y = same.forward(Variable.constant(input)).data();
                int out = (side + 1) / 2;
                assertArrayEquals(new int[] {1, 3, out, out}, y.dims());
                int before = side % 2 == 0 ? 0 : 1, after = 1;
                Tensor padded = Functional.pad2d(Variable.constant(input), before, after, before, after).data();
                Tensor expected = Functional.conv2d(Variable.constant(padded), same.weight(), same.bias(),
                        Conv2dSpec.of(2, 0)).data();
                TensorAssert.assertClose("SAME on side " + side, expected, y);
            }
        }
    }

    @Test
    void inputScalingMapsUnitRangeToPlusMinusOne() {
        try (MobileNetV2 model = new MobileNetV2(4, MobileNetV2.Variant.TENSORFLOW, new Generator(0));
             TensorScope scope = TensorScope.open(); GradMode.Guard g = GradMode.noGrad()) {
            model.eval();
            float[] pixels = new float[3 * 32 * 32];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (i % 256) / 255f;
            }
            float[] scaled = pixels.clone();
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] = 2f * scaled[i] - 1f;
            }
            Tensor direct = model.forward(Variable.constant(Tensor.of(scaled, 1, 3, 32, 32))).data();
            model.setInputScaling(2f, -1f);
            Tensor viaScaling = model.forward(Variable.constant(Tensor.of(pixels, 1, 3, 32, 32))).data();
            TensorAssert.assertClose("input scaling", direct, viaScaling);
        }
    }

    @Test
    void trainingStepRunsInBothVariants() {
        for (MobileNetV2.Variant v : MobileNetV2.Variant.values()) {
            try (MobileNetV2 model = new MobileNetV2(2, 8, MobileNetV2GoldenTest.SETTING, 0.2f, v, new Generator(0));
                 TensorScope scope = TensorScope.open()) {
                model.train();
                float[] x = new float[4 * 3 * 16 * 16];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) Math.cos(i * 0.11);
                }
                Functional.crossEntropy(model.forward(Variable.constant(Tensor.of(x, 4, 3, 16, 16))),
                        new int[] {0, 1, 1, 0}).backward();
                for (Map.Entry<String, Parameter> p : model.namedParameters().entrySet()) {
                    assertTrue(p.getValue().grad() != null, v + ": no gradient for " + p.getKey());
                }
            }
        }
    }
}
