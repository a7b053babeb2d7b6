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
import org.covidct.nn.data.image.ImageTransform;
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
 * of each image as CSV {@code path,rank,label,probability}, a batch of images at a time.
 */
final class ImageNetPredict {
    static final String LABELS = "imagenet_labels.txt";
    private static final int TOP = 5;

    private ImageNetPredict() {
    }

    /** Prints the top five classes of each image, {@code batchSize} images per forward pass, each batch as it is done. */
    static void run(Path weights, int imageSize, List<Path> images, int batchSize, Device device, PrintWriter out)
            throws IOException {
        Path labelFile = weights.toAbsolutePath().resolveSibling(LABELS);
        if (!Files.isRegularFile(labelFile)) {
            throw new IOException(labelFile + ": no such label file (predict --imagenet reads the labels beside "
                    + "the weights)");
        }
        List<String> labels = Files.readAllLines(labelFile);
        ImageTransform transform = Transforms.eval(imageSize);
        int pixels = 3 * imageSize * imageSize;
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
            for (int start = 0; start < images.size(); start += batchSize) {
                List<Path> batch = images.subList(start, Math.min(images.size(), start + batchSize));
                float[] input = new float[batch.size() * pixels];
                for (int i = 0; i < batch.size(); i++) {
                    transform.apply(transform.prepare(decode(batch.get(i))), null, input, i * pixels);
                }
                try (TensorScope scope = TensorScope.open()) {
                    Tensor x = Tensor.of(device, input, batch.size(), 3, imageSize, imageSize);
                    float[] p = Ops.softmax(net.forward(Variable.constant(x)).data()).toArray();
                    for (int i = 0; i < batch.size(); i++) {
                        printTopFive(batch.get(i), p, i * labels.size(), labels, out);
                    }
                }
                out.flush();
            }
        }
    }

    private static void printTopFive(Path image, float[] p, int offset, List<String> labels, PrintWriter out) {
        Integer[] order = new Integer[labels.size()];
        Arrays.setAll(order, k -> k);
        Arrays.sort(order, (a, b) -> Float.compare(p[offset + b], p[offset + a]));
        for (int rank = 0; rank < Math.min(TOP, order.length); rank++) {
            out.printf(Locale.ROOT, "%s,%d,%s,%.6f%n", ScoresCsv.quote(image.toString()), rank + 1,
                    ScoresCsv.quote(labels.get(order[rank])), p[offset + order[rank]]);
        }
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
