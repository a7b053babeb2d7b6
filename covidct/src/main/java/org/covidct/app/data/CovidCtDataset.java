package org.covidct.app.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.Sample;

/**
 * The COVID-CT data set in the layout of the UCSD-AI4H repository:
 *
 * <pre>
 * root/Images-processed/CT_NonCOVID/   label 0
 * root/Images-processed/CT_COVID/      label 1
 * root/Data-split/NonCOVID/{train,val,test}CT_NonCOVID.txt
 * root/Data-split/COVID/{train,val,test}CT_COVID.txt
 * </pre>
 *
 * A split lists the NonCOVID files and then the COVID files, each in split-file order, as the
 * tutorial's {@code CovidCTDataset} does. Split files are read as UTF-8; lines end in LF, CRLF or CR,
 * each line is stripped of surrounding white space, and blank lines are skipped. Names are used
 * verbatim otherwise ({@code %}, spaces, commas and parentheses included).
 */
public final class CovidCtDataset {
    public static final int NON_COVID = 0;
    public static final int COVID = 1;
    /** Class folder names, indexed by label. */
    public static final List<String> CLASSES = List.of("CT_NonCOVID", "CT_COVID");
    /** The split names. */
    public static final List<String> SPLITS = List.of("train", "val", "test");

    private static final int MAX_LISTED_MISSING = 10;

    private final Path root;

    /** Checks that {@code root} and its two image folders exist. */
    public CovidCtDataset(Path root) throws DatasetException {
        this.root = root;
        if (!Files.isDirectory(root)) {
            throw new DatasetException("COVID-CT root " + root + " is not a directory");
        }
        for (String cls : CLASSES) {
            Path dir = imageDir(CLASSES.indexOf(cls));
            if (!Files.isDirectory(dir)) {
                throw new DatasetException("COVID-CT image folder " + dir + " is missing");
            }
        }
    }

    public Path root() {
        return root;
    }

    /** The folder holding the images of {@code label}. */
    public Path imageDir(int label) {
        return root.resolve("Images-processed").resolve(CLASSES.get(label));
    }

    /** The split file listing the images of {@code label} in split {@code name}. */
    public Path splitFile(String name, int label) {
        String cls = label == COVID ? "COVID" : "NonCOVID";
        return root.resolve("Data-split").resolve(cls).resolve(name + "CT_" + cls + ".txt");
    }

    /** The samples of split {@code name} ("train", "val" or "test"): NonCOVID first, then COVID. */
    public List<Sample> split(String name) throws DatasetException {
        if (!SPLITS.contains(name)) {
            throw new DatasetException("unknown COVID-CT split '" + name + "' (expected one of " + SPLITS + ")");
        }
        List<Sample> samples = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (int label : new int[] {NON_COVID, COVID}) {
            Path dir = imageDir(label);
            for (String fileName : readSplitFile(splitFile(name, label))) {
                Path image;
                try {
                    image = dir.resolve(fileName).normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    throw new DatasetException("split file " + splitFile(name, label) + " lists an invalid file name '"
                            + fileName + "'", e);
                }
                if (!image.startsWith(dir.normalize()) || image.equals(dir.normalize())) {
                    throw new DatasetException("split file " + splitFile(name, label) + " lists '" + fileName
                            + "', which is not a file name inside " + dir);
                }
                if (!Files.isRegularFile(image)) {
                    missing.add(image);
                }
                samples.add(new Sample(image, label));
            }
        }
        if (!missing.isEmpty()) {
            StringBuilder sb = new StringBuilder("COVID-CT split '" + name + "': " + missing.size() + " listed image"
                    + (missing.size() == 1 ? " does" : "s do") + " not exist: ");
            for (int i = 0; i < Math.min(missing.size(), MAX_LISTED_MISSING); i++) {
                sb.append(i == 0 ? "" : ", ").append(missing.get(i));
            }
            if (missing.size() > MAX_LISTED_MISSING) {
                sb.append(", and ").append(missing.size() - MAX_LISTED_MISSING).append(" more");
            }
            throw new DatasetException(sb.toString());
        }
        if (samples.isEmpty()) {
            throw new DatasetException("COVID-CT split '" + name + "' is empty: " + splitFile(name, NON_COVID) + " and "
                    + splitFile(name, COVID) + " list no images");
        }
        return List.copyOf(samples);
    }

    /** The non-blank, stripped lines of a split file. */
    static List<String> readSplitFile(Path file) throws DatasetException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new DatasetException("COVID-CT split file " + file + " is missing", e);
        } catch (CharacterCodingException e) {
            throw new DatasetException("COVID-CT split file " + file + " is not valid UTF-8", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read COVID-CT split file " + file + " (" + e + ")", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> names = new ArrayList<>();
        for (String line : text.split("\r\n|\r|\n")) {
            String name = line.strip();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
