package org.covidct.spark.score;

import java.util.List;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.data.image.ImageTransform;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;

/**
 * One executor's classifier in eval mode on its device, with predict's val/test transform. The
 * task threads of an executor share it and take turns at {@link #logits}: a forward pass already
 * uses every core (or the GPU), while the threads decode their next images side by side.
 */
final class LoadedClassifier {
    private final Module model;
    private final ImageTransform transform;
    private final List<String> classNames;
    private final Device device;

    LoadedClassifier(Module model, ModelMetadata described, Device device) {
        this.model = model;
        this.transform = Transforms.eval(described.imageSize(), ClassifierModels.normalize(described));
        this.classNames = described.classNames();
        this.device = device;
        model.to(device);
        model.eval();
    }

    /** predict's transform: resize to the input side, scale to [0, 1], normalise. */
    ImageTransform transform() {
        return transform;
    }

    /** The name of output class {@code index}. */
    String className(int index) {
        return classNames.get(index);
    }

    /**
     * The two logits of each of the {@code count} images in {@code images} (CHW, one after
     * another), as {@code [nonCovid0, covid0, nonCovid1, ...]}.
     */
    synchronized float[] logits(float[] images, int count) {
        int side = transform.outputSize();
        try (GradMode.Guard noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            Tensor batch = Tensor.of(device, images, count, 3, side, side);
            return model.forward(Variable.constant(batch)).data().toArray();
        }
    }
}
