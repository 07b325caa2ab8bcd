package dev.panamax.data.io;

import static dev.panamax.data.io.Fixtures.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryWritableTypePlainAndGzipped() throws IOException {
        Generator gen = new Generator(1);
        try (Tensor f = Tensor.randn(gen, 3, 4, 5); Tensor d = f.to(DType.FLOAT64); Tensor i = Tensor.randint(gen, -1000, 1000, 7);
             Tensor i32 = i.to(DType.INT32); Tensor bytes = Tensor.randint(gen, 0, 256, 2, 3); Tensor u8 = bytes.to(DType.UINT8);
             Tensor scalar = Tensor.scalar(2.5)) {
            for (Tensor t : new Tensor[] {f, d, i32, u8, scalar}) {
                for (String name : new String[] {"t.idx", "t.idx.gz"}) {
                    Path file = dir.resolve(name);
                    Idx.write(file, t);
                    try (Tensor back = Idx.read(file)) {
                        assertEquals(t.dtype(), back.dtype());
                        assertArrayEquals(t.shape().toArray(), back.shape().toArray());
                        assertArrayEquals(t.toDoubleArray(), back.toDoubleArray());
                    }
                }
            }
        }
    }

    @Test
    void writesBigEndianAndReadsNonContiguousTensors() throws IOException {
        try (Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor t = base.t()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Idx.write(out, t);
            byte[] b = out.toByteArray();
            assertArrayEquals(new byte[] {0, 0, 0x0D, 2, 0, 0, 0, 3, 0, 0, 0, 2, 0x3F, (byte) 0x80, 0, 0}, java.util.Arrays.copyOf(b, 16));
            try (Tensor back = Idx.read(new ByteArrayInputStream(b), "memory")) {
                assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, back.toFloatArray());
            }
        }
    }

    @Test
    void readsSignedBytesAndShortsAsInt32() throws IOException {
        byte[] bytes = {0, 0, 0x09, 1, 0, 0, 0, 3, (byte) 0xFF, 0x7F, (byte) 0x80};
        try (Tensor t = Idx.read(new ByteArrayInputStream(bytes), "signed")) {
            assertEquals(DType.INT32, t.dtype());
            assertArrayEquals(new int[] {-1, 127, -128}, t.toIntArray());
        }
        byte[] shorts = {0, 0, 0x0B, 1, 0, 0, 0, 2, (byte) 0x80, 0, 0x01, 0x2C};
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(shorts);
        }
        try (Tensor t = Idx.read(new ByteArrayInputStream(gz.toByteArray()), "shorts.gz")) {
            assertArrayEquals(new int[] {-32768, 300}, t.toIntArray());
        }
    }

    @Test
    void malformedFilesNameTheFileAndTheProblem() throws IOException {
        Path file = dir.resolve("bad.idx");
        Files.write(file, new byte[] {1, 0, 8, 1, 0, 0, 0, 1, 5});
        assertMalformed(file, "not an IDX file: the magic number must start with 00 00, got 01 00", () -> Idx.read(file));
        Files.write(file, new byte[] {0, 0, 7, 1, 0, 0, 0, 1, 5});
        assertMalformed(file, "unknown IDX type code 0x07", () -> Idx.read(file));
        Files.write(file, new byte[] {0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2, 1, 2, 3});
        assertMalformed(file, "truncated: the data (shape [3, 2], unsigned byte) needs 6 bytes at byte 12, but only 3 remain in the file",
                () -> Idx.read(file));
        Files.write(file, new byte[] {0, 0, 8, 3, 0, 0, 0, 3});
        assertMalformed(file, "truncated: the sizes of 3 dims needs 12 bytes at byte 4, but only 4 remain", () -> Idx.read(file));
        Files.write(file, new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 5, 6});
        assertMalformed(file, "1 unexpected bytes after the data at byte 9", () -> Idx.read(file));
        // 2^32-1 x 2^32-1 x 2^32-1 uint8 elements overflow 64 bits
        Files.write(file, new byte[] {0, 0, 8, 3, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
        assertMalformed(file, "overflows 64 bits", () -> Idx.read(file));
        // a gzipped header that promises 4 GiB of data the stream does not hold
        Path gz = dir.resolve("bad.idx.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(new byte[] {0, 0, 8, 1, -1, -1, -1, -1, 1, 2, 3});
        }
        assertMalformed(gz, "truncated: the data (shape [4294967295], unsigned byte) needs 4294967295 bytes at byte 8, but only 3 follow",
                () -> Idx.read(gz));
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
        }
        byte[] good = Files.readAllBytes(gz);
        Files.write(gz, java.util.Arrays.copyOf(good, good.length - 5));
        assertMalformed(gz, "corrupt compressed data", () -> Idx.read(gz));
    }

    @Test
    void typesIdxCannotHoldAreRefused() {
        try (Tensor t = Tensor.zeros(DType.INT64, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Idx.write(new ByteArrayOutputStream(), t));
            assertTrue(e.getMessage().contains("Idx.write: int64[2] has no IDX type"), e.getMessage());
        }
    }
}
