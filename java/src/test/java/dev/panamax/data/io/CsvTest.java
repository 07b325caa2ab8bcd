package dev.panamax.data.io;

import static dev.panamax.data.io.Fixtures.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path p = dir.resolve("table.csv");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void numericFeaturesAndIntegerLabels() throws IOException {
        Path p = csv("\uFEFFage,label,score\n31,1,0.5\n\n-4,0,1e3\r\n+2.5,7,-.25\n");
        try (CsvTable t = Csv.withHeader().read(p, "label")) {
            assertEquals(List.of("age", "score"), t.featureNames());
            assertEquals(List.of(), t.classes());
            assertEquals(DType.FLOAT32, t.dataset().inputs().dtype());
            assertArrayEquals(new long[] {3, 2}, t.dataset().inputs().shape().toArray());
            assertArrayEquals(new float[] {31, 0.5f, -4, 1000, 2.5f, -0.25f}, t.dataset().inputs().toFloatArray());
            assertEquals(DType.INT64, t.dataset().labels().dtype());
            assertArrayEquals(new long[] {1, 0, 7}, t.dataset().labels().toLongArray());
        }
    }

    @Test
    void classNamesQuotesDelimitersAndSpecialNumbers() throws IOException {
        Path p = csv("\"sepal; length\";species;w\n5.1;\"Iris \"\"setosa\"\"\";NaN\n4.9;versicolor;-inf\n6;\"two\nlines\";Infinity\n");
        try (CsvTable t = Csv.withHeader().delimiter(';').read(p, "species")) {
            assertEquals(List.of("sepal; length", "w"), t.featureNames());
            assertEquals(List.of("Iris \"setosa\"", "two\nlines", "versicolor"), t.classes());
            assertArrayEquals(new long[] {0, 2, 1}, t.dataset().labels().toLongArray());
            float[] x = t.dataset().inputs().toFloatArray();
            assertEquals(5.1f, x[0]);
            assertTrue(Float.isNaN(x[1]));
            assertEquals(Float.NEGATIVE_INFINITY, x[3]);
            assertEquals(Float.POSITIVE_INFINITY, x[5]);
        }
    }

    @Test
    void withoutAHeaderColumnsAreNumbered() throws IOException {
        try (CsvTable t = Csv.withoutHeader().read(csv("1,2,0\n3,4,1\n"), "2")) {
            assertEquals(List.of("0", "1"), t.featureNames());
            assertArrayEquals(new long[] {0, 1}, t.dataset().labels().toLongArray());
        }
    }

    @Test
    void errorsGiveTheFileLineAndColumn() throws IOException {
        Path ragged = csv("a,b,y\n1,2,0\n\n3,0\n");
        assertMalformed(ragged, "line 4: 2 fields, but the header has 3", () -> Csv.withHeader().read(ragged, "y"));
        Path word = csv("a,b,y\n1,2,0\n3,four,1\n");
        assertMalformed(word, "line 3, column 'b': 'four' is not a number", () -> Csv.withHeader().read(word, "y"));
        Path javaish = csv("a,y\n1f,0\n");
        assertMalformed(javaish, "line 2, column 'a': '1f' is not a number", () -> Csv.withHeader().read(javaish, "y"));
        Path empty = csv("a,y\n1,0\n ,1\n");
        assertMalformed(empty, "line 3, column 'a': empty value (missing values are not supported)", () -> Csv.withHeader().read(empty, "y"));
        Path quote = csv("a,y\n1,\"open\n2,0\n");
        assertMalformed(quote, "line 2: a quoted field is not closed before the end of the file", () -> Csv.withHeader().read(quote, "y"));
        Path nothing = csv("\n\n");
        assertMalformed(nothing, "no header row", () -> Csv.withHeader().read(nothing, "y"));
        Path fine = csv("a,b\n1,2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.withHeader().read(fine, "label"));
        assertTrue(e.getMessage().contains("has no column 'label' (columns: [a, b])"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.withHeader().delimiter('"'));
        assertTrue(e.getMessage().contains("cannot be a quote"), e.getMessage());
    }
}
