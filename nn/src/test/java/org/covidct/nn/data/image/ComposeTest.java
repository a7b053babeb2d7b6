package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ComposeTest {
    private static final Normalize IMAGENET =
            new Normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /** The steps by hand, in order, on one generator, then ToTensor and Normalize. */
    @Test
    void runsPrepareThenAugmentInOrderOnOneGenerator() {
        RgbImage image = TestImages.random(61, 40, 2);
        RandomResizedCrop crop = new RandomResizedCrop(20, 0.3, 1.0, 0.75, 4.0 / 3.0);
        Compose compose = new Compose(List.of(Resize.shorterSide(30)),
                List.of(crop, new RandomVerticalFlip(0.5), new RandomHorizontalFlip(0.5)), 20, IMAGENET);
        RgbImage prepared = compose.prepare(image);
        assertEquals(Resize.resizeShorterSide(image, 30), prepared);
        int flips = 0;
        for (long seed = 0; seed < 16; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            RgbImage expected = crop.apply(prepared, rng);
            boolean vertical = rng.nextDouble() < 0.5;
            expected = vertical ? expected.flipVertical() : expected;
            boolean horizontal = rng.nextDouble() < 0.5;
            expected = horizontal ? expected.flipHorizontal() : expected;
            flips += (vertical ? 1 : 0) + (horizontal ? 1 : 0);
            float[] want = new float[3 * 20 * 20];
            IMAGENET.toTensor(expected, want, 0);
            assertArrayEquals(want, compose.transform(image, new SplittableRandom(seed)), "seed " + seed);
        }
        assertTrue(flips > 0 && flips < 32, "both outcomes of the flips are exercised: " + flips);
    }

    @Test
    void aRandomPrepareStepIsRefused() {
        Compose compose = new Compose(List.of(new RandomHorizontalFlip(0.5)), List.of(), 8, Normalize.TUTORIAL);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> compose.prepare(TestImages.random(8, 8, 1)));
        assertTrue(e.getMessage().contains("augment"), e.getMessage());
    }

    @Test
    void stepsMustEndAtTheOutputSize() {
        Compose compose = new Compose(List.of(Resize.to(10, 12)), List.of(), 10, Normalize.TUTORIAL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> compose.transform(TestImages.random(30, 30, 1), new SplittableRandom(0)));
        assertTrue(e.getMessage().contains("10x12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Compose(List.of(), List.of(), 0, Normalize.TUTORIAL));
    }

    @Test
    void theStepListsAreCopied() {
        List<ImageStep> steps = new ArrayList<>(List.of(Resize.to(4, 4)));
        Compose compose = new Compose(steps, steps, 4, Normalize.TUTORIAL);
        steps.add(Resize.to(5, 5));
        assertEquals(1, compose.prepare().size());
        assertEquals(1, compose.augment().size());
    }

    @Test
    void resizeStepsAreTheResizes() {
        RgbImage image = TestImages.random(37, 23, 5);
        assertEquals(Resize.resize(image, 11, 17), Resize.to(11, 17).apply(image, null));
        assertEquals(Resize.resizeShorterSide(image, 16), Resize.shorterSide(16).apply(image, null));
        assertThrows(IllegalArgumentException.class, () -> Resize.to(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Resize.shorterSide(-1));
    }
}
