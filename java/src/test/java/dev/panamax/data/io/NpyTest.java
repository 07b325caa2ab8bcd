package dev.panamax.data.io;

import static dev.panamax.data.io.Fixtures.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    private static Tensor read(String fixture) throws IOException {
        return Npy.read(Fixtures.path(fixture));
    }

    @Test
    void readsNumpysFilesOfEveryType() throws IOException {
        try (Tensor t = read("f4.npy")) {
            assertEquals(DType.FLOAT32, t.dtype());
            assertArrayEquals(new long[] {2, 3}, t.shape().toArray());
            assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, t.toFloatArray());
        }
        try (Tensor t = read("f8-big-endian.npy")) {
            assertEquals(DType.FLOAT64, t.dtype());
            assertArrayEquals(new double[] {1.5, -2.25, 1e300}, t.toDoubleArray());
        }
        try (Tensor t = read("i8-scalar.npy")) {
            assertEquals(DType.INT64, t.dtype());
            assertEquals(0, t.rank());
            assertArrayEquals(new long[] {-(1L << 40) - 7}, t.toLongArray());
        }
        try (Tensor t = read("u1.npy")) {
            assertEquals(DType.UINT8, t.dtype());
            assertArrayEquals(new int[] {0, 7, 128, 255}, t.toIntArray());
        }
        try (Tensor t = read("b1.npy")) {
            assertEquals(DType.BOOL, t.dtype());
            assertArrayEquals(new boolean[] {true, false, true}, t.toBooleanArray());
        }
        try (Tensor t = read("f4-empty.npy")) {
            assertArrayEquals(new long[] {0, 3}, t.shape().toArray());
        }
        for (String v : new String[] {"f4-v2.npy", "f4-v3.npy"}) {
            try (Tensor t = read(v)) {
                assertArrayEquals(new float[] {0.5f, -1}, t.toFloatArray());
            }
        }
    }

    @Test
    void fortranOrderArraysBecomeRowMajor() throws IOException {
        try (Tensor t = read("i4-fortran.npy")) {
            assertEquals(DType.INT32, t.dtype());
            assertArrayEquals(new long[] {2, 3, 4}, t.shape().toArray());
            int[] expected = new int[24];
            for (int i = 0; i < 24; i++) {
                expected[i] = i - 5;
            }
            assertArrayEquals(expected, t.toIntArray());
            assertEquals(true, t.isContiguous());
        }
    }

    @Test
    void writesWhatNumpySaveWritesByteForByte() throws IOException {
        try (Tensor f4 = Tensor.of(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, 2, 3);
             Tensor i8 = Tensor.of(new long[] {-(1L << 40) - 7});
             Tensor scalar = i8.view();
             Tensor u8src = Tensor.of(new int[] {0, 7, 128, 255}, 2, 2); Tensor u1 = u8src.to(DType.UINT8);
             Tensor b1 = Tensor.of(new boolean[] {true, false, true}, 3);
             Tensor empty = Tensor.zeros(0, 3)) {
            Object[][] cases = {{f4, "f4.npy"}, {scalar, "i8-scalar.npy"}, {u1, "u1.npy"}, {b1, "b1.npy"}, {empty, "f4-empty.npy"}};
            for (Object[] c : cases) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Npy.write(out, (Tensor) c[0]);
                assertArrayEquals(Fixtures.bytes((String) c[1]), out.toByteArray(), (String) c[1]);
            }
        }
    }

    @Test
    void roundTripsStridedTensorsOfEveryType() throws IOException {
        Generator gen = new Generator(1);
        try (Tensor base = Tensor.randn(gen, 3, 4, 5); Tensor permuted = base.permute(2, 0, 1); Tensor strided = permuted.slice(0, 1, 5, 2)) {
            for (DType dtype : DType.values()) {
                try (Tensor t = strided.to(dtype)) {
                    Path file = dir.resolve(dtype.pyName() + ".npy");
                    Npy.write(file, t);
                    try (Tensor back = Npy.read(file)) {
                        assertEquals(dtype, back.dtype());
                        assertArrayEquals(t.shape().toArray(), back.shape().toArray());
                        assertArrayEquals(t.toDoubleArray(), back.toDoubleArray());
                    }
                }
            }
        }
    }

    private Path npy(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] file = new byte[10 + h.length + dataBytes];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length, (byte) (h.length >> 8)}, 0, file, 0, 10);
        System.arraycopy(h, 0, file, 10, h.length);
        Path p = dir.resolve("bad.npy");
        Files.write(p, file);
        return p;
    }

    @Test
    void malformedFilesNameTheFileAndTheProblem() throws IOException {
        Path p = dir.resolve("text.npy");
        Files.writeString(p, "hello world");
        assertMalformed(p, "not a .npy file: it does not start with \\x93NUMPY", () -> Npy.read(p));
        Path v = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", 4);
        byte[] b = Files.readAllBytes(v);
        b[6] = 4;
        Files.write(v, b);
        assertMalformed(v, "unsupported .npy version 4.0", () -> Npy.read(v));
        Path f2 = npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }\n", 2);
        assertMalformed(f2, "unsupported dtype '<f2' (supported: f4, f8, i4, i8, u1, b1)", () -> Npy.read(f2));
        Path structured = npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", 4);
        assertMalformed(structured, "unsupported dtype [[a, <f4]]", () -> Npy.read(structured));
        Path keys = npy("{'descr': '<f4', 'shape': (1,), }\n", 4);
        assertMalformed(keys, "header keys must be exactly descr, fortran_order and shape, got [descr, shape]", () -> Npy.read(keys));
        Path negative = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }\n", 4);
        assertMalformed(negative, "shape [2, -1] must hold non-negative integers (dim 1 is -1)", () -> Npy.read(negative));
        Path lying = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5), }\n", 16);
        assertMalformed(lying, "truncated: the array data (shape [3, 5], <f8) needs 120 bytes at byte 70, but only 16 remain in the file",
                () -> Npy.read(lying));
        Path huge = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", 16);
        assertMalformed(huge, "has shape [4294967296, 4294967296], whose size overflows 64 bits", () -> Npy.read(huge));
        Path extra = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }\n", 5);
        assertMalformed(extra, "3 unexpected bytes after the array data", () -> Npy.read(extra));
        Path syntax = npy("{'descr': '<f4' 'fortran_order': False}\n", 4);
        assertMalformed(syntax, "bad .npy header: expected ',' or '}' at character 16", () -> Npy.read(syntax));
        Path order = npy("{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,), }\n", 4);
        assertMalformed(order, "fortran_order must be True or False, got no", () -> Npy.read(order));
        Path deep = npy("{'descr': " + "(".repeat(100) + ")".repeat(100) + "}\n", 0);
        assertMalformed(deep, "nested deeper than 32 levels", () -> Npy.read(deep));
    }
}
