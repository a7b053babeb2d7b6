package org.covidct.nn.data.layout;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits CSV text into records, by RFC 4180: fields are separated by commas and records by line
 * breaks (CRLF, LF or CR); a field in double quotes may hold commas, line breaks and quotes (doubled,
 * {@code ""}). Beyond the RFC, white space around a field is dropped, around a quoted one as well, so
 * {@code a, "b, c"} is the two fields {@code a} and {@code b, c}; inside the quotes it is kept.
 */
final class CsvRecords {
    /**
     * One record.
     *
     * @param line the line it starts on, 1 for the first
     * @param fields its fields, unquoted
     */
    record Record(int line, List<String> fields) {
        /** Whether the record is an empty line (or white space alone). */
        boolean blank() {
            return fields.size() == 1 && fields.get(0).isEmpty();
        }
    }

    /** Text that is not CSV, at line {@code line}. */
    static final class MalformedException extends Exception {
        private final int line;

        MalformedException(int line, String message) {
            super(message);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    private final String text;
    private int pos;
    private int line = 1;

    private CsvRecords(String text) {
        this.text = text;
    }

    /** The records of {@code text}; a line break at the very end starts no record. */
    static List<Record> parse(String text) throws MalformedException {
        CsvRecords p = new CsvRecords(text);
        List<Record> records = new ArrayList<>();
        while (p.pos < text.length()) {
            records.add(p.record());
        }
        return records;
    }

    private Record record() throws MalformedException {
        int start = line;
        List<String> fields = new ArrayList<>();
        while (true) {
            fields.add(field());
            if (pos >= text.length()) {
                return new Record(start, fields);
            }
            char c = text.charAt(pos);
            if (c == ',') {
                pos++;
            } else {
                lineBreak();
                return new Record(start, fields);
            }
        }
    }

    /** One field, up to (not including) the comma or line break that ends it. */
    private String field() throws MalformedException {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '"') {
            String value = quoted();
            skipSpaces();
            if (pos < text.length() && !isEnd(text.charAt(pos))) {
                throw new MalformedException(line, "text after the closing quote of a field");
            }
            return value;
        }
        int from = pos;
        while (pos < text.length() && !isEnd(text.charAt(pos))) {
            if (text.charAt(pos) == '"') {
                throw new MalformedException(line, "a quote inside a field that does not start with one"
                        + " (quote the whole field and double the quote)");
            }
            pos++;
        }
        return text.substring(from, pos).strip();
    }

    private String quoted() throws MalformedException {
        int opened = line;
        pos++;
        StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                if (pos + 1 < text.length() && text.charAt(pos + 1) == '"') {
                    value.append('"');
                    pos += 2;
                    continue;
                }
                pos++;
                return value.toString();
            }
            if (c == '\r' || c == '\n') {
                int from = pos;
                lineBreak();
                value.append(text, from, pos);
                continue;
            }
            value.append(c);
            pos++;
        }
        throw new MalformedException(opened, "a quoted field is not closed");
    }

    private void skipSpaces() {
        while (pos < text.length() && !isEnd(text.charAt(pos)) && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private void lineBreak() {
        if (text.charAt(pos) == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
            pos++;
        }
        pos++;
        line++;
    }

    private static boolean isEnd(char c) {
        return c == ',' || c == '\r' || c == '\n';
    }
}
