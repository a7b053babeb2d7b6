package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class RandomRotationTest {
    /**
     * torchvision 0.14 / Pillow 9.4 {@code F.rotate} outputs of scripts/images/make_augment_fixtures.py:
     * odd, even and square noise and a structured picture, every pixel equal.
     */
    @TestFactory
    Stream<DynamicTest> matchesTorchvisionRotate() {
        Path dir = TestImages.fixtureDir("augment");
        return TestImages.cases("augment").stream().filter(c -> c[2].equals("rotate"))
                .map(c -> DynamicTest.dynamicTest(c[1] + " (" + c[3] + " degrees)", () -> {
                    RgbImage source = ImageDecoder.decodeRgb(dir.resolve(c[0]));
                    RgbImage expected = TestImages.readWithImageIO(dir.resolve(c[1]));
                    RgbImage actual = RandomRotation.rotate(source, Double.parseDouble(c[3]));
                    assertEquals(0, differingPixels(expected, actual), "pixels differing from torchvision");
                }));
    }

    @Test
    void theFixturesCoverEveryPath() {
        long rotations = TestImages.cases("augment").stream().filter(c -> c[2].equals("rotate")).count();
        assertEquals(4 * 16 + 12 + 2, rotations);
    }

    private static int differingPixels(RgbImage expected, RgbImage actual) {
        assertEquals(expected.width() + "x" + expected.height(), actual.width() + "x" + actual.height());
        int count = 0;
        for (int y = 0; y < expected.height(); y++) {
            for (int x = 0; x < expected.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    if (expected.get(x, y, c) != actual.get(x, y, c)) {
                        count++;
                        break;
                    }
                }
            }
        }
        return count;
    }

    @Property(tries = 50)
    void wholeTurnsAreTheIdentity(@ForAll @IntRange(min = 1, max = 20) int w, @ForAll @IntRange(min = 1, max = 20) int h,
            @ForAll @IntRange(min = -3, max = 3) int turns, @ForAll long seed) {
        RgbImage image = TestImages.random(w, h, seed);
        assertSame(image, RandomRotation.rotate(image, 360.0 * turns));
    }

    @Property(tries = 50)
    void halfTurnIsBothMirrors(@ForAll @IntRange(min = 1, max = 20) int w, @ForAll @IntRange(min = 1, max = 20) int h,
            @ForAll long seed) {
        RgbImage image = TestImages.random(w, h, seed);
        RgbImage expected = image.flipHorizontal().flipVertical();
        assertEquals(expected, RandomRotation.rotate(image, 180));
        assertEquals(expected, RandomRotation.rotate(image, -180));
    }

    /** Nearest neighbour with black fill: every output pixel is black or one of the input's pixels. */
    @Property(tries = 100)
    void outputPixelsAreInputPixelsOrBlack(@ForAll @IntRange(min = 1, max = 24) int w,
            @ForAll @IntRange(min = 1, max = 24) int h, @ForAll @DoubleRange(min = -720, max = 720) double angle,
            @ForAll long seed) {
        RgbImage image = TestImages.random(w, h, seed);
        Set<Integer> colours = new HashSet<>(Set.of(0));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                colours.add(rgb(image, x, y));
            }
        }
        RgbImage out = RandomRotation.rotate(image, angle);
        assertEquals(w + "x" + h, out.width() + "x" + out.height());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertTrue(colours.contains(rgb(out, x, y)), "pixel " + x + ", " + y + " at " + angle);
            }
        }
    }

    /** The centre pixel of an odd-sized image stays where it is at any angle. */
    @Property(tries = 100)
    void theCentreOfAnOddImageStays(@ForAll @IntRange(min = 0, max = 10) int halfW,
            @ForAll @IntRange(min = 0, max = 10) int halfH, @ForAll @DoubleRange(min = -360, max = 360) double angle,
            @ForAll long seed) {
        RgbImage image = TestImages.random(2 * halfW + 1, 2 * halfH + 1, seed);
        assertEquals(rgb(image, halfW, halfH), rgb(RandomRotation.rotate(image, angle), halfW, halfH));
    }

    private static int rgb(RgbImage image, int x, int y) {
        return image.get(x, y, 0) << 16 | image.get(x, y, 1) << 8 | image.get(x, y, 2);
    }

    /** One draw per call, mapped to {@code -d + 2 d u} and rounded to float32. */
    @Test
    void drawsOneNumberPerCall() {
        RandomRotation step = new RandomRotation(10);
        ScriptedRandom rng = new ScriptedRandom(0.0, 0.5, 0.25, 0.9999999999);
        assertEquals(-10.0, step.sampleAngle(rng));
        assertEquals(0.0, step.sampleAngle(rng));
        assertEquals(-5.0, step.sampleAngle(rng));
        assertEquals(10.0, step.sampleAngle(rng));
        assertEquals(4, rng.draws);
        assertEquals((double) 0.1f, new RandomRotation(0.1).sampleAngle(new ScriptedRandom(1.0)));
        RgbImage image = TestImages.random(9, 7, 2);
        ScriptedRandom applied = new ScriptedRandom(0.8);
        assertEquals(RandomRotation.rotate(image, 6.0), step.apply(image, applied));
        assertEquals(1, applied.draws);
        ScriptedRandom none = new ScriptedRandom(0.3);
        assertSame(image, new RandomRotation(0).apply(image, none));
        assertEquals(1, none.draws);
    }

    @Property(tries = 200)
    void anglesStayWithinTheRange(@ForAll @DoubleRange(min = 0, max = 400) double degrees, @ForAll long seed) {
        double angle = new RandomRotation(degrees).sampleAngle(new SplittableRandom(seed));
        assertTrue(Math.abs(angle) <= (float) degrees, angle + " for degrees " + degrees);
        assertEquals(angle, (float) angle, "a float32 angle");
    }

    @Test
    void anglesSpanTheRangeUniformly() {
        RandomRotation step = new RandomRotation(10);
        SplittableRandom rng = new SplittableRandom(7);
        int n = 20_000;
        double min = 0;
        double max = 0;
        double sum = 0;
        int belowMinusFive = 0;
        for (int i = 0; i < n; i++) {
            double a = step.sampleAngle(rng);
            min = Math.min(min, a);
            max = Math.max(max, a);
            sum += a;
            belowMinusFive += a < -5 ? 1 : 0;
        }
        assertEquals(-10, min, 0.01);
        assertEquals(10, max, 0.01);
        assertEquals(0, sum / n, 0.1);
        assertEquals(0.25, (double) belowMinusFive / n, 0.015);
    }

    @Test
    void badArgumentsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomRotation(-1));
        assertEquals("RandomRotation: degrees must be finite and non-negative, got -1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(Double.POSITIVE_INFINITY));
        e = assertThrows(IllegalArgumentException.class, () -> RandomRotation.rotate(TestImages.random(2, 2, 1),
                Double.NaN));
        assertEquals("rotate: angle must be finite, got NaN", e.getMessage());
    }
}
