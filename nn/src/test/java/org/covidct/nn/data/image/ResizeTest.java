package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ResizeTest {
    /** Pillow 9.4 / torchvision 0.14 outputs of scripts/images/make_resize_fixtures.py. */
    @TestFactory
    Stream<DynamicTest> matchesPillowBilinear() {
        Path dir = TestImages.fixtureDir("resize");
        return TestImages.cases("resize").stream().map(c -> DynamicTest.dynamicTest(c[1], () -> {
            RgbImage source = ImageDecoder.decodeRgb(dir.resolve(c[0]));
            RgbImage expected = TestImages.readWithImageIO(dir.resolve(c[1]));
            int[] a = new int[c.length - 3];
            for (int i = 3; i < c.length; i++) {
                a[i - 3] = Integer.parseInt(c[i]);
            }
            RgbImage actual = switch (c[2]) {
                case "resize" -> Resize.resize(source, a[0], a[1]);
                case "shorter" -> Resize.resizeShorterSide(source, a[0]);
                case "square" -> Transforms.eval(a[0]).prepare(source);
                case "train" -> Resize.resize(Resize.resizeShorterSide(source, a[0]).crop(a[2], a[1], a[4], a[3]),
                        a[5], a[5]);
                default -> throw new IllegalArgumentException(c[2]);
            };
            assertEquals(expected.width() + "x" + expected.height(), actual.width() + "x" + actual.height());
            assertEquals(0, actual.maxAbsDifference(expected), "max abs difference to Pillow");
        }));
    }

    @Test
    void shorterSideSizeTruncatesAsTorchvision() {
        assertArrayEquals(new int[] {384, 256}, Resize.shorterSideSize(300, 200, 256));
        assertArrayEquals(new int[] {256, 384}, Resize.shorterSideSize(200, 300, 256));
        assertArrayEquals(new int[] {411, 256}, Resize.shorterSideSize(37, 23, 256)); // 411.83
        assertArrayEquals(new int[] {256, 256}, Resize.shorterSideSize(500, 500, 256));
        assertArrayEquals(new int[] {349, 256}, Resize.shorterSideSize(1671, 1225, 256)); // 349.2
        assertArrayEquals(new int[] {256, 482}, Resize.shorterSideSize(61, 115, 256)); // 482.62
    }

    @Test
    void sameSizeIsTheSameImage() {
        RgbImage image = TestImages.random(13, 7, 1);
        assertSame(image, Resize.resize(image, 13, 7));
        assertSame(image, Resize.resizeShorterSide(image, 7));
    }

    @Property(tries = 60)
    void constantImagesStayConstant(@ForAll @IntRange(min = 1, max = 40) int w, @ForAll @IntRange(min = 1, max = 40) int h,
            @ForAll @IntRange(min = 1, max = 90) int outW, @ForAll @IntRange(min = 1, max = 90) int outH,
            @ForAll @IntRange(min = 0, max = 255) int value) {
        byte[] px = new byte[3 * w * h];
        java.util.Arrays.fill(px, (byte) value);
        RgbImage out = Resize.resize(new RgbImage(w, h, px), outW, outH);
        for (byte b : out.pixels()) {
            assertEquals(value, b & 0xFF);
        }
    }

    @Property(tries = 60)
    void outputStaysWithinTheInputRange(@ForAll @IntRange(min = 1, max = 30) int w,
            @ForAll @IntRange(min = 1, max = 30) int h, @ForAll @IntRange(min = 1, max = 70) int outW,
            @ForAll @IntRange(min = 1, max = 70) int outH, @ForAll long seed) {
        RgbImage in = TestImages.random(w, h, seed);
        int min = 255;
        int max = 0;
        for (byte b : in.pixels()) {
            min = Math.min(min, b & 0xFF);
            max = Math.max(max, b & 0xFF);
        }
        for (byte b : Resize.resize(in, outW, outH).pixels()) {
            assertTrue((b & 0xFF) >= min && (b & 0xFF) <= max);
        }
    }
}
