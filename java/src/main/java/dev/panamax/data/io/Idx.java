package dev.panamax.data.io;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The IDX format of the MNIST family (LeCun et al.): two zero bytes, a type code, the rank, one
 * big-endian 32-bit size per dim, then the elements big-endian. Reads plain or gzipped files
 * (recognised by their content, not their name). Types: unsigned byte → uint8, signed byte and
 * short → int32, int → int32, float → float32, double → float64.
 */
public final class Idx {
    private static final int GZIP_MAGIC = 0x1f8b;

    private Idx() {}

    /** Reads a tensor from an IDX file, gzipped or not. */
    public static Tensor read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            if (isGzip(raw)) {
                return read(ByteSource.of(gunzip(raw, file + " (gzip)"), file + " (gzip)"));
            }
        }
        try (ByteSource src = ByteSource.open(file)) {
            return read(src);
        }
    }

    /** Reads a tensor from an IDX stream, gzipped or not; {@code name} is used in messages. */
    public static Tensor read(InputStream in, String name) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in);
        return read(ByteSource.of(isGzip(buffered) ? gunzip(buffered, name) : buffered, name));
    }

    private static InputStream gunzip(InputStream in, String name) throws IOException {
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(name, "corrupt gzip header: " + e.getMessage(), e);
        }
    }

    private static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 >= 0 && b1 >= 0 && (b0 << 8 | b1) == GZIP_MAGIC;
    }

    private static Tensor read(ByteSource src) throws IOException {
        byte[] magic = src.readBytes(4, "the IDX magic number");
        if (magic[0] != 0 || magic[1] != 0) {
            throw src.malformed(String.format("not an IDX file: the magic number must start with 00 00, got %02x %02x", magic[0], magic[1]));
        }
        StoredType type = storedType(magic[2] & 0xFF, src);
        int rank = magic[3] & 0xFF;
        byte[] sizeBytes = src.readBytes(4 * rank, "the sizes of " + rank + " dims");
        long[] dims = new long[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = ((sizeBytes[4 * d] & 0xFFL) << 24) | ((sizeBytes[4 * d + 1] & 0xFF) << 16)
                    | ((sizeBytes[4 * d + 2] & 0xFF) << 8) | (sizeBytes[4 * d + 3] & 0xFF);
        }
        Tensor t = src.readTensor(type, dims, "the data");
        try {
            src.expectEnd("the data");
        } catch (IOException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private static StoredType storedType(int code, ByteSource src) throws MalformedFileException {
        return switch (code) {
            case 0x08 -> StoredType.raw("unsigned byte", DType.UINT8, ByteOrder.BIG_ENDIAN);
            case 0x09 -> StoredType.signedToInt32("signed byte", 1, ByteOrder.BIG_ENDIAN);
            case 0x0B -> StoredType.signedToInt32("short", 2, ByteOrder.BIG_ENDIAN);
            case 0x0C -> StoredType.raw("int", DType.INT32, ByteOrder.BIG_ENDIAN);
            case 0x0D -> StoredType.raw("float", DType.FLOAT32, ByteOrder.BIG_ENDIAN);
            case 0x0E -> StoredType.raw("double", DType.FLOAT64, ByteOrder.BIG_ENDIAN);
            default -> throw src.malformed(String.format("unknown IDX type code 0x%02x (expected 08, 09, 0b, 0c, 0d or 0e)", code));
        };
    }

    /** Writes {@code t} as IDX; gzipped when the file name ends in {@code .gz}. */
    public static void write(Path file, Tensor t) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            if (file.getFileName().toString().endsWith(".gz")) {
                try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
                    write(gz, t);
                }
            } else {
                write(out, t);
            }
        }
    }

    /** Writes {@code t} as (uncompressed) IDX: uint8, int32, float32 or float64, rank at most 255. */
    public static void write(OutputStream out, Tensor t) throws IOException {
        int code = switch (t.dtype()) {
            case UINT8 -> 0x08;
            case INT32 -> 0x0C;
            case FLOAT32 -> 0x0D;
            case FLOAT64 -> 0x0E;
            default -> throw new IllegalArgumentException("Idx.write: " + t.describe() + " has no IDX type (IDX holds uint8, int32, float32, float64)");
        };
        if (t.rank() > 255) {
            throw new IllegalArgumentException("Idx.write: rank " + t.rank() + " of " + t.describe() + " exceeds IDX's 255");
        }
        DataOutputStream data = new DataOutputStream(out);
        data.write(new byte[] {0, 0, (byte) code, (byte) t.rank()});
        for (long d : t.shape().toArray()) {
            if (d > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("Idx.write: size " + d + " of " + t.describe() + " exceeds IDX's 32-bit sizes");
            }
            data.writeInt((int) d);
        }
        data.flush();
        TensorWriter.write(t, ByteOrder.BIG_ENDIAN, out);
    }
}
