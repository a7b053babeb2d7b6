package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {
    private static final RandomResizedCrop CROP = RandomResizedCrop.tutorial(224);
    private static final double EPS = 1e-6;

    @Property(tries = 400)
    void boxesLieInsideTheImageAndRespectScaleAndRatio(@ForAll @IntRange(min = 1, max = 2000) int width,
            @ForAll @IntRange(min = 1, max = 2000) int height, @ForAll long seed) {
        RandomResizedCrop.Box b = CROP.sample(width, height, new SplittableRandom(seed));
        assertTrue(b.top() >= 0 && b.left() >= 0 && b.height() > 0 && b.width() > 0, b.toString());
        assertTrue(b.top() + b.height() <= height && b.left() + b.width() <= width, b + " in " + width + "x" + height);
        if (!b.fallback()) {
            // w and h are sqrt(area * ratio) and sqrt(area / ratio), each rounded to the nearest integer.
            double area = (double) width * height;
            double w = b.width();
            double h = b.height();
            assertTrue((w + 0.5) * (h + 0.5) >= 0.5 * area * (1 - EPS), b + " too small for " + width + "x" + height);
            assertTrue((w - 0.5) * (h - 0.5) <= area * (1 + EPS), b + " too large for " + width + "x" + height);
            assertTrue((w + 0.5) / (h - 0.5) >= 0.75 * (1 - EPS) || h < 1, b + " too narrow");
            assertTrue((w - 0.5) / (h + 0.5) <= 4.0 / 3.0 * (1 + EPS), b + " too wide");
        } else {
            assertEquals((height - b.height()) / 2, b.top());
            assertEquals((width - b.width()) / 2, b.left());
            double ratio = (double) width / height;
            if (ratio < 0.75) {
                assertEquals(width, b.width());
                assertEquals((int) Math.rint(width / 0.75), b.height());
            } else if (ratio > 4.0 / 3.0) {
                assertEquals(height, b.height());
                assertEquals((int) Math.rint(height * 4.0 / 3.0), b.width());
            } else {
                assertEquals(width, b.width());
                assertEquals(height, b.height());
            }
        }
    }

    @Property(tries = 100)
    void sameSeedSameBox(@ForAll @IntRange(min = 1, max = 1000) int width,
            @ForAll @IntRange(min = 1, max = 1000) int height, @ForAll long seed) {
        assertEquals(CROP.sample(width, height, new SplittableRandom(seed)),
                CROP.sample(width, height, new SplittableRandom(seed)));
    }

    @Test
    void fallbackCentresAClampedBox() {
        // No 10 attempts can fit a box of at least half the area into a 1000x10 strip at ratio <= 4/3.
        RandomResizedCrop.Box b = CROP.sample(1000, 10, new SplittableRandom(3));
        assertTrue(b.fallback());
        assertEquals(new RandomResizedCrop.Box(0, 493, 10, 13, true), b);
        b = CROP.sample(10, 1000, new SplittableRandom(3));
        assertEquals(new RandomResizedCrop.Box(493, 0, 13, 10, true), b);
    }

    @Test
    void typicalImagesRarelyFallBackAndBoxesVary() {
        Set<RandomResizedCrop.Box> boxes = new HashSet<>();
        int fallbacks = 0;
        for (int seed = 0; seed < 500; seed++) {
            RandomResizedCrop.Box b = CROP.sample(341, 256, new SplittableRandom(seed));
            fallbacks += b.fallback() ? 1 : 0;
            boxes.add(b);
        }
        assertEquals(0, fallbacks);
        assertTrue(boxes.size() > 450, boxes.size() + " distinct boxes");
    }

    /** Accepted boxes span the scale and ratio ranges; on a square image the log-ratio is symmetric. */
    @Test
    void boxesSpanTheScaleAndRatioRanges() {
        RandomGenerator rng = new SplittableRandom(11);
        double minScale = 1;
        double maxScale = 0;
        double minLogRatio = 0;
        double maxLogRatio = 0;
        double logRatioSum = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            RandomResizedCrop.Box b = CROP.sample(1000, 1000, rng);
            assertFalse(b.fallback());
            double scale = (double) b.width() * b.height() / 1e6;
            double logRatio = Math.log((double) b.width() / b.height());
            minScale = Math.min(minScale, scale);
            maxScale = Math.max(maxScale, scale);
            minLogRatio = Math.min(minLogRatio, logRatio);
            maxLogRatio = Math.max(maxLogRatio, logRatio);
            logRatioSum += logRatio;
        }
        assertEquals(0.5, minScale, 0.01);
        assertEquals(1.0, maxScale, 0.01);
        assertEquals(Math.log(0.75), minLogRatio, 0.01);
        assertEquals(Math.log(4.0 / 3.0), maxLogRatio, 0.01);
        assertEquals(0.0, logRatioSum / n, 0.01);
    }

    @Test
    void applyResizesTheCropToTheOutputSize() {
        RgbImage out = CROP.apply(TestImages.random(341, 256, 5), new SplittableRandom(1));
        assertEquals(224, out.width());
        assertEquals(224, out.height());
    }
}
