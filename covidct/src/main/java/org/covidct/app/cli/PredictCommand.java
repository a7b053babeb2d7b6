package org.covidct.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.train.ScoresCsv;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.Module;
import org.covidct.nn.data.image.ImageDecoder;
import org.covidct.nn.data.image.ImageTransform;
import org.covidct.nn.data.image.Transforms;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code predict}: one CSV line per image with its COVID probability, through the val/test transform. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify CT images; prints CSV: path,covid_probability,prediction (1 = COVID). With --imagenet, "
                + "the top 5 ImageNet classes of a TFLite mobilenet_v2: path,rank,label,probability.")
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--imagenet", description = "keep the ImageNet head of a TFLite mobilenet_v2 (--weights FILE.tflite, "
            + "with imagenet_labels.txt beside it) and print each image's top 5 classes")
    boolean imagenet;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files (with --imagenet also raw *.rgb)")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        Device device = deviceOption.resolve(spec.commandLine().getErr());
        if (imagenet) {
            model.checkArch();
            if (!model.arch.equals(ClassifierModels.MOBILENET_V2)) {
                throw new IllegalArgumentException("predict --imagenet: needs --arch mobilenet_v2 and a TFLite file, "
                        + "got --arch " + model.arch);
            }
            ImageNetPredict.run(Path.of(model.weights), model.imageSize, images, device,
                    spec.commandLine().getOut());
            return 0;
        }
        ImageTransform transform = Transforms.eval(model.imageSize);
        int s = transform.outputSize();
        float[][] inputs = new float[images.size()][];
        for (int i = 0; i < images.size(); i++) { // every image is checked before the model is loaded
            inputs[i] = transform.transform(ImageDecoder.decodeRgb(images.get(i)), null);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("path,covid_probability,prediction");
        try (Module net = model.load(); GradMode.Guard noGrad = GradMode.noGrad()) {
            net.to(device).eval();
            for (int i = 0; i < images.size(); i++) {
                try (TensorScope scope = TensorScope.open()) {
                    Tensor x = Tensor.of(device, inputs[i], 1, 3, s, s);
                    float[] logits = net.forward(Variable.constant(x)).data().toArray();
                    out.printf(Locale.ROOT, "%s,%.8f,%d%n", ScoresCsv.quote(images.get(i).toString()),
                            Prediction.covidProbability(logits[0], logits[1]), Prediction.argmax(logits[0], logits[1]));
                }
            }
        }
        out.flush();
        return 0;
    }
}
