package org.covidct.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.covidct.app.train.ScoresCsv;
import org.covidct.nn.Generator;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.data.image.ImageDecoder;
import org.covidct.nn.data.image.RgbImage;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.io.tflite.TfliteMobileNetV2;
import org.covidct.nn.models.MobileNetV2;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * {@code predict --imagenet}: a TFLite ImageNet MobileNetV2 with its own head, its own input
 * quantization and the labels in imagenet_labels.txt beside the file; prints the top five classes
 * of each image as CSV {@code path,rank,label,probability}.
 */
final class ImageNetPredict {
    static final String LABELS = "imagenet_labels.txt";
    private static final int TOP = 5;

    private ImageNetPredict() {
    }

    static void run(Path weights, int imageSize, List<Path> images, Device device, PrintWriter out)
            throws IOException {
        Path labelFile = weights.toAbsolutePath().resolveSibling(LABELS);
        if (!Files.isRegularFile(labelFile)) {
            throw new IOException(labelFile + ": no such label file (predict --imagenet reads the labels beside "
                    + "the weights)");
        }
        List<String> labels = Files.readAllLines(labelFile);
        float[][] inputs = new float[images.size()][];
        for (int i = 0; i < images.size(); i++) { // every image is checked before the model is loaded
            inputs[i] = Transforms.eval(imageSize).transform(decode(images.get(i)), null);
        }
        try (TfliteMobileNetV2.Weights w = TfliteMobileNetV2.read(weights);
             MobileNetV2 net = new MobileNetV2(w.numClasses(), MobileNetV2.Variant.TENSORFLOW, new Generator(0));
             GradMode.Guard noGrad = GradMode.noGrad()) {
            if (labels.size() != w.numClasses()) {
                throw new WeightFileException(weights + ": " + w.numClasses() + " classes but " + labels.size()
                        + " labels in " + labelFile);
            }
            net.loadStateDict(w.stateDict(), true);
            float[] scaling = w.unitRangeScaling();
            net.setInputScaling(scaling[0], scaling[1]);
            net.to(device).eval();
            out.println("path,rank,label,probability");
            for (int i = 0; i < images.size(); i++) {
                try (TensorScope scope = TensorScope.open()) {
                    Tensor x = Tensor.of(device, inputs[i], 1, 3, imageSize, imageSize);
                    float[] p = Ops.softmax(net.forward(Variable.constant(x)).data()).toArray();
                    Integer[] order = new Integer[p.length];
                    Arrays.setAll(order, k -> k);
                    Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
                    for (int rank = 0; rank < Math.min(TOP, p.length); rank++) {
                        out.printf(Locale.ROOT, "%s,%d,%s,%.6f%n", ScoresCsv.quote(images.get(i).toString()), rank + 1,
                                ScoresCsv.quote(labels.get(order[rank])), p[order[rank]]);
                    }
                }
            }
        }
        out.flush();
    }

    /** PNG or JPEG, or a headerless square of RGB bytes named *.rgb (as the ImageNet sample images come). */
    private static RgbImage decode(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".rgb")) {
            return ImageDecoder.decodeRgb(file);
        }
        byte[] px = Files.readAllBytes(file);
        int side = (int) Math.round(Math.sqrt(px.length / 3.0));
        if (side < 1 || 3 * side * side != px.length) {
            throw new IOException(file + ": " + px.length + " bytes are not a square of RGB pixels");
        }
        return new RgbImage(side, side, px);
    }
}
