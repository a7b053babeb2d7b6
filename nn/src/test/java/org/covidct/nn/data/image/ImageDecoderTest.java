package org.covidct.nn.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    @TempDir
    Path tmp;

    /** Every case of the fixture script: Pillow's convert("RGB") of the input, or an error. */
    @TestFactory
    Stream<DynamicTest> matchesPillowOnFixtures() {
        Path dir = TestImages.fixtureDir("decode");
        return TestImages.cases("decode").stream().map(c -> DynamicTest.dynamicTest(c[0], () -> {
            Path input = dir.resolve(c[0]);
            if (c[1].equals("ERROR")) {
                String word = String.join(" ", Arrays.copyOfRange(c, 2, c.length));
                ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decodeRgb(input));
                assertTrue(e.getMessage().contains(word), () -> "message '" + e.getMessage() + "' lacks '" + word + "'");
                assertTrue(e.getMessage().startsWith(input.toString()), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertEquals(input, e.file());
            } else {
                RgbImage expected = TestImages.readWithImageIO(dir.resolve(c[1]));
                RgbImage actual = ImageDecoder.decodeRgb(input);
                assertEquals(expected.width(), actual.width());
                assertEquals(expected.height(), actual.height());
                assertEquals(0, actual.maxAbsDifference(expected), "max abs difference to Pillow");
            }
        }));
    }

    @Test
    void fixturesCoverEveryPngColourTypeAndBitDepth() throws IOException {
        Path dir = TestImages.fixtureDir("decode");
        List<String> seen = new ArrayList<>();
        for (String[] c : TestImages.cases("decode")) {
            byte[] d = Files.readAllBytes(dir.resolve(c[0]));
            if (!c[1].equals("ERROR") && ImageDecoder.sniff(d) == ImageDecoder.Format.PNG) {
                seen.add((d[25] & 0xFF) + "/" + (d[24] & 0xFF) + (d[28] == 1 ? "i" : ""));
            }
        }
        for (String want : List.of("0/1", "0/2", "0/4", "0/8", "0/16", "0/16i", "2/8", "2/16", "2/8i", "3/1", "3/2",
                "3/4", "3/8", "3/8i", "4/8", "4/16", "6/8", "6/16", "6/8i")) {
            assertTrue(seen.contains(want), "no PNG fixture of colour type/bit depth " + want);
        }
    }

    @Test
    void rgbaPngDropsAlphaWithoutCompositing() throws IOException {
        BufferedImage image = new BufferedImage(7, 5, BufferedImage.TYPE_INT_ARGB);
        Random r = new Random(1);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                image.setRGB(x, y, r.nextInt());
            }
        }
        image.setRGB(0, 0, 0x00FF8040); // fully transparent, colour must survive
        RgbImage decoded = decode(writePng(image, false), 6, 8);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                int argb = image.getRGB(x, y);
                assertPixel(decoded, x, y, (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF);
            }
        }
        assertPixel(decoded, 0, 0, 0xFF, 0x80, 0x40);
    }

    @Test
    void rgbAndInterlacedRgbPng() throws IOException {
        BufferedImage image = new BufferedImage(19, 11, BufferedImage.TYPE_3BYTE_BGR);
        fill(image.getRaster(), 255, 2);
        RgbImage expected = TestImages.fromArgb(image);
        assertTrue(expected.samePixels(decode(writePng(image, false), 2, 8)));
        assertTrue(expected.samePixels(decode(writePng(image, true), 2, 8)));
    }

    @Test
    void greyPngIsReplicated() throws IOException {
        BufferedImage image = new BufferedImage(9, 4, BufferedImage.TYPE_BYTE_GRAY);
        fill(image.getRaster(), 255, 3);
        RgbImage decoded = decode(writePng(image, false), 0, 8);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 9; x++) {
                int v = image.getRaster().getSample(x, y, 0);
                assertPixel(decoded, x, y, v, v, v);
            }
        }
    }

    @Test
    void greyAlphaPngKeepsTheGrey() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(6, 5);
        fill(raster, 255, 4);
        RgbImage decoded = decode(writePng(new BufferedImage(cm, raster, false, null), false), 4, 8);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                int v = raster.getSample(x, y, 0);
                assertPixel(decoded, x, y, v, v, v);
            }
        }
    }

    @Test
    void palettePngIsLookedUp() throws IOException {
        for (int bits : new int[] {2, 8}) {
            int entries = 1 << bits;
            byte[] r = new byte[entries];
            byte[] g = new byte[entries];
            byte[] b = new byte[entries];
            Random rnd = new Random(bits);
            rnd.nextBytes(r);
            rnd.nextBytes(g);
            rnd.nextBytes(b);
            IndexColorModel icm = new IndexColorModel(bits, entries, r, g, b);
            BufferedImage image = new BufferedImage(11, 7,
                    bits == 8 ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_BYTE_BINARY, icm);
            fill(image.getRaster(), entries - 1, 5);
            RgbImage decoded = decode(writePng(image, false), 3, bits);
            for (int y = 0; y < 7; y++) {
                for (int x = 0; x < 11; x++) {
                    int i = image.getRaster().getSample(x, y, 0);
                    assertPixel(decoded, x, y, r[i] & 0xFF, g[i] & 0xFF, b[i] & 0xFF);
                }
            }
        }
    }

    /** Pillow opens 16-bit grey as mode "I" and converting that to RGB clips at 255. */
    @Test
    void sixteenBitGreyPngIsClippedAsPillowDoes() throws IOException {
        BufferedImage image = new BufferedImage(8, 3, BufferedImage.TYPE_USHORT_GRAY);
        int[] values = {0, 1, 100, 255, 256, 1000, 40000, 65535};
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 8; x++) {
                image.getRaster().setSample(x, y, 0, values[x]);
            }
        }
        RgbImage decoded = decode(writePng(image, true), 0, 16);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 8; x++) {
                int v = Math.min(255, values[x]);
                assertPixel(decoded, x, y, v, v, v);
            }
        }
    }

    /** 16-bit colour keeps each sample's high byte (Pillow's "RGB;16B" and "RGBA;16B" unpackers). */
    @Test
    void sixteenBitColourPngKeepsHighBytes() throws IOException {
        for (boolean alpha : new boolean[] {false, true}) {
            ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
                    alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
            WritableRaster raster = cm.createCompatibleWritableRaster(5, 4);
            fill(raster, 65535, 6);
            RgbImage decoded = decode(writePng(new BufferedImage(cm, raster, false, null), false), alpha ? 6 : 2, 16);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    assertPixel(decoded, x, y, raster.getSample(x, y, 0) >> 8, raster.getSample(x, y, 1) >> 8,
                            raster.getSample(x, y, 2) >> 8);
                }
            }
        }
    }

    @Test
    void jpegDecodesAsImageIoWithoutIccDoes() throws IOException {
        BufferedImage colour = photo(BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage grey = photo(BufferedImage.TYPE_BYTE_GRAY);
        for (BufferedImage image : List.of(colour, grey)) {
            for (boolean progressive : new boolean[] {false, true}) {
                byte[] jpeg = writeJpeg(image, progressive);
                RgbImage expected = TestImages.fromArgb(ImageIO.read(new java.io.ByteArrayInputStream(jpeg)));
                RgbImage actual = ImageDecoder.decodeRgb(jpeg, Path.of("generated.jpg"));
                assertEquals(0, actual.maxAbsDifference(expected), "progressive=" + progressive);
            }
        }
    }

    @Test
    void formatIsToldByContentNotName() throws IOException {
        byte[] jpeg = writeJpeg(photo(BufferedImage.TYPE_3BYTE_BGR), false);
        Path misnamed = Files.write(tmp.resolve("really a jpeg.png"), jpeg);
        RgbImage expected = TestImages.fromArgb(ImageIO.read(new java.io.ByteArrayInputStream(jpeg)));
        assertTrue(expected.samePixels(ImageDecoder.decodeRgb(misnamed)));

        RgbImage image = TestImages.random(5, 4, 3);
        Path png = TestImages.writePng(image, tmp.resolve("really a png.jpg"));
        assertTrue(image.samePixels(ImageDecoder.decodeRgb(png)));
        assertEquals(ImageDecoder.Format.PNG, ImageDecoder.sniff(Files.readAllBytes(png)));
        assertEquals(ImageDecoder.Format.JPEG, ImageDecoder.sniff(jpeg));
    }

    @Test
    void truncatedFilesFailNamingTheFile() throws IOException {
        byte[] png = writePng(photo(BufferedImage.TYPE_3BYTE_BGR), false);
        byte[] jpeg = writeJpeg(photo(BufferedImage.TYPE_3BYTE_BGR), true);
        for (byte[] whole : List.of(png, jpeg)) {
            for (int keep : new int[] {whole.length / 3, whole.length / 2, whole.length - 20, 10}) {
                Path cut = Files.write(tmp.resolve("cut, (" + keep + ") 5%.png"), Arrays.copyOf(whole, keep));
                ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decodeRgb(cut));
                assertTrue(e.getMessage().startsWith(cut.toString() + ": "), e.getMessage());
                assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            }
        }
    }

    @Test
    void missingAndUnknownFilesFail() throws IOException {
        Path missing = tmp.resolve("nope.png");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decodeRgb(missing));
        assertEquals(missing + ": file not found", e.getMessage());
        Path gif = Files.write(tmp.resolve("x.png"), new byte[] {'G', 'I', 'F', '8', '9', 'a'});
        e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decodeRgb(gif));
        assertTrue(e.getMessage().contains("unknown image format"), e.getMessage());
        Path shortBmp = Files.write(tmp.resolve("y.bmp"), new byte[] {'B', 'M', 0, 0, 0, 0});
        e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decodeRgb(shortBmp));
        assertTrue(e.getMessage().contains("BMP: truncated header"), e.getMessage());
    }

    /** A damaged byte is caught by a CRC, or lies past the image data (as in a cut-off IEND). */
    @Test
    void corruptPngFailsOrDecodesUnchanged() throws IOException {
        byte[] png = writePng(photo(BufferedImage.TYPE_3BYTE_BGR), false);
        RgbImage original = ImageDecoder.decodeRgb(png, Path.of("good.png"));
        Random r = new Random(7);
        int failures = 0;
        for (int trial = 0; trial < 300; trial++) {
            byte[] bad = png.clone();
            int at = 8 + r.nextInt(bad.length - 8);
            bad[at] ^= (byte) (1 + r.nextInt(255));
            try {
                RgbImage decoded = ImageDecoder.decodeRgb(bad, Path.of("bad.png"));
                assertTrue(decoded.samePixels(original), "flipped byte " + at + " changed the image silently");
                assertTrue(at >= png.length - 12, "flipped byte " + at + " before IEND was not detected");
            } catch (ImageDecodeException e) {
                failures++;
            }
        }
        assertTrue(failures > 250, failures + " of 300 damaged files failed");
    }

    private static void assertPixel(RgbImage image, int x, int y, int r, int g, int b) {
        assertArrayEquals(new int[] {r, g, b},
                new int[] {image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2)}, "pixel " + x + "," + y);
    }

    private static void fill(WritableRaster raster, int max, long seed) {
        Random r = new Random(seed);
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                for (int b = 0; b < raster.getNumBands(); b++) {
                    raster.setSample(x, y, b, r.nextInt(max + 1));
                }
            }
        }
    }

    private static BufferedImage photo(int type) {
        BufferedImage image = new BufferedImage(45, 37, type);
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 45; x++) {
                int rr = (int) (128 + 100 * Math.sin(x / 7.0) * Math.cos(y / 11.0));
                image.setRGB(x, y, (rr << 16) | ((x * 255 / 44) << 8) | (y * 7 % 256));
            }
        }
        return image;
    }

    /** Decodes {@code png} after checking the colour type and bit depth ImageIO wrote. */
    private static RgbImage decode(byte[] png, int colourType, int bitDepth) throws ImageDecodeException {
        assertEquals(colourType, png[25] & 0xFF, "colour type written by ImageIO");
        assertEquals(bitDepth, png[24] & 0xFF, "bit depth written by ImageIO");
        return ImageDecoder.decodeRgb(png, Path.of("generated.png"));
    }

    private static byte[] writePng(BufferedImage image, boolean interlaced) throws IOException {
        return write(image, "png", interlaced, null);
    }

    private static byte[] writeJpeg(BufferedImage image, boolean progressive) throws IOException {
        return write(image, "jpeg", progressive, 0.9f);
    }

    private static byte[] write(BufferedImage image, String format, boolean progressive, Float quality)
            throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        if (quality != null) {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
