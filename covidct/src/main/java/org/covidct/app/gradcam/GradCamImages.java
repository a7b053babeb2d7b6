package org.covidct.app.gradcam;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.covidct.nn.Module;
import org.covidct.nn.Parameter;
import org.covidct.nn.data.image.ImageDecodeException;
import org.covidct.nn.data.image.ImageDecoder;
import org.covidct.nn.data.image.ImageTransform;
import org.covidct.nn.data.image.RgbImage;
import org.covidct.nn.gradcam.GradCam;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;

/**
 * Grad-CAM of image files through the classifier's val/test transform, a batch at a time, on the
 * device the model lives on: each result holds the resized image the network saw, its map at that
 * size, and the overlay.
 */
public final class GradCamImages {
    private final GradCam cam;
    private final ImageTransform transform;
    private final int batchSize;
    private final Device device;

    /**
     * {@code layer} is a dotted module name, or null for the last block of {@code features};
     * {@code transform} is the val/test transform the model was trained with.
     */
    public GradCamImages(Module model, String layer, ImageTransform transform, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("Grad-CAM: batch size must be at least 1, got " + batchSize);
        }
        this.cam = new GradCam(model, layer);
        this.transform = transform;
        this.batchSize = batchSize;
        List<Parameter> params = model.parameters();
        this.device = params.isEmpty() ? Device.CPU : params.get(0).data().device();
    }

    public String layerName() {
        return cam.layerName();
    }

    /** One image's explanation: {@code explainedClass} is the class whose logit was differentiated. */
    public record Explained(Path path, RgbImage image, float[] map, int explainedClass, float[] logits) {
        public RgbImage overlay() {
            return CamOverlay.overlay(image, map);
        }
    }

    /** Maps for {@code paths}, for class {@code targetClass} or (when null) each image's predicted class. */
    public List<Explained> explain(List<Path> paths, Integer targetClass) throws ImageDecodeException {
        List<RgbImage> images = new ArrayList<>();
        for (Path p : paths) { // every image is read before the first forward pass
            images.add(transform.prepare(ImageDecoder.decodeRgb(p)));
        }
        List<Explained> out = new ArrayList<>();
        int s = transform.outputSize();
        for (int start = 0; start < paths.size(); start += batchSize) {
            int n = Math.min(batchSize, paths.size() - start);
            float[] pixels = new float[n * 3 * s * s];
            for (int i = 0; i < n; i++) {
                transform.apply(images.get(start + i), null, pixels, i * 3 * s * s);
            }
            int[] classes = null;
            if (targetClass != null) {
                classes = new int[n];
                Arrays.fill(classes, targetClass);
            }
            GradCam.Result r;
            try (Tensor batch = Tensor.of(device, pixels, n, 3, s, s)) {
                r = cam.compute(batch, classes);
            }
            for (int i = 0; i < n; i++) {
                out.add(new Explained(paths.get(start + i), images.get(start + i), r.maps()[i], r.classes()[i],
                        r.logits()[i]));
            }
        }
        return out;
    }
}
