package dev.panamax.data.io;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0): the magic {@code \x93NUMPY}, a version,
 * a little-endian header length, a Python dict literal ({@code descr}, {@code fortran_order},
 * {@code shape}), then the raw elements. Types {@code f4 f8 i4 i8 u1 b1} in either byte order;
 * Fortran-ordered arrays are read into row-major tensors. Writes what {@code numpy.save} writes,
 * byte for byte (version 1.0, little-endian, header padded to 64 bytes).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** numpy leaves room to grow the first dim in place: its header holds this many digits of it. */
    private static final int GROWTH_DIGITS = 21;
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    public static Tensor read(Path file) throws IOException {
        try (ByteSource src = ByteSource.open(file)) {
            return read(src);
        }
    }

    /** Reads one array from a stream (an archive entry, say); {@code name} is used in messages. */
    public static Tensor read(InputStream in, String name) throws IOException {
        return read(ByteSource.of(in, name));
    }

    static Tensor read(ByteSource src) throws IOException {
        byte[] prefix = src.readBytes(MAGIC.length + 2, "the .npy magic and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                throw src.malformed("not a .npy file: it does not start with \\x93NUMPY");
            }
        }
        int major = prefix[6];
        if (major < 1 || major > 3 || prefix[7] != 0) {
            throw src.malformed("unsupported .npy version " + major + "." + prefix[7] + " (expected 1.0, 2.0 or 3.0)");
        }
        byte[] len = src.readBytes(major == 1 ? 2 : 4, "the header length");
        long headerLength = (len[0] & 0xFF) | (len[1] & 0xFF) << 8 | (major == 1 ? 0 : (len[2] & 0xFFL) << 16 | (len[3] & 0xFFL) << 24);
        if (headerLength > MAX_HEADER) {
            throw src.malformed("header length " + headerLength + " exceeds " + MAX_HEADER + " bytes");
        }
        String text = new String(src.readBytes((int) headerLength, "the header"),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> header = PyLiteral.parseDict(text, src);
        if (!header.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw src.malformed("header keys must be exactly descr, fortran_order and shape, got " + header.keySet());
        }
        StoredType type = storedType(header.get("descr"), src);
        if (!(header.get("fortran_order") instanceof Boolean fortran)) {
            throw src.malformed("fortran_order must be True or False, got " + header.get("fortran_order"));
        }
        long[] shape = shape(header.get("shape"), src);
        long[] stored = fortran ? reversed(shape) : shape;
        Tensor t = src.readTensor(type, stored, "the array data");
        try {
            src.expectEnd("the array data");
        } catch (IOException e) {
            t.close();
            throw e;
        }
        if (!fortran || shape.length < 2) {
            return t;
        }
        // column-major data is the row-major array of the reversed shape, transposed
        try (t; Tensor transposed = t.permute(reversedDims(shape.length))) {
            return transposed.contiguousCopy();
        }
    }

    private static StoredType storedType(Object descr, ByteSource src) throws MalformedFileException {
        if (!(descr instanceof String d) || d.length() < 3) {
            throw src.malformed("unsupported dtype " + describe(descr) + " (supported: f4, f8, i4, i8, u1, b1; structured types are not)");
        }
        ByteOrder order = switch (d.charAt(0)) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '|', '=' -> ByteOrder.nativeOrder();
            default -> throw src.malformed("dtype '" + d + "' has no byte order mark (expected <, >, | or =)");
        };
        return switch (d.substring(1)) {
            case "f4" -> StoredType.raw(d, DType.FLOAT32, order);
            case "f8" -> StoredType.raw(d, DType.FLOAT64, order);
            case "i4" -> StoredType.raw(d, DType.INT32, order);
            case "i8" -> StoredType.raw(d, DType.INT64, order);
            case "u1" -> StoredType.raw(d, DType.UINT8, order);
            case "b1" -> StoredType.bool(d);
            default -> throw src.malformed("unsupported dtype '" + d + "' (supported: f4, f8, i4, i8, u1, b1)");
        };
    }

    private static long[] shape(Object value, ByteSource src) throws MalformedFileException {
        if (!(value instanceof List<?> dims)) {
            throw src.malformed("shape must be a tuple of sizes, got " + describe(value));
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long v) || v < 0) {
                throw src.malformed("shape " + dims + " must hold non-negative integers (dim " + i + " is " + describe(dims.get(i)) + ")");
            }
            shape[i] = v;
        }
        return shape;
    }

    private static String describe(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    private static long[] reversed(long[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    private static int[] reversedDims(int rank) {
        int[] r = new int[rank];
        for (int i = 0; i < rank; i++) {
            r[i] = rank - 1 - i;
        }
        return r;
    }

    public static void write(Path file, Tensor t) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(out, t);
        }
    }

    /** Writes {@code t} as {@code numpy.save} would (row-major, little-endian). */
    public static void write(OutputStream out, Tensor t) throws IOException {
        out.write(header(t));
        TensorWriter.write(t, ByteOrder.LITTLE_ENDIAN, out);
    }

    /** Magic, version, length and the padded header dict, as numpy's {@code _write_array_header}. */
    static byte[] header(Tensor t) {
        String descr = switch (t.dtype()) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case UINT8 -> "|u1";
            case BOOL -> "|b1";
        };
        long[] shape = t.shape().toArray();
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            dims.append(i > 0 ? ", " : "").append(shape[i]);
        }
        dims.append(shape.length == 1 ? ",)" : ")");
        StringBuilder dict = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }");
        if (shape.length > 0) {
            dict.repeat(' ', Math.max(0, GROWTH_DIGITS - Long.toString(shape[0]).length()));
        }
        int hlen = dict.length() + 1;
        int lengthBytes = 2;
        int fixed = MAGIC.length + 2 + lengthBytes;
        if (hlen + ALIGN - (fixed + hlen) % ALIGN > 0xFFFF) {
            lengthBytes = 4; // version 2.0, as numpy when the length does not fit 16 bits
            fixed += 2;
        }
        int pad = ALIGN - (fixed + hlen) % ALIGN;
        dict.repeat(' ', pad).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[fixed + text.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[MAGIC.length] = (byte) (lengthBytes == 2 ? 1 : 2);
        for (int i = 0; i < lengthBytes; i++) {
            out[MAGIC.length + 2 + i] = (byte) (text.length >>> (8 * i));
        }
        System.arraycopy(text, 0, out, fixed, text.length);
        return out;
    }
}
