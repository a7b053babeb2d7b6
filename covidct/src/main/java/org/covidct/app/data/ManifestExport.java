package org.covidct.app.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.layout.CsvManifest;

/**
 * A data set as {@code data manifest} writes it, a CSV manifest ({@link CsvManifest#write}) of
 * {@code path,label[,split][,group]}: the images and classes of any layout with the groups a
 * manifest gives or, for a COVID-CT checkout, its patients from {@code Meta/} ({@link CovidCtMeta});
 * an image Meta does not name is a group of its own. The layout's split is kept only when asked,
 * and only where it keeps every group in one split; without it, {@code train} splits the manifest
 * again, group by group.
 */
public final class ManifestExport {
    private final DataLayout layout;
    private final LabelledDataset read;
    private final List<LabelledFile> files;
    private final int withoutPatient;
    private final int unmatchedMeta;

    private ManifestExport(DataLayout layout, LabelledDataset read, List<LabelledFile> files, int withoutPatient,
                           int unmatchedMeta) {
        this.layout = layout;
        this.read = read;
        this.files = List.copyOf(files);
        this.withoutPatient = withoutPatient;
        this.unmatchedMeta = unmatchedMeta;
    }

    /** Reads the data set at {@code data}, in any layout, with its groups. */
    public static ManifestExport read(Path data) throws IOException {
        DataLayout layout = DataLayout.of(data);
        LabelledDataset read = layout.read(data);
        if (layout != DataLayout.COVID_CT) {
            return new ManifestExport(layout, read, read.files(), 0, 0);
        }
        CovidCtMeta meta = CovidCtMeta.read(data);
        List<LabelledFile> files = new ArrayList<>();
        List<List<String>> names = List.of(new ArrayList<>(), new ArrayList<>());
        int withoutPatient = 0;
        for (LabelledFile f : read.files()) {
            String name = f.path().getFileName().toString();
            String patient = meta.patient(f.label(), name);
            withoutPatient += patient == null ? 1 : 0;
            names.get(f.label()).add(name);
            files.add(new LabelledFile(f.path(), f.label(), f.split(), patient));
        }
        int unmatched = meta.unmatched(CovidCtDataset.NON_COVID, names.get(CovidCtDataset.NON_COVID))
                + meta.unmatched(CovidCtDataset.COVID, names.get(CovidCtDataset.COVID));
        return new ManifestExport(layout, read, files, withoutPatient, unmatched);
    }

    public DataLayout layout() {
        return layout;
    }

    /** What the groups are: "patients" for COVID-CT, whose groups are, else "groups". */
    public String groupWord() {
        return layout == DataLayout.COVID_CT ? "patients" : "groups";
    }

    /** How many images there are. */
    public int images() {
        return files.size();
    }

    /** The classes, label order. */
    public List<String> classes() {
        return read.classes();
    }

    /** How many images of a COVID-CT checkout Meta names no patient for (each is a group of its own). */
    public int withoutPatient() {
        return withoutPatient;
    }

    /** How many of a COVID-CT checkout's Meta names name no image. */
    public int unmatchedMeta() {
        return unmatchedMeta;
    }

    /** Whether the layout gives a split. */
    public boolean hasSplit() {
        return files.get(0).split() != null; // a data set's images all have one, or none has
    }

    /** What the layout's split does with the groups, where the data set has both. */
    public Optional<SplitOverlap> overlap() {
        return hasSplit() && files.stream().anyMatch(f -> f.group() != null) ? Optional.of(SplitOverlap.of(files))
                : Optional.empty();
    }

    /**
     * The manifest's data set: with the layout's split where {@code keepSplit}, else without one.
     *
     * @throws DatasetException when the split is to be kept but puts a group in two splits
     */
    public LabelledDataset manifest(boolean keepSplit) throws DatasetException {
        if (!keepSplit) {
            return LabelledDataset.of(read.source(), read.classes(), files.stream().map(f -> f.inSplit(null)).toList(),
                    read.indexFiles());
        }
        Optional<SplitOverlap> overlap = overlap();
        if (overlap.isPresent() && overlap.get().shared() > 0) {
            throw new DatasetException(read.source() + ": " + overlap.get().describe(groupWord()) + "; a manifest keeps "
                    + "each of its " + groupWord() + " in one split, so leave out --keep-split to split it again");
        }
        return LabelledDataset.of(read.source(), read.classes(), files, read.indexFiles());
    }
}
