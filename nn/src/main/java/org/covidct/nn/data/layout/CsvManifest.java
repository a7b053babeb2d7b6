package org.covidct.nn.data.layout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;

/**
 * A data set listed in a CSV file, one image a line:
 *
 * <pre>
 * path,label,split,group
 * scans/p1/001.png,COVID,train,p1
 * "scans/p2/scan 1, 80%.png",NonCOVID,test,p2
 * </pre>
 *
 * <ul>
 *   <li>UTF-8 (a byte-order mark is skipped), RFC 4180 quoting: a field in double quotes may hold
 *       commas, line breaks and quotes (doubled). White space around a field is dropped, so a name with
 *       leading or trailing spaces must be quoted. Lines end in CRLF, LF or CR; blank lines are
 *       skipped.</li>
 *   <li>The first line names the columns: {@code path} and {@code label}, and optionally
 *       {@code split} and {@code group}, in any order; no others.</li>
 *   <li>{@code path}: an image file, relative to the manifest's folder, or absolute. It must exist;
 *       it is decoded by content, so its extension does not matter.</li>
 *   <li>{@code label}: the class name. The classes are numbered in code-point order of their names,
 *       as torchvision numbers class folders, unless the caller gives the order.</li>
 *   <li>{@code split}: {@code train}, {@code val} or {@code test} on every line; without the column the
 *       split is left to {@code StratifiedSplit} (as is a val or test split that no line names).</li>
 *   <li>{@code group}: lines with one group (a patient) stay in one split; an empty group is a group
 *       of its own.</li>
 *   <li>One file (compared by its real path) may be listed once only, and a group may not span two
 *       splits.</li>
 * </ul>
 *
 * Every error is one line naming the manifest and, for a line's fault, the line number.
 */
public final class CsvManifest {
    /** The columns a manifest may have; the first two are required. */
    public static final List<String> COLUMNS = List.of("path", "label", "split", "group");

    private CsvManifest() {
    }

    /**
     * Reads {@code manifest}, numbering the classes in code-point order of their names.
     *
     * @throws DatasetException when the file cannot be read or is not a valid manifest
     */
    public static LabelledDataset read(Path manifest) throws DatasetException {
        return read(manifest, null);
    }

    /**
     * Reads {@code manifest}, numbering the classes as {@code classes} lists them (to read back a
     * split written by {@link #write} with the labels it had); with null, in code-point order.
     *
     * @throws DatasetException when the file cannot be read, is not a valid manifest, or its labels
     *     are not exactly {@code classes}
     */
    public static LabelledDataset read(Path manifest, List<String> classes) throws DatasetException {
        List<CsvRecords.Record> records = records(manifest);
        if (records.isEmpty()) {
            throw new DatasetException("manifest " + manifest + " is empty; its first line must name the columns "
                    + String.join(",", COLUMNS.subList(0, 2)));
        }
        Columns columns = Columns.of(manifest, records.get(0));
        List<Row> rows = new ArrayList<>();
        for (CsvRecords.Record record : records.subList(1, records.size())) {
            rows.add(columns.row(manifest, record));
        }
        if (rows.isEmpty()) {
            throw new DatasetException("manifest " + manifest + " lists no images");
        }
        checkFilesExist(manifest, rows);
        checkOneFileOnce(manifest, rows);
        List<String> names = classNames(manifest, rows, classes);
        List<LabelledFile> files = new ArrayList<>();
        for (Row row : rows) {
            files.add(new LabelledFile(row.path, names.indexOf(row.label), row.split, row.group));
        }
        checkGroupsInOneSplit(manifest, rows);
        return LabelledDataset.of(manifest, names, files, List.of(manifest));
    }

    /**
     * Writes {@code dataset} to {@code manifest} (replacing it, atomically) with a {@code split}
     * column when its images have splits and a {@code group} column when some have groups, in the
     * data set's order, so that {@link #read(Path, List)} with {@code dataset.classes()} gives the
     * same data set back. Paths are written relative to the manifest's folder, with {@code /}, where
     * that is possible (on one file-system root) and absolute otherwise; a relative path then holds
     * while the manifest and the images keep their places relative to each other. Lines end in LF.
     */
    public static void write(Path manifest, LabelledDataset dataset) throws IOException {
        boolean splits = dataset.files().stream().anyMatch(f -> f.split() != null);
        boolean groups = dataset.hasGroups();
        StringBuilder out = new StringBuilder("path,label");
        out.append(splits ? ",split" : "").append(groups ? ",group" : "").append('\n');
        Path folder = manifest.toAbsolutePath().normalize().getParent();
        for (LabelledFile f : dataset.files()) {
            out.append(quoted(pathText(folder, f.path()))).append(',')
                    .append(quoted(dataset.classes().get(f.label())));
            if (splits) {
                out.append(',').append(f.split().id());
            }
            if (groups) {
                out.append(',').append(f.group() == null ? "" : quoted(f.group()));
            }
            out.append('\n');
        }
        Path temp = Files.createTempFile(folder, manifest.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, out, StandardCharsets.UTF_8);
            Files.move(temp, manifest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private record Row(int line, Path path, String label, Split split, String group) {
    }

    /** Where each column is in a line. */
    private record Columns(int count, int path, int label, int split, int group) {
        static Columns of(Path manifest, CsvRecords.Record header) throws DatasetException {
            int[] at = {-1, -1, -1, -1};
            List<String> names = header.fields();
            for (int i = 0; i < names.size(); i++) {
                int column = COLUMNS.indexOf(names.get(i));
                if (column < 0) {
                    throw new DatasetException(manifest + " line " + header.line() + ": unknown column '" + names.get(i)
                            + "' (the columns are " + String.join(", ", COLUMNS) + ")");
                }
                if (at[column] >= 0) {
                    throw new DatasetException(manifest + " line " + header.line() + ": column '" + names.get(i)
                            + "' is named twice");
                }
                at[column] = i;
            }
            if (at[0] < 0 || at[1] < 0) {
                throw new DatasetException(manifest + " line " + header.line()
                        + ": the first line must name the columns path and label (it names " + String.join(", ", names)
                        + ")");
            }
            return new Columns(names.size(), at[0], at[1], at[2], at[3]);
        }

        Row row(Path manifest, CsvRecords.Record record) throws DatasetException {
            String where = manifest + " line " + record.line() + ": ";
            List<String> fields = record.fields();
            if (fields.size() != count) {
                throw new DatasetException(where + fields.size() + " fields where the first line names " + count
                        + " columns");
            }
            String pathText = fields.get(path);
            if (pathText.isEmpty()) {
                throw new DatasetException(where + "no path");
            }
            String labelText = fields.get(label);
            if (labelText.isEmpty()) {
                throw new DatasetException(where + "no label");
            }
            Split splitValue = null;
            if (split >= 0) {
                splitValue = Split.byId(fields.get(split));
                if (splitValue == null) {
                    throw new DatasetException(where + "unknown split '" + fields.get(split)
                            + "' (expected train, val or test)");
                }
            }
            String groupText = group >= 0 && !fields.get(group).isEmpty() ? fields.get(group) : null;
            Path file;
            try {
                file = manifest.toAbsolutePath().getParent().resolve(pathText).normalize();
            } catch (InvalidPathException e) {
                throw new DatasetException(where + "invalid path '" + pathText + "' (" + e.getMessage() + ")", e);
            }
            return new Row(record.line(), file, labelText, splitValue, groupText);
        }
    }

    private static List<CsvRecords.Record> records(Path manifest) throws DatasetException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(manifest)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new DatasetException("manifest " + manifest + " does not exist", e);
        } catch (CharacterCodingException e) {
            throw new DatasetException("manifest " + manifest + " is not valid UTF-8", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read manifest " + manifest + " (" + e + ")", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        try {
            return CsvRecords.parse(text).stream().filter(r -> !r.blank()).toList();
        } catch (CsvRecords.MalformedException e) {
            throw new DatasetException(manifest + " line " + e.line() + ": " + e.getMessage(), e);
        }
    }

    private static void checkFilesExist(Path manifest, List<Row> rows) throws DatasetException {
        List<Row> missing = rows.stream().filter(r -> !Files.isRegularFile(r.path)).toList();
        if (!missing.isEmpty()) {
            Row first = missing.get(0);
            throw new DatasetException(manifest + " line " + first.line + ": image " + first.path + " does not exist"
                    + (missing.size() > 1 ? " (nor do those of " + (missing.size() - 1) + " more lines)" : ""));
        }
    }

    private static void checkOneFileOnce(Path manifest, List<Row> rows) throws DatasetException {
        Map<Path, Row> byRealPath = new HashMap<>();
        for (Row row : rows) {
            Path real;
            try {
                real = row.path.toRealPath();
            } catch (IOException e) {
                throw new DatasetException(manifest + " line " + row.line + ": cannot read " + row.path + " (" + e + ")", e);
            }
            Row first = byRealPath.putIfAbsent(real, row);
            if (first == null) {
                continue;
            }
            String where = !first.label.equals(row.label) ? "in two classes, '" + first.label + "' and '" + row.label + "'"
                    : first.split != row.split ? "in two splits, " + first.split + " and " + row.split
                    : "twice";
            throw new DatasetException(manifest + " lines " + first.line + " and " + row.line + " list one file ("
                    + real + ") " + where);
        }
    }

    private static void checkGroupsInOneSplit(Path manifest, List<Row> rows) throws DatasetException {
        Map<String, Row> firstOfGroup = new HashMap<>();
        for (Row row : rows) {
            if (row.group == null || row.split == null) {
                continue;
            }
            Row first = firstOfGroup.putIfAbsent(row.group, row);
            if (first != null && first.split != row.split) {
                throw new DatasetException(manifest + " lines " + first.line + " and " + row.line + " put group '"
                        + row.group + "' in two splits, " + first.split + " and " + row.split);
            }
        }
    }

    private static List<String> classNames(Path manifest, List<Row> rows, List<String> given) throws DatasetException {
        TreeSet<String> labels = new TreeSet<>(CodePointOrder.INSTANCE);
        rows.forEach(r -> labels.add(r.label));
        if (given == null) {
            return List.copyOf(labels);
        }
        if (!labels.equals(new TreeSet<>(given)) || given.size() != labels.size()) {
            throw new DatasetException(manifest + ": its labels " + labels + " are not the classes " + given);
        }
        return List.copyOf(given);
    }

    private static String pathText(Path folder, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (folder.getRoot() == null || !folder.getRoot().equals(absolute.getRoot())) {
            return absolute.toString();
        }
        List<String> names = new ArrayList<>();
        folder.relativize(absolute).forEach(name -> names.add(name.toString()));
        return String.join("/", names);
    }

    /** {@code field} as a CSV field: quoted when it holds a comma, quote or line break, or starts or ends in white space. */
    private static String quoted(String field) {
        boolean plain = field.strip().equals(field) && field.chars().noneMatch(c -> c == ',' || c == '"' || c == '\r'
                || c == '\n');
        return plain ? field : '"' + field.replace("\"", "\"\"") + '"';
    }
}
