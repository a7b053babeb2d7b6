package org.covidct.spark.score;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;
import org.covidct.app.cli.DeviceOption;
import org.covidct.app.metrics.Prediction;
import org.covidct.nn.data.image.ImageDecodeException;
import org.covidct.nn.data.image.ImageDecoder;
import org.covidct.nn.data.image.ImageTransform;
import org.covidct.spark.ExecutorDevice;

/**
 * Scores one partition of {@code (path[, content])} rows a batch at a time, as predict does: each
 * image decoded and put through predict's transform, the batch run through the executor's shared
 * classifier, and each image's COVID probability and predicted class taken from its two logits.
 * Rows come out in the order they came in. An image that cannot be read or decoded becomes a row
 * with its {@code error} and no probability; the rest of its batch is scored as usual.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ScoringModel> model;
    /** Null when the rows carry the files' content; else how to read each path. */
    private final Broadcast<SerializableConfiguration> hadoop;
    private final int batchSize;
    private final DeviceOption.Choice device;

    PartitionScorer(Broadcast<ScoringModel> model, Broadcast<SerializableConfiguration> hadoop, int batchSize,
                    DeviceOption.Choice device) {
        this.model = model;
        this.hadoop = hadoop;
        this.batchSize = batchSize;
        this.device = device;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Scored(rows);
    }

    /** The scored rows, computed a batch at a time as they are asked for. */
    private final class Scored implements Iterator<Row> {
        private final Iterator<Row> input;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        /** predict's transform has no random step; apply still takes a generator. */
        private final SplittableRandom unused = new SplittableRandom(0);
        private LoadedClassifier classifier;

        Scored(Iterator<Row> input) {
            this.input = input;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && input.hasNext()) {
                scoreNextBatch();
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException("no more scored rows in this partition");
            }
            return ready.poll();
        }

        private void scoreNextBatch() {
            if (classifier == null) { // here rather than in call(): an empty partition loads nothing
                classifier = ExecutorModels.get(model.value(), ExecutorDevice.resolve(device));
            }
            ImageTransform transform = classifier.transform();
            int per = 3 * transform.outputSize() * transform.outputSize();
            float[] images = new float[batchSize * per];
            String[] paths = new String[batchSize];
            String[] errors = new String[batchSize];
            int taken = 0;
            int decoded = 0;
            while (taken < batchSize && input.hasNext()) {
                Row row = input.next();
                String path = row.getString(0);
                paths[taken] = path;
                try {
                    byte[] bytes = hadoop == null ? (byte[]) row.get(1) : read(path);
                    if (bytes == null) {
                        throw new ImageDecodeException(Path.of(path), "no content");
                    }
                    transform.apply(transform.prepare(ImageDecoder.decodeRgb(bytes, Path.of(path))), unused, images,
                            decoded * per);
                    decoded++;
                } catch (ImageDecodeException e) {
                    errors[taken] = e.reason();
                } catch (IOException e) {
                    errors[taken] = "cannot read (" + oneLine(e) + ")";
                }
                taken++;
            }
            float[] logits = decoded == 0 ? new float[0]
                    : classifier.logits(decoded == batchSize ? images : Arrays.copyOf(images, decoded * per), decoded);
            for (int i = 0, k = 0; i < taken; i++) {
                if (errors[i] != null) {
                    ready.add(RowFactory.create(paths[i], null, null, errors[i]));
                    continue;
                }
                float nonCovid = logits[2 * k];
                float covid = logits[2 * k + 1];
                k++;
                ready.add(RowFactory.create(paths[i], Prediction.covidProbability(nonCovid, covid),
                        classifier.className(Prediction.argmax(nonCovid, covid)), null));
            }
        }

        /** The file at {@code path}, a Hadoop path string as binaryFile lists them (not URI-encoded). */
        private byte[] read(String path) throws IOException {
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path);
            FileSystem fs = file.getFileSystem(hadoop.value().value());
            try (InputStream in = fs.open(file)) {
                return in.readAllBytes();
            }
        }
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " ");
        return e.getClass().getSimpleName() + message;
    }
}
