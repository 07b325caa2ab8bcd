package dev.panamax.data.io;

import dev.panamax.data.TensorDataset;
import dev.panamax.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Tabular data from CSV (RFC 4180: quoted fields may hold the delimiter, quotes as {@code ""} and
 * line breaks). Every column but the label column must be numeric and becomes a float32 feature;
 * the label column becomes INT64 labels: its integers as they are, or, when it holds anything
 * else, class names numbered in sorted order. Blank lines are skipped. Errors give the file, the
 * line and the column.
 */
public final class Csv {
    /** Decimal numbers (with exponent), nan and inf; Java's own parser also takes "1f" and hex. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(nan|inf|infinity)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");

    private final char delimiter;
    private final boolean header;

    private Csv(char delimiter, boolean header) {
        this.delimiter = delimiter;
        this.header = header;
    }

    /** Comma-separated with a header row. */
    public static Csv withHeader() {
        return new Csv(',', true);
    }

    /** Comma-separated without a header row: columns are named by their zero-based index, "0", "1", .... */
    public static Csv withoutHeader() {
        return new Csv(',', false);
    }

    /** The same format with another delimiter (';', '\t', ...). */
    public Csv delimiter(char delimiter) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("Csv: the delimiter cannot be a quote or a line break");
        }
        return new Csv(delimiter, header);
    }

    /** Reads {@code file}, using the column named {@code labelColumn} as the label. */
    public CsvTable read(Path file, String labelColumn) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString(), labelColumn);
        }
    }

    /** Reads CSV text; {@code name} is used in messages. */
    public CsvTable read(Reader in, String name, String labelColumn) throws IOException {
        Records records = new Records(in instanceof BufferedReader b ? b : new BufferedReader(in), name, delimiter);
        List<String> first = records.next();
        if (first == null) {
            throw new MalformedFileException(name, "no " + (header ? "header row" : "rows"));
        }
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            columns.add(header ? first.get(i).strip() : Integer.toString(i));
        }
        int label = columns.indexOf(labelColumn);
        if (label < 0) {
            throw new IllegalArgumentException("Csv.read: " + name + " has no column '" + labelColumn + "' (columns: " + columns + ")");
        }
        List<String> features = new ArrayList<>(columns);
        features.remove(label);
        FloatBuffer values = new FloatBuffer();
        List<String> labels = new ArrayList<>();
        int columnCount = columns.size();
        for (List<String> row = header ? records.next() : first; row != null; row = records.next()) {
            if (row.size() != columnCount) {
                throw new MalformedFileException(name, "line " + records.line() + ": " + row.size() + " fields, but "
                        + (header ? "the header has " : "the first row has ") + columnCount);
            }
            for (int c = 0; c < columnCount; c++) {
                String v = row.get(c).strip();
                if (v.isEmpty()) {
                    throw new MalformedFileException(name, "line " + records.line() + ", column '" + columns.get(c)
                            + "': empty value (missing values are not supported)");
                }
                if (c == label) {
                    labels.add(v);
                } else if (NUMBER.matcher(v).matches()) {
                    values.add(number(v));
                } else {
                    throw new MalformedFileException(name, "line " + records.line() + ", column '" + columns.get(c) + "': '" + v
                            + "' is not a number");
                }
            }
        }
        int n = labels.size();
        List<String> classes = labels.stream().allMatch(s -> INTEGER.matcher(s).matches()) ? List.of()
                : List.copyOf(new TreeSet<>(labels));
        Map<String, Integer> classIndex = new HashMap<>();
        for (String c : classes) {
            classIndex.put(c, classIndex.size());
        }
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = classes.isEmpty() ? Long.parseLong(labels.get(i)) : classIndex.get(labels.get(i));
        }
        Tensor x = Tensor.of(values.toArray(), n, features.size());
        try (x; Tensor y = Tensor.of(ids, n)) {
            return new CsvTable(features, classes, new TensorDataset(x, y));
        }
    }

    /** A value {@link #NUMBER} accepted, as float32 (correctly rounded). */
    private static float number(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.endsWith("nan")) {
            return Float.NaN;
        }
        if (s.endsWith("inf") || s.endsWith("infinity")) {
            return s.startsWith("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }
        return Float.parseFloat(v);
    }

    /** A growable float array (no boxing). */
    private static final class FloatBuffer {
        private float[] data = new float[1024];
        private int size;

        void add(float v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    /** Splits CSV text into records, tracking the line each record starts on. */
    private static final class Records {
        private final BufferedReader in;
        private final String name;
        private final char delimiter;
        private int nextLine = 1;
        private int recordLine;

        Records(BufferedReader in, String name, char delimiter) {
            this.in = in;
            this.name = name;
            this.delimiter = delimiter;
        }

        /** The line the last record started on (1-based). */
        int line() {
            return recordLine;
        }

        /** The next non-blank record's fields, or null at the end. */
        List<String> next() throws IOException {
            String line;
            do {
                line = in.readLine();
                recordLine = nextLine++;
                if (line == null) {
                    return null;
                }
            } while (line.isBlank());
            if (recordLine == 1 && line.charAt(0) == '\uFEFF') {
                line = line.substring(1); // the byte-order mark some editors write
            }
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; ; i++) {
                if (i == line.length()) {
                    if (!quoted) {
                        break;
                    }
                    String more = in.readLine();
                    nextLine++;
                    if (more == null) {
                        throw new MalformedFileException(name, "line " + recordLine + ": a quoted field is not closed before the end of the file");
                    }
                    field.append('\n');
                    line = more;
                    i = -1;
                    continue;
                }
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == delimiter) {
                    fields.add(field.toString());
                    field.setLength(0);
                } else {
                    field.append(c);
                }
            }
            fields.add(field.toString());
            return fields;
        }
    }
}
