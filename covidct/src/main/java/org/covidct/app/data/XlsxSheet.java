package org.covidct.app.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The first worksheet of an Excel workbook (.xlsx) as rows of cell texts, read with the JDK alone:
 * an .xlsx is a zip holding {@code xl/worksheets/sheet1.xml} (the cells) and, where cells hold
 * text, {@code xl/sharedStrings.xml} (the texts they point to). A cell's text is its shared or
 * inline string, or its value as written (a number's digits, a formula's last result); styles,
 * formulas and every other part are ignored. Anything else (not a zip, a part missing or over
 * {@value #MAX_PART_BYTES} bytes, XML that is not well-formed or that declares a DTD, an unknown cell
 * type, a shared string that does not exist) is one line naming the file.
 */
final class XlsxSheet {
    static final String SHEET = "xl/worksheets/sheet1.xml";
    static final String SHARED_STRINGS = "xl/sharedStrings.xml";
    static final long MAX_PART_BYTES = 64L << 20;

    private static final String MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /**
     * One row of the sheet.
     *
     * @param number its row number, 1 for the first
     * @param cells its cells' texts by column (A = 0), null where a column has no cell or the cell no value
     */
    record Row(int number, List<String> cells) {
        /** The text of column {@code column}, or null. */
        String cell(int column) {
            return column < cells.size() ? cells.get(column) : null;
        }
    }

    private final Path file;
    private final ZipFile zip;

    private XlsxSheet(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
    }

    /** The rows of {@code xlsx}'s first worksheet that have a cell, in order. */
    static List<Row> read(Path xlsx) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(xlsx.toFile());
        } catch (ZipException e) {
            throw new IOException(xlsx + ": not an xlsx workbook (not a zip archive)", e);
        }
        try (zip) {
            XlsxSheet sheet = new XlsxSheet(xlsx, zip);
            return sheet.rows(zip.getEntry(SHARED_STRINGS) == null ? List.of() : sheet.sharedStrings());
        } catch (XMLStreamException e) {
            throw new IOException(xlsx + ": not well-formed spreadsheet XML (" + e.getMessage().replaceAll("\\s*\\R\\s*", " ")
                    + ")", e);
        }
    }

    private List<String> sharedStrings() throws IOException, XMLStreamException {
        List<String> strings = new ArrayList<>();
        XMLStreamReader xml = open(SHARED_STRINGS);
        StringBuilder text = null;
        int phonetic = 0; // <rPh> holds a reading aid, not part of the string
        while (xml.hasNext()) {
            int event = next(xml, SHARED_STRINGS);
            if (event == XMLStreamConstants.START_ELEMENT && MAIN_NS.equals(xml.getNamespaceURI())) {
                switch (xml.getLocalName()) {
                    case "si" -> text = new StringBuilder();
                    case "rPh" -> phonetic++;
                    case "t" -> {
                        String t = xml.getElementText();
                        if (text != null && phonetic == 0) {
                            text.append(t);
                        }
                    }
                    default -> { }
                }
            } else if (event == XMLStreamConstants.END_ELEMENT && MAIN_NS.equals(xml.getNamespaceURI())) {
                if (xml.getLocalName().equals("si")) {
                    strings.add(text.toString());
                    text = null;
                } else if (xml.getLocalName().equals("rPh")) {
                    phonetic--;
                }
            }
        }
        return strings;
    }

    private List<Row> rows(List<String> shared) throws IOException, XMLStreamException {
        List<Row> rows = new ArrayList<>();
        XMLStreamReader xml = open(SHEET);
        List<String> cells = null;
        int rowNumber = 0, column = -1;
        String type = null, ref = null, value = null;
        while (xml.hasNext()) {
            int event = next(xml, SHEET);
            if (!MAIN_NS.equals(xml.hasName() ? xml.getNamespaceURI() : null)) {
                continue;
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                switch (xml.getLocalName()) {
                    case "row" -> {
                        String r = xml.getAttributeValue(null, "r");
                        rowNumber = r == null ? rowNumber + 1 : number(r, "row number");
                        cells = new ArrayList<>();
                        column = -1;
                    }
                    case "c" -> {
                        if (cells == null) {
                            throw new IOException(file + ": " + SHEET + " has a cell outside a row");
                        }
                        ref = xml.getAttributeValue(null, "r");
                        column = ref == null ? column + 1 : column(ref);
                        type = xml.getAttributeValue(null, "t");
                        value = null;
                    }
                    case "v" -> value = xml.getElementText();
                    case "t" -> value = value == null ? xml.getElementText() : value + xml.getElementText(); // inline
                    default -> { }
                }
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                if (xml.getLocalName().equals("c")) {
                    String where = ref != null ? ref : "row " + rowNumber + " column " + (column + 1);
                    while (cells.size() <= column) {
                        cells.add(null);
                    }
                    cells.set(column, text(type, value, shared, where));
                } else if (xml.getLocalName().equals("row")) {
                    rows.add(new Row(rowNumber, Collections.unmodifiableList(cells)));
                    cells = null;
                }
            }
        }
        return rows;
    }

    /** The text of a cell of type {@code type} (null for a number) whose value is {@code value}. */
    private String text(String type, String value, List<String> shared, String where) throws IOException {
        if (value == null) {
            return null;
        }
        return switch (type == null ? "n" : type) {
            case "s" -> {
                int index = number(value, "cell " + where + "'s shared string index");
                if (index >= shared.size()) {
                    throw new IOException(file + ": cell " + where + " refers to shared string " + index + " but "
                            + SHARED_STRINGS + " holds " + shared.size());
                }
                yield shared.get(index);
            }
            case "inlineStr", "str", "n", "b", "d", "e" -> value;
            default -> throw new IOException(file + ": cell " + where + " has the unknown type '" + type + "'");
        };
    }

    /** The reader's next event; a DTD, which could declare entities, is refused. */
    private int next(XMLStreamReader xml, String part) throws IOException, XMLStreamException {
        int event = xml.next();
        if (event == XMLStreamConstants.DTD) {
            throw new IOException(file + ": " + part + " declares a DTD, which a workbook does not");
        }
        return event;
    }

    /** An XML reader of the part {@code name}, which may declare no DTD (and so no entity). */
    private XMLStreamReader open(String name) throws IOException, XMLStreamException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new IOException(file + ": not an xlsx workbook (no " + name + ")");
        }
        if (entry.getSize() > MAX_PART_BYTES) {
            throw new IOException(file + ": " + name + " unpacks to " + entry.getSize() + " bytes, more than the "
                    + MAX_PART_BYTES + " a worksheet may have");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes((int) MAX_PART_BYTES + 1);
        } catch (ZipException e) {
            throw new IOException(file + ": " + name + " cannot be unpacked (" + e.getMessage() + ")", e);
        }
        if (bytes.length > MAX_PART_BYTES) {
            throw new IOException(file + ": " + name + " unpacks to more than " + MAX_PART_BYTES + " bytes");
        }
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return factory.createXMLStreamReader(new ByteArrayInputStream(bytes));
    }

    /** The column index of a cell reference such as {@code B7}: A = 0, Z = 25, AA = 26. */
    private int column(String ref) throws IOException {
        int i = 0, column = 0;
        while (i < ref.length() && ref.charAt(i) >= 'A' && ref.charAt(i) <= 'Z' && i < 3) {
            column = column * 26 + (ref.charAt(i) - 'A' + 1);
            i++;
        }
        if (i == 0 || i == ref.length() || !ref.substring(i).chars().allMatch(Character::isDigit)) {
            throw new IOException(file + ": '" + ref + "' is not a cell reference");
        }
        return column - 1;
    }

    private int number(String text, String what) throws IOException {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IOException(file + ": " + what + " '" + text + "' is not a number");
    }
}
