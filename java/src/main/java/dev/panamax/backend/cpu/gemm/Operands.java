package dev.panamax.backend.cpu.gemm;

import java.lang.foreign.MemorySegment;

/** Argument checks shared by the GEMM entry points: every access is proven in range before any memory is touched. */
final class Operands {
    /** An unstarted thread: a segment it may access is not confined to its creator, so pool workers may read it. */
    static final Thread OTHER_THREAD = Thread.ofPlatform().unstarted(() -> {});

    private Operands() {}

    static void checkSizes(String routine, int batch, int m, int n, int k) {
        if (batch < 0 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(String.format(
                    "%s: sizes must be non-negative, got batch=%d m=%d n=%d k=%d", routine, batch, m, n, k));
        }
    }

    /**
     * Checks that every element of a {@code batch} of {@code rows x cols} matrices lies inside the segment.
     *
     * @param elementBytes 4 for float, 8 for double
     */
    static void check(String routine, String name, MemorySegment segment, long elementBytes, long offset,
                      long rows, long cols, long rowStride, long colStride, long batch, long batchStride) {
        if (segment == null) {
            throw new IllegalArgumentException(routine + ": operand " + name + " is null");
        }
        // the description is formatted only for a message: this check runs on every product
        if (offset < 0 || rowStride < 0 || colStride < 0 || batchStride < 0) {
            throw new IllegalArgumentException(routine + ": " + describe(name, offset, rows, cols, rowStride, colStride, batch, batchStride)
                    + ": offset and strides must be non-negative");
        }
        if (rows == 0 || cols == 0 || batch == 0) {
            return; // nothing is accessed
        }
        long last;
        try {
            last = Math.addExact(offset, Math.addExact(
                    Math.addExact(Math.multiplyExact(rows - 1, rowStride), Math.multiplyExact(cols - 1, colStride)),
                    Math.multiplyExact(batch - 1, batchStride)));
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException(routine + ": " + describe(name, offset, rows, cols, rowStride, colStride, batch, batchStride)
                    + ": the last element's index overflows a long");
        }
        long available = segment.byteSize() / elementBytes;
        if (last >= available) {
            throw new IllegalArgumentException(String.format(
                    "%s: %s reaches element %d but its segment holds %d %s (%d bytes)",
                    routine, describe(name, offset, rows, cols, rowStride, colStride, batch, batchStride), last, available,
                    elementName(elementBytes), segment.byteSize()));
        }
    }

    static void checkWritable(String routine, String name, MemorySegment segment) {
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException(routine + ": operand " + name + " is a read-only segment");
        }
    }

    /** True when threads other than the caller may access every segment (not confined to the caller's arena). */
    static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c) {
        return a.isAccessibleBy(OTHER_THREAD) && b.isAccessibleBy(OTHER_THREAD) && c.isAccessibleBy(OTHER_THREAD);
    }

    /**
     * False when two elements of a rows x cols matrix may share memory (a zero stride, or strides too close
     * for the extents). Such an output is written on one thread, so its result stays deterministic.
     */
    static boolean disjointElements(long rows, long cols, long rowStride, long colStride) {
        long small = Math.min(rowStride, colStride);
        long large = Math.max(rowStride, colStride);
        long smallExtent = rowStride <= colStride ? rows : cols;
        long largeExtent = rowStride <= colStride ? cols : rows;
        return (smallExtent == 1 || small > 0) && (largeExtent == 1 || large >= (smallExtent - 1) * small + 1);
    }

    private static String describe(String name, long offset, long rows, long cols, long rowStride, long colStride,
                                   long batch, long batchStride) {
        String matrix = String.format("operand %s (%dx%d, offset %d, strides %d,%d", name, rows, cols, offset, rowStride, colStride);
        return batch == 1 ? matrix + ")" : matrix + String.format(", batch %d, batch stride %d)", batch, batchStride);
    }

    private static String elementName(long elementBytes) {
        return elementBytes == Float.BYTES ? "floats" : "doubles";
    }
}
