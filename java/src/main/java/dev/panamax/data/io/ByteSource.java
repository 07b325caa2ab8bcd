package dev.panamax.data.io;

import dev.panamax.tensor.Device;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipException;

/**
 * The bytes of a file or stream, read front to back with every size a header claims checked
 * before it is trusted: against the file's length when it is known, and for streams (gzip, zip
 * entries) by reading the data before allocating the tensor that will hold it. A short or
 * corrupt input becomes a {@link MalformedFileException} naming the source and the byte offset.
 */
final class ByteSource implements Closeable {
    private static final int CHUNK_BYTES = 1 << 20;

    private final InputStream in;
    private final String name;
    private final long length;
    private long position;

    private ByteSource(InputStream in, String name, long length) {
        this.in = in;
        this.name = name;
        this.length = length;
    }

    /** A file, whose length bounds every size in it. */
    static ByteSource open(Path file) throws IOException {
        return new ByteSource(new BufferedInputStream(Files.newInputStream(file), 1 << 16), file.toString(), Files.size(file));
    }

    /** A stream of unknown length (decompressed data, an archive entry). */
    static ByteSource of(InputStream in, String name) {
        return new ByteSource(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16), name, -1);
    }

    String name() {
        return name;
    }

    long position() {
        return position;
    }

    /** Bytes left, or -1 when the length is not known. */
    long remaining() {
        return length < 0 ? -1 : length - position;
    }

    MalformedFileException malformed(String problem) {
        return new MalformedFileException(name, problem);
    }

    /** Exactly {@code n} bytes; {@code what} names them in the error when the input ends first. */
    byte[] readBytes(int n, String what) throws IOException {
        if (length >= 0 && n > remaining()) {
            throw truncated(what, position, n, remaining());
        }
        byte[] b = new byte[n];
        fill(b, n, what);
        return b;
    }

    /**
     * A tensor of {@code dims} whose elements follow, stored as {@code type}. Checks the sizes
     * for overflow and against the input before allocating.
     */
    Tensor readTensor(StoredType type, long[] dims, String what) throws IOException {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw malformed(what + " has a negative size in shape " + Arrays.toString(dims));
            }
            count = multiply(count, d, what, dims);
        }
        long bytes = multiply(count, type.fileBytes(), what, dims);
        if (length >= 0 && bytes > remaining()) {
            throw truncated(what + " (shape " + Arrays.toString(dims) + ", " + type.name() + ")", position, bytes, remaining());
        }
        int chunkElems = Math.max(1, CHUNK_BYTES / type.fileBytes());
        // a stream proves it holds the data before the tensor is allocated, so a lying header cannot allocate more
        List<byte[]> buffered = length < 0 ? readChunks(bytes, chunkElems * type.fileBytes(), what, dims, type) : null;
        Tensor t = Tensor.empty(Shape.of(dims), type.dtype(), Device.CPU);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment decoded = arena.allocate((long) Math.min(chunkElems, Math.max(1, count)) * type.dtype().byteSize(), 8);
            byte[] buffer = buffered == null ? new byte[(int) Math.min(bytes, (long) chunkElems * type.fileBytes())] : null;
            int chunk = 0;
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(chunkElems, count - done);
                byte[] src = buffered != null ? buffered.get(chunk++) : buffer;
                if (buffered == null) {
                    fill(buffer, n * type.fileBytes(), what);
                }
                type.decoder().decode(MemorySegment.ofArray(src), decoded, n);
                try (Tensor part = t.viewOf(Shape.of(n), new long[] {1}, done)) {
                    part.backend().write(decoded, part.operand());
                }
                done += n;
            }
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** Throws when anything follows {@code what}: a header whose sizes do not account for every byte. */
    void expectEnd(String what) throws IOException {
        if (length >= 0 && position < length) {
            throw malformed((length - position) + " unexpected bytes after " + what + " at byte " + position
                    + " (the header's sizes do not account for them)");
        }
        if (length < 0 && read() >= 0) {
            throw malformed("unexpected data after " + what + " at byte " + position + " (the header's sizes do not account for it)");
        }
    }

    private List<byte[]> readChunks(long bytes, int chunkBytes, String what, long[] dims, StoredType type) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long start = position;
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(chunkBytes, left);
            byte[] c = new byte[n];
            int got = readUpTo(c, n);
            if (got < n) {
                throw truncated(what + " (shape " + Arrays.toString(dims) + ", " + type.name() + ")", start, bytes, position - start);
            }
            chunks.add(c);
            left -= n;
        }
        return chunks;
    }

    private void fill(byte[] b, int n, String what) throws IOException {
        long start = position;
        if (readUpTo(b, n) < n) {
            throw truncated(what, start, n, position - start);
        }
    }

    /** Reads until {@code n} bytes or the end; a corrupt compressed stream is reported as malformed. */
    private int readUpTo(byte[] b, int n) throws IOException {
        try {
            int got = in.readNBytes(b, 0, n);
            position += got;
            return got;
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(name, "corrupt compressed data near byte " + position + ": " + e.getMessage(), e);
        }
    }

    private int read() throws IOException {
        byte[] one = new byte[1];
        return readUpTo(one, 1) == 1 ? one[0] & 0xFF : -1;
    }

    private MalformedFileException truncated(String what, long at, long needed, long available) {
        return malformed("truncated: " + what + " needs " + needed + " bytes at byte " + at + ", but only " + available
                + (length >= 0 ? " remain in the file" : " follow"));
    }

    private long multiply(long a, long b, String what, long[] dims) throws MalformedFileException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw malformed(what + " has shape " + Arrays.toString(dims) + ", whose size overflows 64 bits");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
