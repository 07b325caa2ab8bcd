package dev.panamax.backend.cpu;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads and writes single elements of any dtype as doubles: the slow, general path. */
final class Elements {
    private Elements() {}

    static double read(MemorySegment s, DType t, long index) {
        return switch (t) {
            case FLOAT32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT, index);
            case FLOAT64 -> s.getAtIndex(ValueLayout.JAVA_DOUBLE, index);
            case INT32 -> s.getAtIndex(ValueLayout.JAVA_INT, index);
            case INT64 -> s.getAtIndex(ValueLayout.JAVA_LONG, index);
            case UINT8, BOOL -> s.get(ValueLayout.JAVA_BYTE, index) & 0xFF;
        };
    }

    /** Reads an integer element exactly (indices). */
    static long readLong(MemorySegment s, DType t, long index) {
        return switch (t) {
            case INT64 -> s.getAtIndex(ValueLayout.JAVA_LONG, index);
            case INT32 -> s.getAtIndex(ValueLayout.JAVA_INT, index);
            case UINT8, BOOL -> s.get(ValueLayout.JAVA_BYTE, index) & 0xFF;
            case FLOAT32, FLOAT64 -> (long) read(s, t, index);
        };
    }

    /** Writes with C-like conversion: truncation toward zero for integers, BOOL is value != 0. */
    static void write(MemorySegment s, DType t, long index, double v) {
        switch (t) {
            case FLOAT32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, index, (float) v);
            case FLOAT64 -> s.setAtIndex(ValueLayout.JAVA_DOUBLE, index, v);
            // through long, so int32 results computed exactly in double wrap around as in PyTorch
            // (INT_MAX + 1 = INT_MIN) instead of saturating
            case INT32 -> s.setAtIndex(ValueLayout.JAVA_INT, index, (int) (long) v);
            case INT64 -> s.setAtIndex(ValueLayout.JAVA_LONG, index, (long) v);
            case UINT8 -> s.set(ValueLayout.JAVA_BYTE, index, (byte) (int) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, index, (byte) (v != 0 ? 1 : 0));
        }
    }

    /** Writes an integer exactly, narrowed as Java's casts narrow (int32 keeps the low 32 bits), BOOL as value != 0. */
    static void writeLong(MemorySegment s, DType t, long index, long v) {
        switch (t) {
            case INT64 -> s.setAtIndex(ValueLayout.JAVA_LONG, index, v);
            case INT32 -> s.setAtIndex(ValueLayout.JAVA_INT, index, (int) v);
            case UINT8 -> s.set(ValueLayout.JAVA_BYTE, index, (byte) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, index, (byte) (v != 0 ? 1 : 0));
            case FLOAT32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, index, (float) v);
            case FLOAT64 -> s.setAtIndex(ValueLayout.JAVA_DOUBLE, index, (double) v);
        }
    }

    /** Copies one element between operands of the same dtype, bit for bit. */
    static void copyBits(MemorySegment src, long srcIndex, MemorySegment dst, long dstIndex, int byteSize) {
        switch (byteSize) {
            case 1 -> dst.set(ValueLayout.JAVA_BYTE, dstIndex, src.get(ValueLayout.JAVA_BYTE, srcIndex));
            case 4 -> dst.setAtIndex(ValueLayout.JAVA_INT, dstIndex, src.getAtIndex(ValueLayout.JAVA_INT, srcIndex));
            case 8 -> dst.setAtIndex(ValueLayout.JAVA_LONG, dstIndex, src.getAtIndex(ValueLayout.JAVA_LONG, srcIndex));
            default -> throw new IllegalArgumentException("element size " + byteSize);
        }
    }

    /**
     * Gathers {@code n} elements starting at {@code index} with {@code stride} into a dense tile of
     * {@code tileType} (FLOAT32, FLOAT64, or INT64 for integer elements, read exactly), converting.
     */
    static void gather(MemorySegment s, DType t, long index, long stride, int n, MemorySegment tile, DType tileType) {
        if (tileType == DType.INT64) {
            for (int i = 0; i < n; i++) {
                tile.setAtIndex(ValueLayout.JAVA_LONG, i, readLong(s, t, index + i * stride));
            }
            return;
        }
        if (t == DType.FLOAT32 && tileType == DType.FLOAT32) {
            for (int i = 0; i < n; i++) {
                tile.setAtIndex(ValueLayout.JAVA_FLOAT, i, s.getAtIndex(ValueLayout.JAVA_FLOAT, index + i * stride));
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            write(tile, tileType, i, read(s, t, index + i * stride));
        }
    }

    /** The inverse of {@link #gather}. */
    static void scatter(MemorySegment tile, DType tileType, int n, MemorySegment s, DType t, long index, long stride) {
        if (tileType == DType.INT64) {
            for (int i = 0; i < n; i++) {
                writeLong(s, t, index + i * stride, tile.getAtIndex(ValueLayout.JAVA_LONG, i));
            }
            return;
        }
        if (t == DType.FLOAT32 && tileType == DType.FLOAT32) {
            for (int i = 0; i < n; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, index + i * stride, tile.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            write(s, t, index + i * stride, read(tile, tileType, i));
        }
    }
}
