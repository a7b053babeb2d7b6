package org.covidct.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.covidct.nn.BatchNorm2d;
import org.covidct.nn.Conv2d;
import org.covidct.nn.Dropout;
import org.covidct.nn.Generator;
import org.covidct.nn.Init;
import org.covidct.nn.Linear;
import org.covidct.nn.MaxPool2d;
import org.covidct.nn.Parameter;
import org.covidct.nn.ReLU;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.junit.jupiter.api.Test;

class VggTest {
    private static List<String> lines(String resource) {
        try (InputStream in = VggTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(resource + " not found; run scripts/golden/make_weight_fixtures.py");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** torchvision's architectures: "name count countWithTwoClassHead cfg". */
    private static List<String[]> torchvisionArchitectures() {
        return lines("/weights/vgg_architectures.txt").stream().map(l -> l.split(" ")).toList();
    }

    private static long parameterCount(Vgg model) {
        long n = 0;
        for (Parameter p : model.parameters()) {
            n += p.data().numel();
        }
        return n;
    }

    @Test
    void vgg19BnHasTorchvisionsKeysShapesAndParameterCounts() {
        try (Vgg model = Vgg.create("vgg19_bn", 1000, new Generator(7))) {
            List<String> actual = new ArrayList<>();
            model.stateDict().forEach((k, v) -> actual.add(k + " " + v.shape()));
            assertEquals(lines("/weights/vgg19_bn_keys.txt"), actual);
            assertEquals(143_678_248L, parameterCount(model));
            assertEquals(torchvisionArchitectures().getLast()[1], Long.toString(parameterCount(model)));

            model.replaceHead(2, new Generator(8));
            assertEquals(139_589_442L, parameterCount(model));
            assertEquals(2, model.numClasses());
            assertArrayEquals(new int[] {2, 4096}, model.stateDict().get("classifier.6.weight").dims());
        }
    }

    @Test
    void everyArchitectureHasTorchvisionsConfigurationAndParameterCount() {
        List<String[]> archs = torchvisionArchitectures();
        assertEquals(archs.stream().map(a -> a[0]).toList(), Vgg.architectures());
        for (String[] a : archs) {
            int[] config = Vgg.config(a[0]);
            String cfg = String.join(",", Arrays.stream(config).mapToObj(v -> v == Vgg.M ? "M" : Integer.toString(v))
                    .toList());
            assertEquals(a[3], cfg, a[0]);
            // Building each full-size model takes seconds; the count follows from the layer shapes,
            // which the vgg19_bn test checks against torchvision's for the builder itself.
            long features = 0;
            int in = 3;
            for (int v : config) {
                if (v != Vgg.M) {
                    features += (long) in * v * 9 + v + (a[0].endsWith("_bn") ? 2L * v : 0);
                    in = v;
                }
            }
            long hidden = 512L * 49 * 4096 + 4096 + 4096L * 4096 + 4096;
            assertEquals(Long.parseLong(a[1]), features + hidden + 4096L * 1000 + 1000, a[0]);
            assertEquals(Long.parseLong(a[2]), features + hidden + 4096L * 2 + 2, a[0]);
        }
    }

    @Test
    void unknownArchitectureListsTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vgg.create("vgg20", 2, new Generator(0)));
        assertTrue(e.getMessage().contains("'vgg20'") && e.getMessage().contains(
                "vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Vgg(new int[] {Vgg.M}, false, 4, 2, new Generator(0)));
        assertThrows(IllegalArgumentException.class, () -> new Vgg(new int[] {4, -2}, false, 4, 2, new Generator(0)));
        assertThrows(IllegalArgumentException.class, () -> new Vgg(new int[] {4}, false, 4, 0, new Generator(0)));
    }

    @Test
    void layoutFollowsMakeLayers() {
        try (Vgg model = new Vgg(new int[] {4, Vgg.M, 8, 8, Vgg.M}, true, 16, 3, new Generator(2))) {
            List<Class<?>> expected = List.of(Conv2d.class, BatchNorm2d.class, ReLU.class, MaxPool2d.class,
                    Conv2d.class, BatchNorm2d.class, ReLU.class, Conv2d.class, BatchNorm2d.class, ReLU.class,
                    MaxPool2d.class);
            assertEquals(expected, model.features().children().values().stream().map(Object::getClass).toList());
            assertEquals(List.of(Linear.class, ReLU.class, Dropout.class, Linear.class, ReLU.class, Dropout.class,
                    Linear.class), model.classifier().children().values().stream().map(Object::getClass).toList());
            assertEquals(List.of("features", "avgpool", "classifier"), List.copyOf(model.children().keySet()));
            assertArrayEquals(new int[] {16, 8 * 7 * 7}, model.stateDict().get("classifier.0.weight").dims());
            assertEquals(16, model.hiddenWidth());
            assertEquals(3, model.numClasses());
        }
    }

    private static double[] meanAndStd(float[] v) {
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / v.length;
        return new double[] {mean, Math.sqrt(sq / v.length - mean * mean)};
    }

    @Test
    void initialisedLikeTorchvisionsInitWeights() {
        try (Vgg model = new Vgg(new int[] {64, Vgg.M, 128, Vgg.M}, true, 512, 10, new Generator(5))) {
            Map<String, Tensor> s = model.stateDict();
            double[] conv = meanAndStd(s.get("features.4.weight").toArray());
            double expectedStd = Math.sqrt(2.0 / (128 * 9));
            assertEquals(0, conv[0], 0.02 * expectedStd);
            assertEquals(expectedStd, conv[1], 0.02 * expectedStd);
            double[] linear = meanAndStd(s.get("classifier.0.weight").toArray());
            assertEquals(0, linear[0], 2e-4);
            assertEquals(0.01, linear[1], 2e-4);
            for (String zero : List.of("features.0.bias", "features.1.bias", "classifier.0.bias", "classifier.6.bias")) {
                assertArrayEquals(new float[s.get(zero).toArray().length], s.get(zero).toArray(), zero);
            }
            float[] gamma = s.get("features.1.weight").toArray();
            for (float g : gamma) {
                assertEquals(1f, g);
            }
        }
        try (Vgg a = new Vgg(new int[] {4, Vgg.M}, false, 8, 2, new Generator(9));
             Vgg b = new Vgg(new int[] {4, Vgg.M}, false, 8, 2, new Generator(9))) {
            a.stateDict().forEach((k, v) -> assertArrayEquals(v.toArray(), b.stateDict().get(k).toArray(), k));
        }
    }

    @Test
    void replaceHeadIsTheTutorialsTransferStep() {
        try (TensorScope scope = TensorScope.open();
             Vgg model = new Vgg(new int[] {4, Vgg.M, 8, Vgg.M}, true, 16, 1000, new Generator(3))) {
            float[] hidden = model.stateDict().get("classifier.3.weight").toArray();
            model.eval();
            model.replaceHead(2, new Generator(4));
            assertEquals(2, model.numClasses());
            assertInstanceOf(Linear.class, model.classifier().get(6));
            assertTrue(!model.classifier().get(6).isTraining(), "the new head follows the model's mode");
            assertArrayEquals(hidden, model.stateDict().get("classifier.3.weight").toArray());
            // nn.Linear's default init: U(-1/sqrt(16), 1/sqrt(16)).
            for (float w : model.stateDict().get("classifier.6.weight").toArray()) {
                assertTrue(Math.abs(w) <= 0.25f, "weight " + w);
            }
            try (GradMode.Guard g = GradMode.noGrad()) {
                Variable y = model.forward(Variable.constant(Tensor.full(Device.CPU, 0.5f, 2, 3, 32, 32)));
                assertArrayEquals(new int[] {2, 2}, y.data().dims());
            }
        }
    }
}
