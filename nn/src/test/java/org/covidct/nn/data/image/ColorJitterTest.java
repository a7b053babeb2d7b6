package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ColorJitterTest {
    private static final RgbImage IMAGE = TestImages.random(11, 7, 4);

    /**
     * torchvision 0.14 / Pillow 9.4 {@code F.adjust_brightness} and {@code F.adjust_contrast} outputs
     * of scripts/images/make_augment_fixtures.py, every byte equal.
     */
    @TestFactory
    Stream<DynamicTest> matchesTorchvisionAdjustments() {
        Path dir = TestImages.fixtureDir("augment");
        return TestImages.cases("augment").stream().filter(c -> !c[2].equals("rotate"))
                .map(c -> DynamicTest.dynamicTest(c[1] + " (" + c[2] + " " + c[3] + ")", () -> {
                    RgbImage source = ImageDecoder.decodeRgb(dir.resolve(c[0]));
                    RgbImage expected = TestImages.readWithImageIO(dir.resolve(c[1]));
                    double factor = Double.parseDouble(c[3]);
                    RgbImage actual = switch (c[2]) {
                        case "brightness" -> ColorJitter.adjustBrightness(source, factor);
                        case "contrast" -> ColorJitter.adjustContrast(source, factor);
                        default -> throw new IllegalArgumentException(c[2]);
                    };
                    assertEquals(0, expected.maxAbsDifference(actual), "max abs difference to torchvision");
                }));
    }

    @Test
    void theFixturesCoverBothAdjustments() {
        assertEquals(3 * 9, TestImages.cases("augment").stream().filter(c -> c[2].equals("brightness")).count());
        assertEquals(3 * 9, TestImages.cases("augment").stream().filter(c -> c[2].equals("contrast")).count());
    }

    @Property(tries = 50)
    void factorOneIsTheIdentity(@ForAll @IntRange(min = 1, max = 20) int w, @ForAll @IntRange(min = 1, max = 20) int h,
            @ForAll long seed) {
        RgbImage image = TestImages.random(w, h, seed);
        assertSame(image, ColorJitter.adjustBrightness(image, 1));
        assertSame(image, ColorJitter.adjustContrast(image, 1));
    }

    /** Factor 0 is the degenerate image: black, or grey at the mean luma. */
    @Test
    void factorZeroIsTheDegenerateImage() {
        byte[] black = new byte[IMAGE.pixels().length];
        assertEquals(new RgbImage(11, 7, black), ColorJitter.adjustBrightness(IMAGE, 0));
        byte[] grey = new byte[black.length];
        Arrays.fill(grey, (byte) ColorJitter.meanLumaLevel(IMAGE));
        assertEquals(new RgbImage(11, 7, grey), ColorJitter.adjustContrast(IMAGE, 0));
    }

    /** The luma weights sum to 2^16, so a grey pixel keeps its level; the mean rounds half up. */
    @Property(tries = 100)
    void meanLumaOfGreyImages(@ForAll @IntRange(min = 0, max = 255) int a, @ForAll @IntRange(min = 0, max = 255) int b) {
        byte[] px = new byte[6];
        Arrays.fill(px, 0, 3, (byte) a);
        Arrays.fill(px, 3, 6, (byte) b);
        assertEquals((a + b + 1) / 2, ColorJitter.meanLumaLevel(new RgbImage(2, 1, px)));
    }

    @Test
    void meanLumaWeighsTheChannels() {
        // (19595 * 255 + 2^15) >> 16 = 76, (38470 * 255 + 2^15) >> 16 = 150, (7471 * 255 + 2^15) >> 16 = 29.
        assertEquals(76, ColorJitter.meanLumaLevel(new RgbImage(1, 1, new byte[] {(byte) 255, 0, 0})));
        assertEquals(150, ColorJitter.meanLumaLevel(new RgbImage(1, 1, new byte[] {0, (byte) 255, 0})));
        assertEquals(29, ColorJitter.meanLumaLevel(new RgbImage(1, 1, new byte[] {0, 0, (byte) 255})));
    }

    /**
     * Each byte moves along the line from the degenerate level {@code m} through its value: between
     * the two for factors up to 1, beyond the value (or clipped) above 1.
     */
    @Property(tries = 200)
    void valuesMoveAlongTheBlendLine(@ForAll @DoubleRange(min = 0, max = 3) double factor,
            @ForAll boolean contrast, @ForAll long seed) {
        RgbImage image = TestImages.random(9, 6, seed);
        int m = contrast ? ColorJitter.meanLumaLevel(image) : 0;
        RgbImage out = contrast ? ColorJitter.adjustContrast(image, factor) : ColorJitter.adjustBrightness(image, factor);
        for (int i = 0; i < image.pixels().length; i++) {
            int v = image.pixels()[i] & 0xFF;
            int o = out.pixels()[i] & 0xFF;
            if (factor <= 1) {
                assertTrue(o >= Math.min(m, v) && o <= Math.max(m, v), o + " not between " + m + " and " + v);
            } else {
                assertTrue(v >= m ? o >= v : o <= v, o + " not beyond " + v + " from " + m + " at " + factor);
            }
        }
    }

    /** Brightness is {@code trunc(float(factor) * v)} clipped: hand-computed bytes. */
    @Test
    void brightnessTruncatesAndClips() {
        RgbImage image = new RgbImage(2, 1, new byte[] {0, 1, 10, (byte) 100, (byte) 200, (byte) 255});
        assertEquals(new RgbImage(2, 1, new byte[] {0, 0, 5, 50, 100, 127}), ColorJitter.adjustBrightness(image, 0.5));
        assertEquals(new RgbImage(2, 1, new byte[] {0, 1, 15, (byte) 150, (byte) 255, (byte) 255}),
                ColorJitter.adjustBrightness(image, 1.5));
    }

    /**
     * Draws: the order, then the brightness factor, then the contrast factor, each factor
     * {@code lo + (hi - lo) u} rounded to float32.
     */
    @Test
    void drawsTheOrderThenEachEnabledFactor() {
        ColorJitter jitter = new ColorJitter(0.2, 0.3);
        double b = (float) (0.8 + 0.4 * 0.25);
        double c = (float) (0.7 + 0.6 * 0.9);
        RgbImage brightnessFirst = ColorJitter.adjustContrast(ColorJitter.adjustBrightness(IMAGE, b), c);
        RgbImage contrastFirst = ColorJitter.adjustBrightness(ColorJitter.adjustContrast(IMAGE, c), b);
        assertNotEquals(brightnessFirst, contrastFirst, "the order matters on this image");
        ScriptedRandom rng = new ScriptedRandom(0.1, 0.25, 0.9);
        assertEquals(brightnessFirst, jitter.apply(IMAGE, rng));
        assertEquals(3, rng.draws);
        rng = new ScriptedRandom(0.5, 0.25, 0.9);
        assertEquals(contrastFirst, jitter.apply(IMAGE, rng));
        assertEquals(3, rng.draws);
    }

    @Test
    void aZeroRangeTurnsItsAdjustmentOffAndDrawsNoFactor() {
        ScriptedRandom rng = new ScriptedRandom(0.7, 0.0);
        assertEquals(ColorJitter.adjustContrast(IMAGE, (float) 0.5), new ColorJitter(0, 0.5).apply(IMAGE, rng));
        assertEquals(2, rng.draws);
        rng = new ScriptedRandom(0.2, 0.0);
        assertEquals(ColorJitter.adjustBrightness(IMAGE, 0.0), new ColorJitter(1.5, 0).apply(IMAGE, rng));
        assertEquals(2, rng.draws);
        rng = new ScriptedRandom(0.2);
        assertSame(IMAGE, new ColorJitter(0, 0).apply(IMAGE, rng));
        assertEquals(1, rng.draws);
    }

    /** The lower bound is clipped at 0: a range of 1.5 draws factors in [0, 2.5]. */
    @Test
    void factorsSpanTheirRanges() {
        ScriptedRandom rng = new ScriptedRandom(0.2, 0.9999999999, 0.0);
        RgbImage expected = ColorJitter.adjustContrast(ColorJitter.adjustBrightness(IMAGE, 2.5), 0.8);
        assertEquals(expected, new ColorJitter(1.5, 0.2).apply(IMAGE, rng));
    }

    @Test
    void badArgumentsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ColorJitter(-0.1, 0.2));
        assertEquals("ColorJitter: brightness must be finite and non-negative, got -0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ColorJitter(0.2, Double.NaN));
        assertEquals("ColorJitter: contrast must be finite and non-negative, got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ColorJitter.adjustBrightness(IMAGE, -1));
        assertEquals("adjustBrightness: factor must be finite and non-negative, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ColorJitter.adjustContrast(IMAGE, Double.POSITIVE_INFINITY));
        assertEquals("adjustContrast: factor must be finite and non-negative, got Infinity", e.getMessage());
    }
}
