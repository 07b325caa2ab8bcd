package dev.panamax.data.io;

import static dev.panamax.data.io.Fixtures.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void readsPythonsFileWithMetadata() throws IOException {
        try (Safetensors.Contents c = Safetensors.read(Fixtures.path("python.safetensors"))) {
            assertEquals(Map.of("format", "np"), c.metadata());
            assertEquals(List.of("ids", "bias", "empty", "scalar", "weight", "counts", "pixels", "mask"), List.copyOf(c.tensors().keySet()));
            Map<String, Tensor> t = c.tensors();
            assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, t.get("weight").toFloatArray());
            assertArrayEquals(new long[] {2, 3}, t.get("weight").shape().toArray());
            assertEquals(DType.FLOAT64, t.get("bias").dtype());
            assertArrayEquals(new double[] {1.5, -2}, t.get("bias").toDoubleArray());
            assertArrayEquals(new long[] {1, -2, 3}, t.get("ids").toLongArray());
            assertArrayEquals(new boolean[] {true, false, false, true}, t.get("mask").toBooleanArray());
            assertEquals(DType.UINT8, t.get("pixels").dtype());
            assertArrayEquals(new int[] {0, 7, 255}, t.get("pixels").toIntArray());
            assertArrayEquals(new int[] {-1}, t.get("counts").toIntArray());
            assertEquals(0, t.get("scalar").rank());
            assertEquals(3.25, t.get("scalar").item());
            assertArrayEquals(new long[] {0, 3}, t.get("empty").shape().toArray());
        }
    }

    @Test
    void writesPythonsBytesExactly() throws IOException {
        try (Tensor weight = Tensor.of(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, 2, 3); Tensor bias = Tensor.of(new double[] {1.5, -2}, 2);
             Tensor ids = Tensor.of(new long[] {1, -2, 3}, 3); Tensor mask = Tensor.of(new boolean[] {true, false, false, true}, 2, 2);
             Tensor pixelValues = Tensor.of(new int[] {0, 7, 255}, 3); Tensor pixels = pixelValues.to(DType.UINT8);
             Tensor counts = Tensor.of(new int[] {-1}, 1); Tensor scalar = Tensor.scalar(3.25); Tensor empty = Tensor.zeros(0, 3)) {
            Map<String, Tensor> tensors = new HashMap<>(Map.of("weight", weight, "bias", bias, "ids", ids, "mask", mask, "pixels", pixels,
                    "counts", counts, "scalar", scalar, "empty", empty));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Safetensors.write(out, tensors, Map.of("format", "np"));
            assertArrayEquals(Fixtures.bytes("python.safetensors"), out.toByteArray());
        }
    }

    @Test
    void widensHalfBfloatAndNarrowIntegers() throws IOException {
        try (Safetensors.Contents c = Safetensors.read(Fixtures.path("python-widened.safetensors"))) {
            Map<String, Tensor> t = c.tensors();
            assertEquals(DType.FLOAT32, t.get("half").dtype());
            assertArrayEquals(new float[] {1, -0.5f, 65504, 0x1p-24f}, t.get("half").toFloatArray());
            assertArrayEquals(new float[] {1, -3, (float) 1.0002555517425873e30}, t.get("bhalf").toFloatArray());
            assertEquals(DType.INT32, t.get("small").dtype());
            assertArrayEquals(new int[] {-128, 127}, t.get("small").toIntArray());
            assertArrayEquals(new int[] {-32768, 300}, t.get("short").toIntArray());
            assertTrue(c.metadata().isEmpty());
        }
    }

    @Test
    void roundTripsStridedTensorsAndUnicodeNames() throws IOException {
        Generator gen = new Generator(3);
        try (Tensor base = Tensor.randn(gen, 4, 6); Tensor transposed = base.t(); Tensor strided = transposed.slice(0, 0, 6, 2);
             Tensor d = base.to(DType.FLOAT64)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("layer.0/weight", strided);
            tensors.put("naïve \"quoted\"\n", d);
            Path file = dir.resolve("m.safetensors");
            Safetensors.write(file, tensors, Map.of("b", "2", "a", "é\t\u0001"));
            try (Safetensors.Contents c = Safetensors.read(file)) {
                assertEquals(Map.of("a", "é\t\u0001", "b", "2"), c.metadata());
                assertArrayEquals(strided.toFloatArray(), c.tensors().get("layer.0/weight").toFloatArray());
                assertArrayEquals(new long[] {3, 4}, c.tensors().get("layer.0/weight").shape().toArray());
                assertArrayEquals(d.toDoubleArray(), c.tensors().get("naïve \"quoted\"\n").toDoubleArray());
            }
            long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLength % 8, "the header is padded to a multiple of 8 bytes");
        }
        try (Tensor t = Tensor.zeros(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Safetensors.write(new ByteArrayOutputStream(), Map.of("__metadata__", t), null));
            assertTrue(e.getMessage().contains("cannot be named __metadata__"), e.getMessage());
        }
    }

    /** A file with the given header and {@code dataBytes} zero bytes of data. */
    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8).length, dataBytes);
    }

    private Path file(byte[] header, long claimedLength, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(claimedLength).put(header);
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void malformedFilesNameTheFileAndTheProblem() throws IOException {
        Path shortFile = dir.resolve("short.safetensors");
        Files.write(shortFile, new byte[] {1, 2, 3});
        assertMalformed(shortFile, "truncated: the header length needs 8 bytes at byte 0, but only 3 remain in the file",
                () -> Safetensors.read(shortFile));
        Path huge = file(new byte[0], 200_000_000L, 0);
        assertMalformed(huge, "header length of 200000000, which exceeds the format's limit of 100000000 bytes", () -> Safetensors.read(huge));
        Path png = dir.resolve("image.png"); // what `panamax eval image.png` hands the reader
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        assertMalformed(png, "not a safetensors file: its first 8 bytes give a header length of", () -> Safetensors.read(png));
        Path negative = file(new byte[0], -1L, 0);
        assertMalformed(negative, "header length of 18446744073709551615, which exceeds", () -> Safetensors.read(negative));
        Path lyingLength = file("{}".getBytes(), 1000, 0);
        assertMalformed(lyingLength, "truncated: the JSON header needs 1000 bytes at byte 8, but only 2 remain", () -> Safetensors.read(lyingLength));
        assertMalformed(file("[1]", 0), "the header must be a JSON object starting with '{'", () -> Safetensors.read(dir.resolve("bad.safetensors")));
        assertMalformed(file("{\"a\":", 0), "bad JSON header: unexpected end of JSON at character 5", () -> Safetensors.read(dir.resolve("bad.safetensors")));
        assertMalformed(file(new byte[] {'{', (byte) 0xC3, '}'}, 3, 0), "the header is not valid UTF-8", () -> Safetensors.read(dir.resolve("bad.safetensors")));
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        check("{" + a + "," + a + "}", 4, "bad JSON header: duplicate key \"a\"");
        check("{\"a\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2,
                "tensor 'a': dtype U16 is not supported (supported: F32, F64, I32, I64, U8, BOOL; F16, BF16, I8, I16 are widened)");
        check("{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
                "tensor 'b': data_offsets [8, 12] leave a gap (expected to begin at 4)");
        check("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                "tensor 'b': data_offsets [4, 8] overlap the previous tensor's data (expected to begin at 8)");
        check("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                "tensor 'a': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8");
        check("{\"a\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}", 8,
                "truncated: the header's data_offsets end at 400 but only 8 bytes of data follow the header");
        check("{" + a + "}", 9, "5 bytes of data after the last tensor (the header's data_offsets end at 4)");
        check("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
                "tensor 'a': shape must hold non-negative integers below 2^63, got [-1]");
        check("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "tensor 'a': data_offsets [4, 0] end before they begin");
        check("{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,4]}}", 4,
                "tensor 'a': shape [1099511627776, 1099511627776] overflows 64 bits");
        check("{\"__metadata__\":{\"k\":1}," + a + "}", 4, "__metadata__ value of \"k\" must be a string, got 1");
        check("{\"a\":[]}", 0, "tensor 'a': expected an object with dtype, shape and data_offsets, got []");
        check("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "tensor 'a': data_offsets must be an array of 2 non-negative integers");
    }

    private void check(String header, int dataBytes, String problem) throws IOException {
        Path p = file(header, dataBytes);
        assertMalformed(p, problem, () -> Safetensors.read(p));
    }
}
