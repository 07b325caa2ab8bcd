package dev.panamax.backend.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Double-precision {@code C = alpha * A * B + beta * C} with the same general-stride arguments as
 * {@link Sgemm#sgemm}, counted in doubles. Written for correctness (FLOAT64 tensors, finite-difference
 * gradient checks), not speed: one thread, no packing.
 */
public final class Dgemm {
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private Dgemm() {}

    public static void dgemm(int m, int n, int k, double alpha,
                             MemorySegment a, long aOffset, long aRowStride, long aColStride,
                             MemorySegment b, long bOffset, long bRowStride, long bColStride,
                             double beta,
                             MemorySegment c, long cOffset, long cRowStride, long cColStride) {
        Operands.checkSizes("dgemm", 1, m, n, k);
        Operands.check("dgemm", "a", a, Double.BYTES, aOffset, m, k, aRowStride, aColStride, 1, 0);
        Operands.check("dgemm", "b", b, Double.BYTES, bOffset, k, n, bRowStride, bColStride, 1, 0);
        Operands.check("dgemm", "c", c, Double.BYTES, cOffset, m, n, cRowStride, cColStride, 1, 0);
        Operands.checkWritable("dgemm", "c", c);
        // One row of C at a time, accumulated along B's rows: row-major B is read contiguously.
        double[] row = new double[n];
        for (int i = 0; i < m; i++) {
            Arrays.fill(row, 0);
            if (alpha != 0) {
                for (int p = 0; p < k; p++) {
                    double aip = a.getAtIndex(DOUBLE, aOffset + i * aRowStride + p * aColStride);
                    long bRow = bOffset + p * bRowStride;
                    for (int j = 0; j < n; j++) {
                        row[j] = Math.fma(aip, b.getAtIndex(DOUBLE, bRow + j * bColStride), row[j]);
                    }
                }
            }
            long cRow = cOffset + i * cRowStride;
            for (int j = 0; j < n; j++) {
                long at = cRow + j * cColStride;
                double scaled = alpha * row[j];
                c.setAtIndex(DOUBLE, at, beta == 0 ? scaled : Math.fma(c.getAtIndex(DOUBLE, at), beta, scaled));
            }
        }
    }
}
