package org.covidct.app.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.covidct.nn.data.DatasetException;

/**
 * The patient of each COVID-CT image, from the checkout's {@code Meta/} folder:
 * {@value #COVID_XLSX} for {@code CT_COVID} (columns {@code File name} and {@code Patient ID}) and
 * {@value #NON_COVID_CSV} for {@code CT_NonCOVID} (columns {@code image name} and
 * {@code patient id}, beside pandas' unnamed index). Columns are found by their header, ignoring
 * case; patient ids are trimmed (upstream writes {@code "Patient 180 "} once).
 *
 * <p>A Meta name is an image's file name, or its name without the extension where the Meta name has
 * none (83 of upstream's COVID rows leave {@code .png} off). Rows with neither name nor patient (a
 * note under the table) are skipped; a row with only one of them, or a name given two patients, is
 * refused in one line naming the file and the row.
 */
public final class CovidCtMeta {
    /** The COVID images' Meta file, relative to the checkout. */
    public static final String COVID_XLSX = "Meta/COVID-CT-MetaInfo.xlsx";
    /** The NonCOVID images' Meta file, relative to the checkout. */
    public static final String NON_COVID_CSV = "Meta/NonCOVID-CT-MetaInfo.csv";

    private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

    /** Patient by Meta name, per label ({@link CovidCtDataset#NON_COVID}, {@link CovidCtDataset#COVID}). */
    private final List<Map<String, String>> patients;

    private CovidCtMeta(List<Map<String, String>> patients) {
        this.patients = patients;
    }

    /** Reads both Meta files of the checkout {@code root}. */
    public static CovidCtMeta read(Path root) throws IOException {
        Path covid = root.resolve(COVID_XLSX), nonCovid = root.resolve(NON_COVID_CSV);
        for (Path file : List.of(covid, nonCovid)) {
            if (!Files.isRegularFile(file)) {
                throw new DatasetException(file + " does not exist: COVID-CT's patient ids are in " + COVID_XLSX
                        + " and " + NON_COVID_CSV + " of the UCSD-AI4H/COVID-CT repository");
            }
        }
        Map<String, String> nonCovidPatients = patients(nonCovid, csvRows(nonCovid), "image name", "patient id", "line");
        Map<String, String> covidPatients = patients(covid, XlsxSheet.read(covid), "File name", "Patient ID", "row");
        return new CovidCtMeta(List.of(nonCovidPatients, covidPatients));
    }

    /**
     * The patient of the image named {@code fileName} in the folder of class {@code label}, or null
     * where Meta names none.
     */
    public String patient(int label, String fileName) {
        String key = metaName(label, fileName);
        return key == null ? null : patients.get(label).get(key);
    }

    /** How many of class {@code label}'s Meta names name none of the images {@code fileNames}. */
    public int unmatched(int label, Collection<String> fileNames) {
        Set<String> used = new HashSet<>();
        for (String name : fileNames) {
            String key = metaName(label, name);
            if (key != null) {
                used.add(key);
            }
        }
        return patients.get(label).size() - used.size();
    }

    /** The Meta name that names image {@code fileName} of class {@code label}, or null. */
    private String metaName(int label, String fileName) {
        Map<String, String> byName = patients.get(label);
        if (byName.containsKey(fileName)) {
            return fileName;
        }
        String stem = withoutImageExtension(fileName);
        boolean stemHasNoExtension = !stem.equals(fileName) && stem.equals(withoutImageExtension(stem));
        return stemHasNoExtension && byName.containsKey(stem) ? stem : null;
    }

    private static Map<String, String> patients(Path file, List<XlsxSheet.Row> rows, String nameColumn,
                                                String patientColumn, String unit) throws DatasetException {
        XlsxSheet.Row header = rows.stream().filter(r -> r.cells().stream().anyMatch(c -> c != null && !c.isBlank()))
                .findFirst().orElseThrow(() -> new DatasetException(file + ": empty; expected the columns '" + nameColumn
                        + "' and '" + patientColumn + "'"));
        int name = column(file, header, nameColumn, unit), patient = column(file, header, patientColumn, unit);
        Map<String, String> byName = new HashMap<>();
        Map<String, Integer> firstRow = new HashMap<>();
        for (XlsxSheet.Row row : rows.subList(rows.indexOf(header) + 1, rows.size())) {
            String n = trimmed(row.cell(name)), p = trimmed(row.cell(patient));
            if (n == null && p == null) {
                continue;
            }
            String where = file + " " + unit + " " + row.number() + ": ";
            if (n == null || p == null) {
                throw new DatasetException(where + (n == null ? "patient '" + p + "' has no " + nameColumn
                        : "'" + n + "' has no " + patientColumn));
            }
            String before = byName.putIfAbsent(n, p);
            if (before != null && !before.equals(p)) {
                throw new DatasetException(where + "'" + n + "' has patient '" + p + "', but " + unit + " "
                        + firstRow.get(n) + " gave it '" + before + "'");
            }
            firstRow.putIfAbsent(n, row.number());
        }
        return Map.copyOf(byName);
    }

    private static int column(Path file, XlsxSheet.Row header, String wanted, String unit) throws DatasetException {
        for (int c = 0; c < header.cells().size(); c++) {
            String h = trimmed(header.cell(c));
            if (h != null && h.equalsIgnoreCase(wanted)) {
                return c;
            }
        }
        throw new DatasetException(file + " " + unit + " " + header.number() + ": no column '" + wanted
                + "' (the header names " + header.cells().stream().map(c -> c == null ? "" : "'" + c + "'")
                .filter(c -> !c.isEmpty()).toList() + ")");
    }

    /**
     * The lines of a CSV file (UTF-8, a byte-order mark skipped) split into fields by RFC 4180,
     * each line one record: a quoted field may hold commas and doubled quotes, not line breaks.
     */
    static List<XlsxSheet.Row> csvRows(Path file) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new DatasetException(file + ": not UTF-8 text", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<XlsxSheet.Row> rows = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                rows.add(new XlsxSheet.Row(i + 1, fields(file, lines[i], i + 1)));
            }
        }
        return rows;
    }

    private static List<String> fields(Path file, String line, int number) throws DatasetException {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c != '"') {
                    field.append(c);
                } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = false;
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '"' && field.toString().isBlank() && !wasQuoted) {
                field.setLength(0);
                quoted = wasQuoted = true;
            } else if (wasQuoted && !Character.isWhitespace(c)) {
                throw new DatasetException(file + " line " + number + ": text after a quoted field");
            } else if (!wasQuoted) {
                field.append(c);
            }
        }
        if (quoted) {
            throw new DatasetException(file + " line " + number + ": a quoted field is not closed on its line");
        }
        fields.add(field.toString());
        return fields;
    }

    private static String trimmed(String cell) {
        return cell == null || cell.isBlank() ? null : cell.strip();
    }

    private static String withoutImageExtension(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String ext : IMAGE_EXTENSIONS) {
            if (lower.endsWith(ext)) {
                return name.substring(0, name.length() - ext.length());
            }
        }
        return name;
    }
}
