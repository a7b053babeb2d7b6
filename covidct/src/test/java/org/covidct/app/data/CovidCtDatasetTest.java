package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.image.ImageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CovidCtDatasetTest {
    static final List<String> COVID_NAMES = List.of("2020.03.22-p17-80%1.png", "Covid (1).png", "a, b.png",
            "with space.png", "12%3 (copy), x.jpg", "plain.png", "c.png", "d.png", "e.png", "f.png");
    static final List<String> NON_COVID_NAMES = List.of("1%0.jpg", "2%1.jpg", "n (2).png", "n, 3.png", "n 4.jpg",
            "5.jpg", "6.png", "7.png", "8.png", "9.png");

    @TempDir
    Path root;

    /**
     * Writes a COVID-CT tree of 20 small PNG images: train lists 6 + 6, val 2 + 2, test 2 + 2, with the
     * upstream split files' quirks (mixed CRLF and LF, blank lines, surrounding spaces, no final newline).
     */
    static void writeTree(Path root) throws IOException {
        int seed = 0;
        for (String cls : List.of("CT_COVID", "CT_NonCOVID")) {
            Path dir = Files.createDirectories(root.resolve("Images-processed").resolve(cls));
            for (String name : cls.equals("CT_COVID") ? COVID_NAMES : NON_COVID_NAMES) {
                writeRandomPng(20 + seed % 7, 17 + seed % 5, seed, dir.resolve(name));
                seed++;
            }
        }
        write(root.resolve("Data-split/COVID/trainCT_COVID.txt"),
                COVID_NAMES.get(0) + "\r\n" + COVID_NAMES.get(1) + "\n\r\n  " + COVID_NAMES.get(2) + "  \n"
                        + COVID_NAMES.get(3) + "\r\n\n" + COVID_NAMES.get(4) + "\n" + COVID_NAMES.get(5));
        write(root.resolve("Data-split/COVID/valCT_COVID.txt"), COVID_NAMES.get(6) + "\r\n" + COVID_NAMES.get(7) + "\r\n");
        write(root.resolve("Data-split/COVID/testCT_COVID.txt"), "\n" + COVID_NAMES.get(8) + "\n" + COVID_NAMES.get(9));
        write(root.resolve("Data-split/NonCOVID/trainCT_NonCOVID.txt"),
                String.join("\r\n", NON_COVID_NAMES.subList(0, 6)));
        write(root.resolve("Data-split/NonCOVID/valCT_NonCOVID.txt"),
                NON_COVID_NAMES.get(6) + "\n" + NON_COVID_NAMES.get(7) + "\n\n");
        write(root.resolve("Data-split/NonCOVID/testCT_NonCOVID.txt"),
                NON_COVID_NAMES.get(8) + "\r" + NON_COVID_NAMES.get(9));
    }

    /** A {@code width x height} PNG of random pixels, written with ImageIO. */
    static void writeRandomPng(int width, int height, long seed, Path file) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void readsSplitsWithQuirksNonCovidFirst() throws IOException {
        writeTree(root);
        CovidCtDataset data = new CovidCtDataset(root);
        List<Sample> train = data.split("train");
        assertEquals(12, train.size());
        List<Sample> expected = new ArrayList<>();
        for (String n : NON_COVID_NAMES.subList(0, 6)) {
            expected.add(new Sample(root.resolve("Images-processed/CT_NonCOVID").resolve(n), 0));
        }
        for (String n : COVID_NAMES.subList(0, 6)) {
            expected.add(new Sample(root.resolve("Images-processed/CT_COVID").resolve(n), 1));
        }
        assertEquals(expected, train);
        assertEquals(4, data.split("val").size());
        assertEquals(List.of(0, 0, 1, 1), data.split("test").stream().map(Sample::label).toList());
        for (String split : CovidCtDataset.SPLITS) {
            for (Sample s : data.split(split)) {
                assertTrue(Files.isRegularFile(s.path()), s.toString());
                ImageDecoder.decodeRgb(s.path());
            }
        }
    }

    @Test
    void missingRootOrFolderOrSplitFileIsNamed() throws IOException {
        Path missing = root.resolve("no-such-root");
        DatasetException e = assertThrows(DatasetException.class, () -> new CovidCtDataset(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Files.createDirectories(root.resolve("Images-processed/CT_COVID"));
        e = assertThrows(DatasetException.class, () -> new CovidCtDataset(root));
        assertTrue(e.getMessage().contains(root.resolve("Images-processed/CT_NonCOVID").toString()), e.getMessage());

        writeTree(root);
        Path split = root.resolve("Data-split/NonCOVID/valCT_NonCOVID.txt");
        Files.delete(split);
        CovidCtDataset data = new CovidCtDataset(root);
        e = assertThrows(DatasetException.class, () -> data.split("val"));
        assertTrue(e.getMessage().contains(split.toString()) && e.getMessage().contains("missing"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> data.split("training"));
        assertTrue(e.getMessage().contains("training"), e.getMessage());
    }

    @Test
    void listsEveryMissingImageInOneLine() throws IOException {
        writeTree(root);
        Path covid = root.resolve("Images-processed/CT_COVID");
        Files.delete(covid.resolve(COVID_NAMES.get(1)));
        Files.delete(covid.resolve(COVID_NAMES.get(4)));
        DatasetException e = assertThrows(DatasetException.class, () -> new CovidCtDataset(root).split("train"));
        String m = e.getMessage();
        assertTrue(m.contains("2 listed images do not exist"), m);
        assertTrue(m.contains(covid.resolve(COVID_NAMES.get(1)).toString()), m);
        assertTrue(m.contains(covid.resolve(COVID_NAMES.get(4)).toString()), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void capsTheListOfMissingImages() throws IOException {
        writeTree(root);
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            names.append("gone ").append(i).append(".png\n");
        }
        write(root.resolve("Data-split/COVID/testCT_COVID.txt"), names.toString());
        DatasetException e = assertThrows(DatasetException.class, () -> new CovidCtDataset(root).split("test"));
        assertTrue(e.getMessage().contains("25 listed images do not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("gone 9.png") && !e.getMessage().contains("gone 10.png"), e.getMessage());
        assertTrue(e.getMessage().endsWith("and 15 more"), e.getMessage());
    }

    @Test
    void refusesNamesOutsideTheClassFolder() throws IOException {
        writeTree(root);
        write(root.resolve("Data-split/COVID/valCT_COVID.txt"), "../CT_NonCOVID/5.jpg\n");
        DatasetException e = assertThrows(DatasetException.class, () -> new CovidCtDataset(root).split("val"));
        assertTrue(e.getMessage().contains("../CT_NonCOVID/5.jpg"), e.getMessage());
    }
}
