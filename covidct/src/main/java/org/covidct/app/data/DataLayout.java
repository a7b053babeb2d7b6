package org.covidct.app.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;
import org.covidct.nn.data.layout.CsvManifest;
import org.covidct.nn.data.layout.ImageFolder;

/**
 * The layouts {@code --data PATH} may name, told apart by what the path is: a folder holding
 * {@code Images-processed/} and {@code Data-split/} is a COVID-CT checkout, any other folder an
 * ImageFolder tree, and a file a CSV manifest.
 */
public enum DataLayout {
    /** A COVID-CT checkout: its class folders, with its own train, val and test split files. */
    COVID_CT("covid-ct"),
    /** torchvision's ImageFolder layout: a folder per class, optionally under train/, val/ and test/. */
    IMAGE_FOLDER("image-folder"),
    /** A CSV manifest of path, label and optionally split and group. */
    CSV_MANIFEST("csv-manifest");

    private final String id;

    DataLayout(String id) {
        this.id = id;
    }

    /** The name config.json records. */
    public String id() {
        return id;
    }

    /** The layout whose {@link #id()} is {@code id}, or null when there is none. */
    public static DataLayout byId(String id) {
        for (DataLayout l : values()) {
            if (l.id.equals(id)) {
                return l;
            }
        }
        return null;
    }

    /** The layout of {@code data}, which must exist. */
    public static DataLayout of(Path data) throws DatasetException {
        if (Files.isRegularFile(data)) {
            return CSV_MANIFEST;
        }
        if (!Files.isDirectory(data)) {
            throw new DatasetException(data + " does not exist (--data takes a COVID-CT checkout, an ImageFolder tree "
                    + "or a CSV manifest)");
        }
        return Files.isDirectory(data.resolve("Images-processed")) && Files.isDirectory(data.resolve("Data-split"))
                ? COVID_CT : IMAGE_FOLDER;
    }

    /** Reads the data set at {@code data}, whose layout this is; its classes and files are the layout's. */
    public LabelledDataset read(Path data) throws DatasetException {
        return switch (this) {
            case COVID_CT -> covidCt(data);
            case IMAGE_FOLDER -> ImageFolder.read(data);
            case CSV_MANIFEST -> CsvManifest.read(data);
        };
    }

    /**
     * The folder the data set's files are named relative to (in data.sha256 and in a run's split):
     * the folder itself, or a manifest's folder, with which the images its relative paths name move.
     */
    public Path root(Path data) {
        return this == CSV_MANIFEST ? data.toAbsolutePath().getParent() : data;
    }

    /**
     * COVID-CT as a labelled data set: its split files' images in their order (train, val, test, each
     * NonCOVID then COVID, as {@link CovidCtDataset#split} lists them), the six split files as its index.
     */
    private static LabelledDataset covidCt(Path root) throws DatasetException {
        CovidCtDataset covidCt = new CovidCtDataset(root);
        List<LabelledFile> files = new ArrayList<>();
        List<Path> splitFiles = new ArrayList<>();
        for (String name : CovidCtDataset.SPLITS) {
            Split split = Split.byId(name);
            covidCt.split(name).forEach(s -> files.add(new LabelledFile(s.path(), s.label(), split, null)));
            splitFiles.add(covidCt.splitFile(name, CovidCtDataset.NON_COVID));
            splitFiles.add(covidCt.splitFile(name, CovidCtDataset.COVID));
        }
        return LabelledDataset.of(root, CovidCtDataset.CLASSES, files, splitFiles);
    }
}
