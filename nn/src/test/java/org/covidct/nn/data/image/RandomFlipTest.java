package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/** {@link RandomHorizontalFlip} and {@link RandomVerticalFlip} against naive mirrors and torchvision's draw rule. */
class RandomFlipTest {
    private static final RgbImage IMAGE = TestImages.random(7, 5, 3);

    /** Pixel (x, y) of the result is pixel (W - 1 - x, y) of the input. */
    private static RgbImage naiveHorizontal(RgbImage in) {
        byte[] px = new byte[in.pixels().length];
        for (int y = 0; y < in.height(); y++) {
            for (int x = 0; x < in.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    px[(y * in.width() + x) * 3 + c] = (byte) in.get(in.width() - 1 - x, y, c);
                }
            }
        }
        return new RgbImage(in.width(), in.height(), px);
    }

    /** Pixel (x, y) of the result is pixel (x, H - 1 - y) of the input. */
    private static RgbImage naiveVertical(RgbImage in) {
        byte[] px = new byte[in.pixels().length];
        for (int y = 0; y < in.height(); y++) {
            for (int x = 0; x < in.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    px[(y * in.width() + x) * 3 + c] = (byte) in.get(x, in.height() - 1 - y, c);
                }
            }
        }
        return new RgbImage(in.width(), in.height(), px);
    }

    @Test
    void flipsMatchTheNaiveMirrors() {
        byte[] before = IMAGE.pixels().clone();
        assertEquals(naiveHorizontal(IMAGE), IMAGE.flipHorizontal());
        assertEquals(naiveVertical(IMAGE), IMAGE.flipVertical());
        assertEquals(naiveHorizontal(IMAGE), new RandomHorizontalFlip(1).apply(IMAGE, new SplittableRandom(0)));
        assertEquals(naiveVertical(IMAGE), new RandomVerticalFlip(1).apply(IMAGE, new SplittableRandom(0)));
        RgbImage onePixelWide = TestImages.random(1, 4, 8);
        assertEquals(onePixelWide, onePixelWide.flipHorizontal());
        assertEquals(naiveVertical(onePixelWide), onePixelWide.flipVertical());
        assertEquals(new RgbImage(7, 5, before), IMAGE, "the input is left as it was");
    }

    @Test
    void horizontalFlipsWhenTheDrawIsBelowP() {
        assertDrawRule(RandomHorizontalFlip::new, naiveHorizontal(IMAGE));
    }

    @Test
    void verticalFlipsWhenTheDrawIsBelowP() {
        assertDrawRule(RandomVerticalFlip::new, naiveVertical(IMAGE));
    }

    /**
     * torchvision's {@code if torch.rand(1) < self.p}: one draw per call whatever p, a flip only
     * when the draw is strictly below p, so p = 0 never flips and p = 1 always does.
     */
    private static void assertDrawRule(DoubleFunction<ImageStep> flip, RgbImage flipped) {
        ScriptedRandom rng = new ScriptedRandom(0.0, 0.4999999, 0.5, 0.75, 0.0, 0.9999999);
        ImageStep half = flip.apply(0.5);
        assertEquals(flipped, half.apply(IMAGE, rng));
        assertEquals(flipped, half.apply(IMAGE, rng));
        assertSame(IMAGE, half.apply(IMAGE, rng));
        assertSame(IMAGE, half.apply(IMAGE, rng));
        assertSame(IMAGE, flip.apply(0).apply(IMAGE, rng));
        assertEquals(flipped, flip.apply(1).apply(IMAGE, rng));
        assertEquals(6, rng.draws);
    }

    @Test
    void flipRateIsP() {
        for (double p : new double[] {0.1, 0.3, 0.5}) {
            for (DoubleFunction<ImageStep> flip : List.<DoubleFunction<ImageStep>>of(
                    RandomHorizontalFlip::new, RandomVerticalFlip::new)) {
                ImageStep step = flip.apply(p);
                int flips = 0;
                int n = 20_000;
                for (int seed = 0; seed < n; seed++) {
                    SplittableRandom rng = new SplittableRandom(seed);
                    boolean flipped = step.apply(IMAGE, rng) != IMAGE;
                    assertEquals(new SplittableRandom(seed).nextDouble() < p, flipped, "seed " + seed);
                    flips += flipped ? 1 : 0;
                }
                // Four standard deviations of a binomial rate.
                double tolerance = 4 * Math.sqrt(p * (1 - p) / n);
                assertTrue(Math.abs((double) flips / n - p) < tolerance, step + ": " + flips + " of " + n);
            }
        }
    }

    @Test
    void probabilityOutsideZeroToOneIsRefused() {
        for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(p));
            assertThrows(IllegalArgumentException.class, () -> new RandomVerticalFlip(p));
        }
    }
}
