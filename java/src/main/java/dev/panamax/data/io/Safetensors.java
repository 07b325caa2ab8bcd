package dev.panamax.data.io;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to its {@code dtype}, {@code shape} and {@code data_offsets} (relative
 * to the data that follows) plus an optional {@code __metadata__} map of strings, then the
 * little-endian data. Reading applies the reference implementation's checks: the offsets must
 * tile the data exactly, each range must match its dtype and shape, and the header must fit the
 * file. Writing produces the bytes Python's {@code safetensors.save} produces (tensors ordered
 * by dtype, then name; header padded with spaces to 8 bytes); metadata keys are written sorted.
 * Types F32, F64, I32, I64, U8, BOOL round-trip; F16 and BF16 are read as float32, I8 and I16 as
 * int32.
 */
public final class Safetensors {
    /** The reference implementation's limit on the header size. */
    private static final long MAX_HEADER = 100_000_000;
    private static final String METADATA = "__metadata__";

    private Safetensors() {}

    /** The tensors of a file in data order, and its {@code __metadata__} (empty when absent). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) implements AutoCloseable {
        /** Closes every tensor. */
        @Override
        public void close() {
            tensors.values().forEach(Tensor::close);
        }
    }

    private record Entry(String name, StoredType type, long[] shape, long begin, long end) {}

    public static Contents read(Path file) throws IOException {
        try (ByteSource src = ByteSource.open(file)) {
            ByteBuffer lengthBytes = ByteBuffer.wrap(src.readBytes(8, "the header length")).order(ByteOrder.LITTLE_ENDIAN);
            long n = lengthBytes.getLong();
            if (n < 0 || n > MAX_HEADER) {
                // what any other kind of file (an image, a PyTorch .pt zip) gives: say so before the number
                throw src.malformed("not a safetensors file: its first 8 bytes give a header length of " + Long.toUnsignedString(n)
                        + ", which exceeds the format's limit of " + MAX_HEADER + " bytes");
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(src.readBytes((int) n, "the JSON header"))).toString();
            } catch (CharacterCodingException e) {
                throw src.malformed("the header is not valid UTF-8");
            }
            if (!text.startsWith("{")) {
                throw src.malformed("not a safetensors file: the header must be a JSON object starting with '{'");
            }
            if (!(Json.parse(text, src) instanceof Map<?, ?> header)) {
                throw src.malformed("the header must be a JSON object");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals(METADATA)) {
                    metadata = metadata(e.getValue(), src);
                } else {
                    entries.add(entry(name, e.getValue(), src));
                }
            }
            entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            checkTiling(entries, src.remaining(), src);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            try {
                for (Entry e : entries) {
                    tensors.put(e.name, src.readTensor(e.type, e.shape, "tensor '" + e.name + "'"));
                }
            } catch (IOException | RuntimeException ex) {
                tensors.values().forEach(Tensor::close);
                throw ex;
            }
            return new Contents(tensors, metadata);
        }
    }

    private static Map<String, String> metadata(Object value, ByteSource src) throws MalformedFileException {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (value == null) {
            return metadata;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw src.malformed(METADATA + " must be an object of strings, got " + value);
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw src.malformed(METADATA + " value of \"" + e.getKey() + "\" must be a string, got " + e.getValue());
            }
            metadata.put((String) e.getKey(), s);
        }
        return metadata;
    }

    private static Entry entry(String name, Object value, ByteSource src) throws MalformedFileException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> info)) {
            throw src.malformed(where + ": expected an object with dtype, shape and data_offsets, got " + value);
        }
        if (!(info.get("dtype") instanceof String dtype)) {
            throw src.malformed(where + ": dtype must be a string, got " + info.get("dtype"));
        }
        long[] shape = longs(info.get("shape"), -1, where + ": shape", src);
        long[] offsets = longs(info.get("data_offsets"), 2, where + ": data_offsets", src);
        if (offsets[0] > offsets[1]) {
            throw src.malformed(where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        StoredType type = storedType(dtype, where, src);
        long bytes = type.fileBytes();
        try {
            for (long d : shape) {
                bytes = Math.multiplyExact(bytes, d);
            }
        } catch (ArithmeticException e) {
            throw src.malformed(where + ": shape " + java.util.Arrays.toString(shape) + " overflows 64 bits");
        }
        if (bytes != offsets[1] - offsets[0]) {
            throw src.malformed(where + ": shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                    + " bytes but data_offsets [" + offsets[0] + ", " + offsets[1] + "] span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, type, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers, of a given length unless {@code length} is -1. */
    private static long[] longs(Object value, int length, String what, ByteSource src) throws MalformedFileException {
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw src.malformed(what + " must be an array of " + (length >= 0 ? length + " " : "") + "non-negative integers, got " + value);
        }
        long[] r = new long[list.size()];
        for (int i = 0; i < r.length; i++) {
            if (!(list.get(i) instanceof BigInteger v) || v.signum() < 0 || v.bitLength() > 63) {
                throw src.malformed(what + " must hold non-negative integers below 2^63, got " + value);
            }
            r[i] = v.longValue();
        }
        return r;
    }

    /** Offsets in data order must cover [0, data length) with no gap and no overlap, as the reference reader demands. */
    private static void checkTiling(List<Entry> entries, long dataLength, ByteSource src) throws MalformedFileException {
        long at = 0;
        for (Entry e : entries) {
            if (e.begin != at) {
                throw src.malformed("tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end + "] "
                        + (e.begin < at ? "overlap the previous tensor's data" : "leave a gap") + " (expected to begin at " + at + ")");
            }
            at = e.end;
        }
        if (at != dataLength) {
            throw src.malformed(at > dataLength
                    ? "truncated: the header's data_offsets end at " + at + " but only " + dataLength + " bytes of data follow the header"
                    : (dataLength - at) + " bytes of data after the last tensor (the header's data_offsets end at " + at + ")");
        }
    }

    private static StoredType storedType(String dtype, String where, ByteSource src) throws MalformedFileException {
        return switch (dtype) {
            case "F32" -> StoredType.raw(dtype, DType.FLOAT32, ByteOrder.LITTLE_ENDIAN);
            case "F64" -> StoredType.raw(dtype, DType.FLOAT64, ByteOrder.LITTLE_ENDIAN);
            case "I32" -> StoredType.raw(dtype, DType.INT32, ByteOrder.LITTLE_ENDIAN);
            case "I64" -> StoredType.raw(dtype, DType.INT64, ByteOrder.LITTLE_ENDIAN);
            case "U8" -> StoredType.raw(dtype, DType.UINT8, ByteOrder.LITTLE_ENDIAN);
            case "BOOL" -> StoredType.bool(dtype);
            case "F16" -> StoredType.float16(dtype);
            case "BF16" -> StoredType.bfloat16(dtype);
            case "I8" -> StoredType.signedToInt32(dtype, 1, ByteOrder.LITTLE_ENDIAN);
            case "I16" -> StoredType.signedToInt32(dtype, 2, ByteOrder.LITTLE_ENDIAN);
            default -> throw src.malformed(where + ": dtype " + dtype
                    + " is not supported (supported: F32, F64, I32, I64, U8, BOOL; F16, BF16, I8, I16 are widened)");
        };
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(out, tensors, metadata);
        }
    }

    /** Writes {@code tensors} and, unless null, {@code metadata} (keys sorted). */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        // the reference writer's order: larger-rank dtypes first (its enum order), then by name
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -dtypeRank(e.getValue().dtype()))
                .thenComparing(Map.Entry::getKey));
        StringBuilder json = new StringBuilder("{");
        if (metadata != null) {
            json.append(Json.quote(METADATA)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                json.append(sep).append(Json.quote(m.getKey())).append(':').append(Json.quote(m.getValue()));
                sep = ",";
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("Safetensors.write: a tensor cannot be named " + METADATA);
            }
            Tensor t = e.getValue();
            long end = offset + TensorWriter.dataBytes(t);
            json.append(json.length() > 1 ? "," : "").append(Json.quote(e.getKey()))
                    .append(":{\"dtype\":\"").append(dtypeName(t.dtype())).append("\",\"shape\":[");
            long[] shape = t.shape().toArray();
            for (int i = 0; i < shape.length; i++) {
                json.append(i > 0 ? "," : "").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(prefix.array());
        out.write(header);
        out.write(" ".repeat(padded - header.length).getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, Tensor> e : order) {
            TensorWriter.write(e.getValue(), ByteOrder.LITTLE_ENDIAN, out);
        }
        out.flush();
    }

    private static String dtypeName(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case UINT8 -> "U8";
            case BOOL -> "BOOL";
        };
    }

    /** Position in the reference implementation's Dtype enum (BOOL, ..., U8, ..., I32, U32, F32, ..., F64, I64). */
    private static int dtypeRank(DType dtype) {
        return switch (dtype) {
            case BOOL -> 0;
            case UINT8 -> 1;
            case INT32 -> 2;
            case FLOAT32 -> 3;
            case FLOAT64 -> 4;
            case INT64 -> 5;
        };
    }
}
