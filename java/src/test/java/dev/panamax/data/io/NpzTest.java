package dev.panamax.data.io;

import static dev.panamax.data.io.Fixtures.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.testing.Leaks;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {
    @TempDir
    Path dir;

    private static void close(Map<String, Tensor> arrays) {
        arrays.values().forEach(Tensor::close);
    }

    private static void checkFixtureArrays(Map<String, Tensor> arrays) {
        assertEquals(List.of("weight", "ids"), List.copyOf(arrays.keySet()));
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, arrays.get("weight").toFloatArray());
        assertArrayEquals(new long[] {2, 3}, arrays.get("weight").shape().toArray());
        assertEquals(DType.INT64, arrays.get("ids").dtype());
        assertArrayEquals(new long[] {3, -1, 4, 1}, arrays.get("ids").toLongArray());
    }

    @Test
    void readsSavezAndSavezCompressed() throws IOException {
        for (String name : new String[] {"arrays.npz", "arrays-compressed.npz"}) {
            Map<String, Tensor> arrays = Npz.read(Fixtures.path(name));
            checkFixtureArrays(arrays);
            close(arrays);
        }
    }

    @Test
    void roundTripsStoredAndDeflatedWithTheSameBytesEachTime() throws IOException {
        try (Tensor w = Tensor.of(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, 2, 3); Tensor ids = Tensor.of(new long[] {3, -1, 4, 1}, 4)) {
            Map<String, Tensor> arrays = new LinkedHashMap<>();
            arrays.put("weight", w);
            arrays.put("ids", ids);
            for (boolean compressed : new boolean[] {false, true}) {
                Path a = dir.resolve("a" + compressed + ".npz");
                Path b = dir.resolve("b" + compressed + ".npz");
                Npz.write(a, arrays, compressed);
                Npz.write(b, arrays, compressed);
                assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
                Map<String, Tensor> back = Npz.read(a);
                checkFixtureArrays(back);
                close(back);
            }
        }
    }

    @Test
    void malformedArchivesNameTheFileAndTheProblem() throws IOException {
        Path text = dir.resolve("text.npz");
        Files.writeString(text, "not a zip");
        assertMalformed(text, "not a readable zip archive (.npz)", () -> Npz.read(text));

        Path other = dir.resolve("other.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(other))) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("hi".getBytes());
        }
        assertMalformed(other, "other.npz!/readme.txt: entry is not a .npy array", () -> Npz.read(other));

        // a stored entry whose bytes were damaged: the archive's checksum catches it, after a good array was read
        MemoryStats before = Leaks.baseline();
        byte[] good = Files.readAllBytes(Fixtures.path("arrays.npz"));
        byte[] bad = good.clone();
        int data = indexOf(bad, new byte[] {3, 0, 0, 0, 0, 0, 0, 0, -1, -1});
        bad[data] = 9;
        Path damaged = dir.resolve("damaged.npz");
        Files.write(damaged, bad);
        assertMalformed(damaged, "damaged.npz!/ids.npy: damaged data: its CRC-32 is", () -> Npz.read(damaged));
        Leaks.assertNoneSince(before, "arrays read before the failure must be freed");

        Path truncated = dir.resolve("truncated.npz");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        assertMalformed(truncated, "not a readable zip archive", () -> Npz.read(truncated));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }
}
