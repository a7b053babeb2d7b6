package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TransformsTest {
    @Test
    void trainResizeKeepsTheTutorialProportion() {
        assertEquals(256, Transforms.trainResizeFor(224));
        assertEquals(128, Transforms.trainResizeFor(112));
        assertEquals(146, Transforms.trainResizeFor(128));
        Compose t = (Compose) Transforms.train(224);
        assertEquals(224, t.outputSize());
        assertEquals(List.of(RandomResizedCrop.tutorial(224), new RandomHorizontalFlip(0.5)), t.augment());
        assertEquals(Normalize.TUTORIAL, t.normalize());
    }

    @Test
    void toTensorIsChannelMajorOver255() {
        RgbImage image = new RgbImage(2, 1, new byte[] {0, 51, (byte) 255, 1, 2, (byte) 128});
        float[] out = new float[8];
        Normalize.TUTORIAL.toTensor(image, out, 2);
        assertArrayEquals(new float[] {0f, 0f, 0f, 1 / 255f, 51 / 255f, 2 / 255f, 1f, 128 / 255f}, out);
    }

    @Test
    void normalizeSubtractsMeanAndDividesByStdInFloat() {
        Normalize n = new Normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        RgbImage image = new RgbImage(1, 1, new byte[] {(byte) 200, 10, 99});
        float[] out = new float[3];
        n.toTensor(image, out, 0);
        assertArrayEquals(new float[] {(200 / 255f - 0.485f) / 0.229f, (10 / 255f - 0.456f) / 0.224f,
            (99 / 255f - 0.406f) / 0.225f}, out);
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[3], new float[] {1f, 0f, 1f}));
    }

    @Test
    void evalIsResizeToTensorNormalize() {
        RgbImage image = TestImages.random(50, 31, 4);
        ImageTransform eval = Transforms.eval(24);
        float[] expected = new float[3 * 24 * 24];
        Normalize.TUTORIAL.toTensor(Resize.resize(image, 24, 24), expected, 0);
        assertArrayEquals(expected, eval.transform(image, new SplittableRandom(1)));
        assertArrayEquals(expected, eval.transform(image, new SplittableRandom(2)));
    }

    /** The training pipeline draws the crop box first, then the flip, from the one generator. */
    @Test
    void trainIsResizeCropFlipToTensor() {
        RgbImage image = TestImages.random(70, 45, 6);
        ImageTransform train = Transforms.train(32);
        RgbImage prepared = train.prepare(image);
        assertEquals(Resize.resizeShorterSide(image, 37), prepared);
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            RgbImage cropped = RandomResizedCrop.tutorial(32).apply(prepared, rng);
            boolean flip = rng.nextDouble() < 0.5;
            float[] expected = new float[3 * 32 * 32];
            Normalize.TUTORIAL.toTensor(flip ? cropped.flipHorizontal() : cropped, expected, 0);
            float[] actual = new float[3 * 32 * 32 + 5];
            train.apply(prepared, new SplittableRandom(seed), actual, 5);
            assertArrayEquals(expected, Arrays.copyOfRange(actual, 5, actual.length), "seed " + seed);
        }
    }

    /**
     * The stronger training pipeline: the same prepare stage, then crop, flip, rotation and colour
     * jitter, each drawing from the one generator in that order.
     */
    @Test
    void trainStrongIsResizeCropFlipRotateJitterToTensor() {
        Normalize normalize = new Normalize(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f});
        Compose strong = (Compose) Transforms.trainStrong(32, normalize);
        assertEquals(32, strong.outputSize());
        assertEquals(normalize, strong.normalize());
        RandomResizedCrop crop = new RandomResizedCrop(32, 0.35, 1.0, 3.0 / 4.0, 4.0 / 3.0);
        assertEquals(List.of(crop, new RandomHorizontalFlip(0.5), new RandomRotation(10), new ColorJitter(0.2, 0.2)),
                strong.augment());
        RgbImage image = TestImages.random(70, 45, 6);
        RgbImage prepared = strong.prepare(image);
        assertEquals(Resize.resizeShorterSide(image, 37), prepared);
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            RgbImage step = crop.apply(prepared, rng);
            step = rng.nextDouble() < 0.5 ? step.flipHorizontal() : step;
            step = RandomRotation.rotate(step, (float) (-10 + 20 * rng.nextDouble()));
            boolean brightnessFirst = rng.nextDouble() < 0.5;
            double b = (float) (0.8 + (1.2 - 0.8) * rng.nextDouble());
            double c = (float) (0.8 + (1.2 - 0.8) * rng.nextDouble());
            step = brightnessFirst ? ColorJitter.adjustContrast(ColorJitter.adjustBrightness(step, b), c)
                    : ColorJitter.adjustBrightness(ColorJitter.adjustContrast(step, c), b);
            float[] expected = new float[3 * 32 * 32];
            normalize.toTensor(step, expected, 0);
            assertArrayEquals(expected, strong.transform(image, new SplittableRandom(seed)), "seed " + seed);
        }
    }

    @Property(tries = 30)
    void trainIsDeterministicPerSeed(@ForAll long seed) {
        RgbImage image = TestImages.random(40, 33, 9);
        ImageTransform train = Transforms.train(16);
        assertArrayEquals(train.transform(image, new SplittableRandom(seed)),
                train.transform(image, new SplittableRandom(seed)));
    }

    @Test
    void differentSeedsGiveDifferentAugmentations() {
        RgbImage image = TestImages.random(40, 33, 9);
        ImageTransform train = Transforms.train(16);
        assertFalse(Arrays.equals(train.transform(image, new SplittableRandom(1)),
                train.transform(image, new SplittableRandom(2))));
    }
}
