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
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gradcam}: the Grad-CAM overlay of one image, and optionally its raw map as CSV. */
@Command(name = "gradcam", mixinStandardHelpOptions = true,
        description = "Grad-CAM of one CT image: the JET heat map of a layer's class evidence blended onto the "
                + "image (as the val/test transform resizes it), written as PNG.")
public final class GradCamCommand implements Callable<Integer> {
    /** --class values, in class-index order (0 = NonCOVID, 1 = COVID). */
    enum TargetClass { noncovid, covid }

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

    @Option(names = "--class", paramLabel = "CLASS", description = "${COMPLETION-CANDIDATES}: the class whose logit "
            + "is explained (default: the predicted class)")
    TargetClass targetClass;

    @Option(names = "--out", paramLabel = "PNG",
            description = "overlay PNG (default: <image name>.gradcam.png in the current directory)")
    Path out;

    @Option(names = "--map-out", paramLabel = "CSV", description = "also write the normalised map: one line per "
            + "pixel row, comma-separated, at the input resolution (default: not written)")
    Path mapOut;

    @Override
    public Integer call() throws Exception {
        ModelMetadata described = model.resolve(spec);
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        Path png = out != null ? out : Path.of(stem(image.getFileName().toString()) + ".gradcam.png");
        GradCamImages.Explained e;
        String layerName;
        try (Module net = model.load(described)) {
            net.to(device);
            GradCamImages cams = new GradCamImages(net, layer, Transforms.eval(described.imageSize(),
                    ClassifierModels.normalize(described)), 1);
            layerName = cams.layerName();
            e = cams.explain(List.of(image), targetClass == null ? null : targetClass.ordinal()).get(0);
        }
        AtomicOutput.bytes(png, Png.encode(Png.image(e.overlay())));
        if (mapOut != null) {
            MapCsv.write(mapOut, e.map(), e.image().height(), e.image().width());
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%s: class %s, layer %s, covid probability %.4f%s%n", png,
                TargetClass.values()[e.explainedClass()], layerName,
                Prediction.covidProbability(e.logits()[0], e.logits()[1]), mapOut != null ? ", map " + mapOut : "");
        o.flush();
        return 0;
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
