package org.covidct.app.data;

import static org.covidct.app.TinyMeta.MAIN_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.covidct.app.TinyMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COVID-CT's Meta files as patients per image, the workbook reader under them, and bad Meta files refused in one line. */
class CovidCtMetaTest {
    private static final int COVID = CovidCtDataset.COVID, NON_COVID = CovidCtDataset.NON_COVID;

    @TempDir
    Path dir;

    @Test
    void patientsComeFromTheWorkbookAndTheCsvByClass() throws IOException {
        TinyMeta.write(dir, Map.of("a.png", "Patient 1 ", "b.png", "Patient 1", "c.jpg", "Patient 2"),
                Map.of("x, 80%.jpg", "crawled_patient_0", "y.png", "medpix_patient_3"));
        CovidCtMeta meta = CovidCtMeta.read(dir);
        assertEquals("Patient 1", meta.patient(COVID, "a.png"), "named without .png, its id trimmed");
        assertEquals("Patient 1", meta.patient(COVID, "b.png"));
        assertEquals("Patient 2", meta.patient(COVID, "c.jpg"));
        assertNull(meta.patient(COVID, "c.png"), "c.jpg names that file only");
        assertNull(meta.patient(COVID, "a.png.png"), "only a name without an extension stands for one with it");
        assertNull(meta.patient(NON_COVID, "a.png"), "each class has its own Meta file");
        assertEquals("crawled_patient_0", meta.patient(NON_COVID, "x, 80%.jpg"), "a quoted CSV field");
        assertEquals("medpix_patient_3", meta.patient(NON_COVID, "y.png"));
        assertNull(meta.patient(COVID, "NTM, nontuberculous mycobacterium."), "the note under the table is no image");
        assertEquals(1, meta.unmatched(COVID, List.of("a.png", "b.png", "zz.png")));
        assertEquals(0, meta.unmatched(NON_COVID, List.of("y.png", "x, 80%.jpg")));
    }

    @Test
    void theSheetReaderTakesEveryKindOfCellExcelWrites() throws IOException {
        String sheet = "<worksheet xmlns=\"" + MAIN_NS + "\"><sheetData>"
                + "<row r=\"2\"><c r=\"B2\" t=\"s\"><v>1</v></c><c r=\"D2\" t=\"inlineStr\"><is><t>in</t><t>line</t></is></c>"
                + "<c r=\"E2\" t=\"str\"><f>A1&amp;A1</f><v>formula</v></c><c r=\"F2\"><v>41.5</v></c>"
                + "<c r=\"AA2\" t=\"b\"><v>1</v></c></row>"
                + "<row><c t=\"s\"><v>0</v></c><c/><c t=\"s\"><v>2</v></c></row></sheetData></worksheet>";
        String strings = "<sst xmlns=\"" + MAIN_NS + "\"><si><t>zero</t></si>"
                + "<si><r><t>Patient</t></r><r><rPr/><t xml:space=\"preserve\"> 1</t></r><rPh><t>reading</t></rPh></si>"
                + "<si><t>two</t></si></sst>";
        Path xlsx = TinyMeta.zip(dir.resolve("a.xlsx"), Map.of(XlsxSheet.SHEET, sheet, XlsxSheet.SHARED_STRINGS, strings));
        List<XlsxSheet.Row> rows = XlsxSheet.read(xlsx);
        assertEquals(2, rows.size());
        assertEquals(2, rows.get(0).number());
        List<String> expected = Arrays.asList(new String[27]);
        expected.set(1, "Patient 1");
        expected.set(3, "inline");
        expected.set(4, "formula");
        expected.set(5, "41.5");
        expected.set(26, "1");
        assertEquals(expected, rows.get(0).cells(), "B, D, E, F and AA; phonetic text left out");
        assertEquals(3, rows.get(1).number(), "a row without a number follows the last");
        assertEquals(Arrays.asList("zero", null, "two"), rows.get(1).cells(), "cells without a reference follow on");

        Path numbersOnly = TinyMeta.zip(dir.resolve("n.xlsx"), Map.of(XlsxSheet.SHEET, "<worksheet xmlns=\"" + MAIN_NS
                + "\"><sheetData><row r=\"1\"><c r=\"A1\"><v>7</v></c></row></sheetData></worksheet>"));
        assertEquals(List.of("7"), XlsxSheet.read(numbersOnly).get(0).cells(), "no shared strings part is needed");
    }

    @Test
    void aBadWorkbookIsOneLineNamingTheFile() throws IOException {
        Path text = Files.writeString(dir.resolve("text.xlsx"), "File name,Patient ID\n");
        refused(text + ": not an xlsx workbook (not a zip archive)", () -> XlsxSheet.read(text));
        Path noSheet = TinyMeta.zip(dir.resolve("nosheet.xlsx"), Map.of("xl/workbook.xml", "<workbook/>"));
        refused(noSheet + ": not an xlsx workbook (no xl/worksheets/sheet1.xml)", () -> XlsxSheet.read(noSheet));
        Path broken = sheet("broken.xlsx", "<worksheet xmlns=\"" + MAIN_NS + "\"><sheetData><row r=\"1\">");
        IOException e = assertThrows(IOException.class, () -> XlsxSheet.read(broken));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(broken + ": not well-formed spreadsheet XML (", e.getMessage().substring(0,
                (broken + ": not well-formed spreadsheet XML (").length()));
        Path dtd = sheet("dtd.xlsx", "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY big \"x\">]>"
                + "<worksheet xmlns=\"" + MAIN_NS + "\"><sheetData/></worksheet>");
        refused(dtd + ": xl/worksheets/sheet1.xml declares a DTD, which a workbook does not", () -> XlsxSheet.read(dtd));
        Path index = TinyMeta.zip(dir.resolve("index.xlsx"), Map.of(XlsxSheet.SHEET, "<worksheet xmlns=\"" + MAIN_NS
                + "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>5</v></c></row></sheetData></worksheet>",
                XlsxSheet.SHARED_STRINGS, "<sst xmlns=\"" + MAIN_NS + "\"><si><t>a</t></si></sst>"));
        refused(index + ": cell A1 refers to shared string 5 but xl/sharedStrings.xml holds 1", () -> XlsxSheet.read(index));
        Path type = sheet("type.xlsx", "<worksheet xmlns=\"" + MAIN_NS
                + "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"q\"><v>5</v></c></row></sheetData></worksheet>");
        refused(type + ": cell A1 has the unknown type 'q'", () -> XlsxSheet.read(type));
        Path ref = sheet("ref.xlsx", "<worksheet xmlns=\"" + MAIN_NS
                + "\"><sheetData><row r=\"1\"><c r=\"1A\"><v>5</v></c></row></sheetData></worksheet>");
        refused(ref + ": '1A' is not a cell reference", () -> XlsxSheet.read(ref));
    }

    @Test
    void aBadMetaFileIsOneLineNamingTheFile() throws IOException {
        Path xlsx = dir.resolve("Meta/COVID-CT-MetaInfo.xlsx"), csv = dir.resolve("Meta/NonCOVID-CT-MetaInfo.csv");
        refused(xlsx + " does not exist: COVID-CT's patient ids are in Meta/COVID-CT-MetaInfo.xlsx and "
                + "Meta/NonCOVID-CT-MetaInfo.csv of the UCSD-AI4H/COVID-CT repository", () -> CovidCtMeta.read(dir));
        TinyMeta.write(dir, Map.of("a.png", "Patient 1"), Map.of("b.jpg", "p1"));

        TinyMeta.xlsx(xlsx, List.of(List.of("File name", "#41", "Age")));
        refused(xlsx + " row 1: no column 'Patient ID' (the header names ['File name', '41', 'Age'])",
                () -> CovidCtMeta.read(dir));
        TinyMeta.xlsx(xlsx, List.of(List.of("File name", "Patient ID"), List.of("a.png", "Patient 1"),
                Arrays.asList(null, "Patient 2")));
        refused(xlsx + " row 3: patient 'Patient 2' has no File name", () -> CovidCtMeta.read(dir));
        TinyMeta.xlsx(xlsx, List.of(List.of("File name", "Patient ID")));
        CovidCtMeta.read(dir); // a workbook with no image is read; the manifest then says no image has a patient

        Files.writeString(csv, ",image name,patient id\r\n0,a.jpg,p1\r\n1,b.jpg,\r\n");
        refused(csv + " line 3: 'b.jpg' has no patient id", () -> CovidCtMeta.read(dir));
        Files.writeString(csv, ",image name,patient id\n0,a.jpg,p1\n1,b.jpg,p1\n2,a.jpg,p2\n");
        refused(csv + " line 4: 'a.jpg' has patient 'p2', but line 2 gave it 'p1'", () -> CovidCtMeta.read(dir));
        Files.writeString(csv, ",image name,patient id\n0,\"a, 1.jpg,p1\n");
        refused(csv + " line 2: a quoted field is not closed on its line", () -> CovidCtMeta.read(dir));
        Files.write(csv, new byte[] {',', 'a', (byte) 0xff, '\n'});
        refused(csv + ": not UTF-8 text", () -> CovidCtMeta.read(dir));
        Files.writeString(csv, "");
        refused(csv + ": empty; expected the columns 'image name' and 'patient id'", () -> CovidCtMeta.read(dir));
    }

    private Path sheet(String name, String xml) throws IOException {
        return TinyMeta.zip(dir.resolve(name), Map.of(XlsxSheet.SHEET, xml));
    }

    private static void refused(String message, Action action) {
        IOException e = assertThrows(IOException.class, action::run);
        assertEquals(message, e.getMessage());
    }

    /** A read that may throw. */
    private interface Action {
        void run() throws IOException;
    }
}
