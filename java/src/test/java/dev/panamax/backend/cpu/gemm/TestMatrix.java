package dev.panamax.backend.cpu.gemm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * A rows x cols float matrix in a segment that holds exactly its elements' span, laid out as {@link Layout}
 * says. Gaps between elements hold NaN, so a kernel that reads outside the matrix poisons its result, and
 * one that writes outside it is caught by {@link #gapsUntouched()}.
 */
record TestMatrix(MemorySegment segment, long offset, long rowStride, long colStride, int rows, int cols) {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** How a matrix sits in its segment. */
    enum Layout {
        ROW_MAJOR, COLUMN_MAJOR, PADDED_ROW_MAJOR, PADDED_COLUMN_MAJOR, STRIDED;

        long offset() {
            return switch (this) {
                case ROW_MAJOR, COLUMN_MAJOR -> 0;
                case PADDED_ROW_MAJOR, PADDED_COLUMN_MAJOR -> 3;
                case STRIDED -> 1;
            };
        }

        long rowStride(int rows, int cols) {
            return switch (this) {
                case ROW_MAJOR -> cols;
                case COLUMN_MAJOR, PADDED_COLUMN_MAJOR -> 1;
                case PADDED_ROW_MAJOR -> cols + 5;
                case STRIDED -> 3L * cols + 2;
            };
        }

        long colStride(int rows, int cols) {
            return switch (this) {
                case ROW_MAJOR, PADDED_ROW_MAJOR -> 1;
                case COLUMN_MAJOR -> rows;
                case PADDED_COLUMN_MAJOR -> rows + 2;
                case STRIDED -> 3;
            };
        }
    }

    static TestMatrix allocate(Arena arena, int rows, int cols, Layout layout) {
        long rs = layout.rowStride(rows, cols);
        long cs = layout.colStride(rows, cols);
        long span = rows == 0 || cols == 0 ? 0 : (rows - 1) * rs + (cols - 1) * cs + 1;
        MemorySegment segment = arena.allocate((layout.offset() + span) * Float.BYTES, 4);
        segment.fill((byte) 0xFF); // 0xFFFFFFFF is a NaN
        return new TestMatrix(segment, layout.offset(), rs, cs, rows, cols);
    }

    static TestMatrix random(Arena arena, int rows, int cols, Layout layout, Random random) {
        TestMatrix m = allocate(arena, rows, cols, layout);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m.set(i, j, random.nextFloat() * 2 - 1);
            }
        }
        return m;
    }

    long index(int i, int j) {
        return offset + i * rowStride + j * colStride;
    }

    float get(int i, int j) {
        return segment.getAtIndex(FLOAT, index(i, j));
    }

    void set(int i, int j, float value) {
        segment.setAtIndex(FLOAT, index(i, j), value);
    }

    double[][] toDoubles() {
        double[][] d = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i][j] = get(i, j);
            }
        }
        return d;
    }

    double maxAbs() {
        double max = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, Math.abs(get(i, j)));
            }
        }
        return max;
    }

    /** True when every float of the segment that is not an element is still the NaN it was allocated with. */
    boolean gapsUntouched() {
        long elements = segment.byteSize() / Float.BYTES;
        boolean[] isElement = new boolean[(int) elements];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                isElement[(int) index(i, j)] = true;
            }
        }
        for (int x = 0; x < elements; x++) {
            if (!isElement[x] && segment.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, x) != -1) {
                return false;
            }
        }
        return true;
    }
}
