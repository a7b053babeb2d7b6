package org.covidct.app.gradcam;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.covidct.app.cli.DeviceOption;
import org.covidct.app.cli.ModelOptions;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.report.Png;
import org.covidct.nn.Module;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gradcam}: the Grad-CAM overlay of one image, and optionally its raw map as CSV. */
@Command(name = "gradcam", mixinStandardHelpOptions = true,
        description = "Grad-CAM of one CT image: the JET heat map of a layer's class evidence blended onto the "
                + "image (as the val/test transform resizes it), written as PNG.")
public final class GradCamCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    ModelOptions model;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "a PNG, JPEG or BMP file")
    Path image;

    @Option(names = "--layer", description = "dotted module name of the layer to explain, e.g. features.52 "
            + "(default: the last block of features, features.-1)")
    String layer;

    @Option(names = "--class", paramLabel = "CLASS", description = "the class whose logit is explained, one of the "
            + "classes the weights record, in any case (covid or noncovid for a COVID-CT model) (default: the "
            + "predicted class)")
    String targetClass;

    @Option(names = "--out", paramLabel = "PNG",
            description = "overlay PNG (default: <image name>.gradcam.png in the current directory)")
    Path out;

    @Option(names = "--map-out", paramLabel = "CSV", description = "also write the normalised map: one line per "
            + "pixel row, comma-separated, at the input resolution (default: not written)")
    Path mapOut;

    @Override
    public Integer call() throws Exception {
        ModelMetadata described = model.resolve(spec);
        Integer explained = targetClass == null ? null : classIndex(described.classNames());
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        Path png = out != null ? out : Path.of(stem(image.getFileName().toString()) + ".gradcam.png");
        GradCamImages.Explained e;
        String layerName;
        try (Module net = model.load(described)) {
            net.to(device);
            GradCamImages cams = new GradCamImages(net, layer, Transforms.eval(described.imageSize(),
                    ClassifierModels.normalize(described)), 1);
            layerName = cams.layerName();
            e = cams.explain(List.of(image), explained).get(0);
        }
        AtomicOutput.bytes(png, Png.encode(Png.image(e.overlay())));
        if (mapOut != null) {
            MapCsv.write(mapOut, e.map(), e.image().height(), e.image().width());
        }
        PrintWriter o = spec.commandLine().getOut();
        List<String> classes = described.classNames();
        o.printf(Locale.ROOT, "%s: class %s, layer %s, P(%s) %.4f%s%n", png, classes.get(e.explainedClass()), layerName,
                described.positiveClass(), Prediction.covidProbability(e.logits()[0], e.logits()[1]),
                mapOut != null ? ", map " + mapOut : "");
        o.flush();
        return 0;
    }

    /** The index of the class --class names among the model's {@code classes}, ignoring case. */
    private int classIndex(List<String> classes) {
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).equalsIgnoreCase(targetClass)) {
                return i;
            }
        }
        throw new ParameterException(spec.commandLine(), "--class " + targetClass + ": the weights' classes are "
                + String.join(" and ", classes));
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
