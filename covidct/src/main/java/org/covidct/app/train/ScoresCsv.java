package org.covidct.app.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.Prediction;

/** Per-image scores as CSV (RFC 4180 quoting: the data set's file names contain commas). */
public final class ScoresCsv {
    public static final String HEADER = "path,target,covid_probability,prediction";

    private ScoresCsv() {
    }

    public static void write(Path file, List<Path> paths, List<Prediction> predictions) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < paths.size(); i++) {
            Prediction p = predictions.get(i);
            sb.append(quote(paths.get(i).toString())).append(',').append(p.target()).append(',')
                    .append(String.format(Locale.ROOT, "%.8f", p.score())).append(',').append(p.predicted())
                    .append('\n');
        }
        AtomicOutput.text(file, sb.toString());
    }

    /** Quotes a field when it holds a comma, a quote or a line break. */
    public static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

}
