package org.clipwsss.runtime.prompts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.clipwsss.runtime.ClipWsssException;

/**
 * Two-column CSV as users write it: fields separated by commas, optionally in double quotes ({@code ""} inside
 * quotes is one quote; a quoted field may contain commas), blank lines and lines starting with {@code #} skipped,
 * unquoted fields trimmed, and an optional header line.
 */
final class CsvRows {
    /** One data line: its 1-based line number and its two fields. */
    record Row(int line, String first, String second) {
    }

    private CsvRows() {
    }

    /**
     * The rows of {@code file}; {@code header} ("image,labels") is both the optional first line that is skipped and
     * the form named in errors.
     */
    static List<Row> read(Path file, String header) {
        List<String> lines = PromptFiles.lines(file);
        List<Row> rows = new ArrayList<>();
        boolean headerAllowed = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = fields(line, file, i + 1);
            boolean isHeader = headerAllowed && String.join(",", fields).equalsIgnoreCase(header);
            headerAllowed = false;
            if (isHeader) {
                continue;
            }
            if (fields.size() != 2) {
                throw ClipWsssException.file(file, "line " + (i + 1) + ": expected two fields '" + header + "', found "
                        + fields.size() + (fields.size() > 2 ? " (put a field that contains commas in quotes)" : ""));
            }
            rows.add(new Row(i + 1, fields.get(0), fields.get(1)));
        }
        return rows;
    }

    private static List<String> fields(String line, Path file, int lineNumber) {
        List<String> fields = new ArrayList<>();
        int pos = 0;
        while (true) {
            pos = skipBlanks(line, pos);
            int end;
            if (pos < line.length() && line.charAt(pos) == '"') {
                StringBuilder field = new StringBuilder();
                end = skipBlanks(line, quoted(line, pos + 1, field, file, lineNumber));
                if (end < line.length() && line.charAt(end) != ',') {
                    throw ClipWsssException.file(file, "line " + lineNumber + ": text after a closing quote");
                }
                fields.add(field.toString());
            } else {
                int comma = line.indexOf(',', pos);
                end = comma < 0 ? line.length() : comma;
                fields.add(line.substring(pos, end).strip());
            }
            if (end >= line.length()) {
                return fields;
            }
            pos = end + 1; // after the comma
        }
    }

    private static int skipBlanks(String line, int pos) {
        while (pos < line.length() && Character.isWhitespace(line.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    /** Reads a quoted field's content from just after its opening quote; returns the index after the closing one. */
    private static int quoted(String line, int pos, StringBuilder field, Path file, int lineNumber) {
        while (pos < line.length()) {
            char c = line.charAt(pos++);
            if (c != '"') {
                field.append(c);
            } else if (pos < line.length() && line.charAt(pos) == '"') {
                field.append('"');
                pos++;
            } else {
                return pos;
            }
        }
        throw ClipWsssException.file(file, "line " + lineNumber + ": a quote is not closed");
    }
}
