package dev.panamax.data.io;

import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Writes a tensor's elements in row-major order and a given byte order, a chunk at a time. */
final class TensorWriter {
    private static final int CHUNK_BYTES = 1 << 20;

    private TensorWriter() {}

    static void write(Tensor t, ByteOrder order, OutputStream out) throws IOException {
        int size = t.dtype().byteSize();
        ValueLayout layout = StoredType.layout(t.dtype());
        ValueLayout stored = layout.withOrder(order);
        long count = t.numel();
        int chunkElems = (int) Math.min(CHUNK_BYTES / size, Math.max(1, count));
        try (Tensor dense = t.contiguous(); Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) chunkElems * size, 8);
            byte[] bytes = new byte[chunkElems * size];
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(chunkElems, count - done);
                try (Tensor part = dense.viewOf(Shape.of(n), new long[] {1}, dense.storageOffset() + done)) {
                    part.backend().read(part.operand(), host);
                }
                MemorySegment.copy(host, layout, 0, MemorySegment.ofArray(bytes), stored, 0, n);
                out.write(bytes, 0, n * size);
                done += n;
            }
        }
    }

    /** Bytes of a tensor's data: numel × element size. */
    static long dataBytes(Tensor t) {
        return t.numel() * t.dtype().byteSize();
    }
}
