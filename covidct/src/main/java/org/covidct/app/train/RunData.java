package org.covidct.app.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.covidct.app.data.BinaryLabels;
import org.covidct.app.data.DataLayout;
import org.covidct.app.data.DataManifest;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.Split;
import org.covidct.nn.data.layout.CsvManifest;
import org.covidct.nn.data.split.StratifiedSplit;

/**
 * The data a run trains on: its data set in the classifier's labels (1 the positive class), with
 * every image in train, val or test, read from its {@code --data}.
 *
 * <p>A run starts by completing the split its layout leaves open ({@link StratifiedSplit} with the
 * run's fractions and seed), and records it as {@code split.csv}, with data.sha256 for the content
 * of every file it reads and, in config.json, the SHA-256 of the split: each image's path relative to
 * the data set's root, class, split and group, in order. A resume reads split.csv, so a later version
 * that would split differently still resumes on the same images. Its paths are relative to the run
 * directory; when the run or the data set moved, they no longer lead to the run's images (its
 * fingerprint, taken relative to the root, no longer matches), and the split is made again at the
 * data set's place, must give the recorded fingerprint, and is written as the new split.csv.
 */
final class RunData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LabelledDataset dataset;
    private final DataLayout layout;
    private final Path root;

    private RunData(LabelledDataset dataset, DataLayout layout, Path root) {
        this.dataset = dataset;
        this.layout = layout;
        this.root = root;
    }

    /**
     * The data of a new run with settings {@code config}: its data set relabelled by its positive
     * class and split.
     *
     * @throws org.covidct.app.data.PositiveClassException when the positive class is open or named wrongly
     * @throws DatasetException when the data set cannot be read, has other than two classes or is too
     *     small to split
     */
    static RunData start(TrainConfig config) throws IOException {
        DataLayout layout = DataLayout.of(config.data());
        LabelledDataset binary = BinaryLabels.relabel(layout.read(config.data()), config.positiveClass());
        LabelledDataset split = StratifiedSplit.complete(binary, config.splitFractions(), config.seed());
        return new RunData(split, layout, layout.root(config.data()));
    }

    /**
     * The data of the run in {@code run}, with settings {@code config} (whose data set has been
     * checked against data.sha256) and {@code recorded}: split.csv where it names the recorded split,
     * else the split made again at {@code config.data()} (see the class comment).
     *
     * @throws IOException when the split made again differs from the recorded one
     */
    static RunData resume(TrainConfig config, Optional<RecordedData> recorded, RunDirectory run) throws IOException {
        if (recorded.isEmpty()) {
            return new RunData(BinaryLabels.relabel(DataLayout.COVID_CT.read(config.data()), null), DataLayout.COVID_CT,
                    config.data());
        }
        RecordedData r = recorded.get();
        Path root = r.layout().root(config.data());
        try {
            LabelledDataset saved = CsvManifest.read(run.split(), r.classes().list())
                    .withPositiveClass(r.classes().positive());
            if (fingerprint(saved, root).equals(r.splitSha256())) {
                return new RunData(saved, r.layout(), root);
            }
        } catch (DatasetException e) {
            // Its images are not where split.csv says, relative to the run directory: one of the two moved.
        }
        LabelledDataset again = StratifiedSplit.complete(BinaryLabels.relabel(r.layout().read(config.data()),
                r.classes().positive()), config.splitFractions(), config.seed());
        String made = fingerprint(again, root);
        if (!made.equals(r.splitSha256())) {
            throw new IOException(run.split() + " does not lead to the run's images, and the split made again from "
                    + config.data() + " is not the run's (SHA-256 " + made + ", not " + r.splitSha256()
                    + "); put split.csv back, or resume with the version that started the run");
        }
        CsvManifest.write(run.split(), again);
        return new RunData(again, r.layout(), root);
    }

    /** What config.json records of this data. */
    RecordedData record() {
        return new RecordedData(layout, classes(), fingerprint(dataset, root));
    }

    /** Writes data.sha256 (the content of every file the data set is read from) and split.csv into {@code run}. */
    void write(RunDirectory run) throws IOException {
        DataManifest.of(root, dataset.dependencies()).write(run.dataManifest());
        CsvManifest.write(run.split(), dataset);
    }

    /** The negative and the positive class, as the data set names them. */
    ClassNames classes() {
        return BinaryLabels.names(dataset);
    }

    /** The class names the run's checkpoints record. */
    List<String> modelClassNames() {
        return ClassifierModels.classNames(classes());
    }

    /** The samples of {@code split}, in the data set's order. */
    List<Sample> samples(Split split) {
        return dataset.samples(split);
    }

    /**
     * The SHA-256 of the JSON array of {@code [path relative to root, class, split, group]} of every
     * image, in order: the same for the same split of the same files wherever they are.
     */
    static String fingerprint(LabelledDataset dataset, Path root) {
        List<List<String>> rows = new ArrayList<>();
        for (LabelledFile f : dataset.files()) {
            rows.add(Arrays.asList(DataManifest.relativeName(root, f.path()), dataset.classes().get(f.label()),
                    f.split().id(), f.group()));
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(rows)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings is JSON", e);
        }
    }
}
