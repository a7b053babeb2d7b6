package org.covidct.nn.data.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRecordsTest {
    private static List<CsvRecords.Record> parse(String text) throws CsvRecords.MalformedException {
        return CsvRecords.parse(text);
    }

    @Test
    void splitsFieldsAndRecordsOnAnyLineBreak() throws Exception {
        assertEquals(List.of(new CsvRecords.Record(1, List.of("a", "b")), new CsvRecords.Record(2, List.of("c", "")),
                        new CsvRecords.Record(3, List.of("d", "e")), new CsvRecords.Record(4, List.of("f"))),
                parse("a,b\r\nc,\nd,e\rf\n"));
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaksVerbatim() throws Exception {
        List<CsvRecords.Record> r = parse("\"a, b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"  padded \"\nnext,x\n");
        assertEquals(List.of(new CsvRecords.Record(1, List.of("a, b", "say \"hi\"", "two\r\nlines", "  padded ")),
                new CsvRecords.Record(3, List.of("next", "x"))), r);
    }

    @Test
    void whiteSpaceAroundFieldsIsDroppedAndBlankLinesAreBlank() throws Exception {
        List<CsvRecords.Record> r = parse("  a , \"b\"  ,c\t\n\n   \n");
        assertEquals(List.of("a", "b", "c"), r.get(0).fields());
        assertEquals(List.of(true, true), List.of(r.get(1).blank(), r.get(2).blank()));
        assertEquals(3, r.size());
    }

    @Test
    void malformedTextNamesItsLine() {
        CsvRecords.MalformedException open = assertThrows(CsvRecords.MalformedException.class,
                () -> parse("a,b\nc,\"never\nclosed\n"));
        assertEquals(2, open.line());
        assertEquals("a quoted field is not closed", open.getMessage());
        CsvRecords.MalformedException after = assertThrows(CsvRecords.MalformedException.class,
                () -> parse("a,b\n\"x\"y,z\n"));
        assertEquals(2, after.line());
        assertEquals("text after the closing quote of a field", after.getMessage());
        CsvRecords.MalformedException inside = assertThrows(CsvRecords.MalformedException.class,
                () -> parse("a,b\r\nc,\r\nx\"y,z\n"));
        assertEquals(3, inside.line());
        assertEquals("a quote inside a field that does not start with one (quote the whole field and double the"
                + " quote)", inside.getMessage());
    }
}
