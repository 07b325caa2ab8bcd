package dev.panamax.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.MemoryStats;
import dev.panamax.testing.Leaks;
import dev.panamax.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader, given a valid small file cut short at every length, or with header bytes
 * flipped, or random bytes, either reads it or throws {@link MalformedFileException} naming the
 * file; never another exception (an out-of-bounds read, an overflow, an out-of-memory) and never
 * a leaked tensor.
 */
class MalformedFilesFuzzTest {
    @TempDir
    Path dir;

    /** Reads a file and closes whatever it returned. */
    @FunctionalInterface
    interface Reader {
        void read(Path file) throws IOException;
    }

    private static final Reader NPY = f -> Npy.read(f).close();
    private static final Reader NPZ = f -> Npz.read(f).values().forEach(Tensor::close);
    private static final Reader SAFETENSORS = f -> Safetensors.read(f).close();
    private static final Reader IDX = f -> Idx.read(f).close();

    private int files;

    /** Reads {@code bytes} as a file; returns false when the reader refused it properly. */
    private boolean tryRead(Reader reader, byte[] bytes, String what) {
        // a new file each time: rewriting one in place is 20 times slower on some file systems
        Path file = dir.resolve("fuzz-" + files++ + ".bin");
        try {
            Files.write(file, bytes);
            reader.read(file);
            return true;
        } catch (MalformedFileException e) {
            assertTrue(e.getMessage().startsWith(file.toString()), what + ": the message must name the file: " + e.getMessage());
            return false;
        } catch (Throwable e) {
            fail(what + ": expected a MalformedFileException, got " + e, e);
            return false;
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // @TempDir removes it later
            }
        }
    }

    private void fuzz(String name, byte[] valid, Reader reader, int headerBytes) {
        MemoryStats before = Leaks.baseline();
        assertTrue(tryRead(reader, valid, name + " intact"), name + " must read when intact");
        for (int n = 0; n < valid.length; n++) {
            assertEquals(false, tryRead(reader, Arrays.copyOf(valid, n), name + " cut to " + n + " bytes"),
                    name + " cut to " + n + " of " + valid.length + " bytes must be refused");
        }
        for (int i = 0; i < Math.min(headerBytes, valid.length); i++) {
            for (int mask : new int[] {0x01, 0xFF}) {
                byte[] b = valid.clone();
                b[i] ^= (byte) mask;
                tryRead(reader, b, name + " with byte " + i + " ^ " + mask);
            }
        }
        Random random = new Random(1);
        for (int k = 0; k < 50; k++) {
            byte[] garbage = new byte[random.nextInt(300)];
            random.nextBytes(garbage);
            tryRead(reader, garbage, name + " random bytes " + k);
        }
        Leaks.assertNoneSince(before, name);
    }

    @Test
    void npy() throws IOException {
        fuzz("npy", Fixtures.bytes("f4.npy"), NPY, 128);
        fuzz("fortran npy", Fixtures.bytes("i4-fortran.npy"), NPY, 128);
        fuzz("npy v2", Fixtures.bytes("f4-v2.npy"), NPY, 128);
    }

    @Test
    void npz() throws IOException {
        for (String name : new String[] {"arrays.npz", "arrays-compressed.npz"}) {
            byte[] valid = Fixtures.bytes(name);
            fuzz(name, valid, NPZ, valid.length);
        }
    }

    @Test
    void safetensors() throws IOException {
        byte[] valid = Fixtures.bytes("python.safetensors");
        fuzz("safetensors", valid, SAFETENSORS, valid.length);
        fuzz("widened safetensors", Fixtures.bytes("python-widened.safetensors"), SAFETENSORS, 300);
    }

    @Test
    void idxPlainAndGzipped() throws IOException {
        try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Idx.write(out, t);
            fuzz("idx", out.toByteArray(), IDX, 16);
            Path gz = dir.resolve("t.idx.gz");
            Idx.write(gz, t);
            byte[] valid = Files.readAllBytes(gz);
            fuzz("idx.gz", valid, IDX, valid.length);
        }
    }
}
