package org.covidct.app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes COVID-CT's two Meta files as upstream lays them out: {@code Meta/COVID-CT-MetaInfo.xlsx}
 * (a workbook whose first sheet has the columns File name, Patient ID, Age and Captions, a note row
 * under the table, and the names of PNG images without their extension, as upstream writes 83 of
 * them) and {@code Meta/NonCOVID-CT-MetaInfo.csv} (pandas' index, image name, patient id, CRLF).
 */
public final class TinyMeta {
    public static final String MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private TinyMeta() {
    }

    /** Both Meta files of the checkout {@code root}: patient by image name, per class. */
    public static void write(Path root, Map<String, String> covid, Map<String, String> nonCovid) throws IOException {
        Path meta = Files.createDirectories(root.resolve("Meta"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("File name", "Patient ID", "Age", "Captions"));
        for (Map.Entry<String, String> e : new TreeMap<>(covid).entrySet()) {
            String name = e.getKey().endsWith(".png") ? e.getKey().substring(0, e.getKey().length() - 4) : e.getKey();
            rows.add(List.of(name, e.getValue(), "#41", "Figure 1 of " + e.getValue() + " & <co>"));
        }
        rows.add(Arrays.asList(null, null, null, "NTM, nontuberculous mycobacterium."));
        xlsx(meta.resolve("COVID-CT-MetaInfo.xlsx"), rows);
        StringBuilder csv = new StringBuilder(",image name,patient id\r\n");
        int i = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(nonCovid).entrySet()) {
            csv.append(i++).append(',').append(quoted(e.getKey())).append(',').append(e.getValue()).append("\r\n");
        }
        Files.writeString(meta.resolve("NonCOVID-CT-MetaInfo.csv"), csv);
    }

    /**
     * A workbook whose first sheet holds {@code rows} (null: no cell); a text cell is a shared
     * string, one starting with {@code #} a number (the rest of it), as Excel writes them.
     */
    public static Path xlsx(Path file, List<List<String>> rows) throws IOException {
        List<String> shared = new ArrayList<>();
        StringBuilder sheet = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                + "<worksheet xmlns=\"" + MAIN_NS + "\"><dimension ref=\"A1\"/><sheetData>");
        for (int r = 0; r < rows.size(); r++) {
            sheet.append("<row r=\"").append(r + 1).append("\">");
            for (int c = 0; c < rows.get(r).size(); c++) {
                String v = rows.get(r).get(c);
                if (v == null) {
                    continue;
                }
                String ref = (char) ('A' + c) + Integer.toString(r + 1);
                if (v.startsWith("#")) {
                    sheet.append("<c r=\"").append(ref).append("\" s=\"5\"><v>").append(v.substring(1)).append("</v></c>");
                } else {
                    shared.add(v);
                    sheet.append("<c r=\"").append(ref).append("\" t=\"s\"><v>").append(shared.size() - 1)
                            .append("</v></c>");
                }
            }
            sheet.append("</row>");
        }
        sheet.append("</sheetData></worksheet>");
        StringBuilder strings = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                + "<sst xmlns=\"" + MAIN_NS + "\" count=\"" + shared.size() + "\">");
        shared.forEach(s -> strings.append("<si><t>").append(escaped(s)).append("</t></si>"));
        strings.append("</sst>");
        return zip(file, Map.of("xl/worksheets/sheet1.xml", sheet.toString(), "xl/sharedStrings.xml", strings.toString(),
                "[Content_Types].xml", "<Types/>"));
    }

    /** A zip of {@code parts}, text by entry name. */
    public static Path zip(Path file, Map<String, String> parts) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> part : new TreeMap<>(parts).entrySet()) {
                zip.putNextEntry(new ZipEntry(part.getKey()));
                zip.write(part.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return file;
    }

    private static String escaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String quoted(String field) {
        return field.contains(",") || field.contains("\"") ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }
}
