package org.covidct.app.analyze;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.train.ScoresCsv;

/** Reads a run's score CSV ({@link ScoresCsv#HEADER}, RFC 4180 quoting) back into rows. */
public final class TestScores {
    /** One scored image. */
    public record Row(Path path, Prediction prediction) {
    }

    private TestScores() {
    }

    public static List<Row> read(Path file) throws IOException {
        List<List<String>> records = parse(Files.readString(file), file);
        if (records.isEmpty() || !String.join(",", records.get(0)).equals(ScoresCsv.HEADER)) {
            throw new IOException(file + ": not a scores file (expected the header " + ScoresCsv.HEADER + ")");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < records.size(); i++) {
            List<String> r = records.get(i);
            if (r.size() != 4) {
                throw new IOException(file + ": record " + (i + 1) + " has " + r.size() + " fields, expected 4");
            }
            try {
                Prediction p = new Prediction(Integer.parseInt(r.get(1)), Integer.parseInt(r.get(3)),
                        Double.parseDouble(r.get(2)));
                rows.add(new Row(Path.of(r.get(0)), p));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": record " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return rows;
    }

    /** Records of fields; quoted fields may hold commas, doubled quotes and line breaks. */
    static List<List<String>> parse(String text, Path file) throws IOException {
        List<List<String>> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, open = false; // open: a record has started and not yet ended
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            open = true;
            if (quoted) {
                if (c != '"') {
                    field.append(c);
                } else if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> quoted = true;
                case ',' -> {
                    fields.add(field.toString());
                    field.setLength(0);
                }
                case '\r' -> { }
                case '\n' -> {
                    fields.add(field.toString());
                    records.add(fields);
                    fields = new ArrayList<>();
                    field.setLength(0);
                    open = false;
                }
                default -> field.append(c);
            }
        }
        if (quoted) {
            throw new IOException(file + ": a quoted field is not closed");
        }
        if (open) {
            fields.add(field.toString());
            records.add(fields);
        }
        return records;
    }
}
