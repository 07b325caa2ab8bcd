package dev.panamax.backend.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of A and B into the panel layouts the micro-kernels read, in heap arrays: C2 removes every
 * bounds check from the kernel's loop over an array, but keeps one per access over a segment.
 * Panels are padded with zeros to whole MR rows / NR columns so kernels never see an edge.
 */
final class Packing {
    private static final VectorSpecies<Float> S = KernelShape.SPECIES;
    private static final int L = KernelShape.LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private Packing() {}

    /**
     * Packs rows {@code [i0, i0 + rows)} and depths {@code [p0, p0 + kc)} of A as {@code kc} groups of
     * {@code mr} floats: {@code dst[p * mr + r] = A(i0 + r, p0 + p)}, zero for {@code r >= rows}.
     * {@code staging} holds at least {@code kc} floats.
     */
    static void packA(FloatMatrix a, long i0, int rows, long p0, int kc, int mr, float[] dst, float[] staging) {
        if (a.colStride() <= a.rowStride()) { // along each row: contiguous for row-major A
            for (int r = 0; r < rows; r++) {
                copyLine(a.segment(), a.index(i0 + r, p0), a.colStride(), kc, dst, r, mr, staging);
            }
        } else { // down each column: contiguous for transposed A
            for (int p = 0; p < kc; p++) {
                copyLine(a.segment(), a.index(i0, p0 + p), a.rowStride(), rows, dst, p * mr, 1, staging);
            }
        }
        for (int r = rows; r < mr; r++) {
            for (int p = 0; p < kc; p++) {
                dst[p * mr + r] = 0f;
            }
        }
    }

    /**
     * Packs depths {@code [p0, p0 + kc)} and columns {@code [j0, j0 + nc)} of B as panels of {@code nr}
     * columns, one after the other: {@code dst[q * kc * nr + p * nr + j] = B(p0 + p, j0 + q * nr + j)}, zero
     * past column {@code nc}. {@code staging} holds at least {@code kc} floats.
     */
    static void packB(FloatMatrix b, long p0, int kc, long j0, int nc, int nr, float[] dst, float[] staging) {
        if (b.colStride() == 1) {
            packBRowMajor(b, p0, kc, j0, nc, nr, dst);
            return;
        }
        for (int q = 0; q * nr < nc; q++) {
            packBPanelStrided(b, p0, kc, j0 + (long) q * nr, Math.min(nr, nc - q * nr), nr, dst, q * kc * nr, staging);
        }
    }

    /**
     * Rows of B are contiguous: read each row once, front to back (what the prefetcher likes), and deal its
     * vectors out to the panels. Masked-off lanes read as zero, which pads the last panel.
     */
    private static void packBRowMajor(FloatMatrix b, long p0, int kc, long j0, int nc, int nr, float[] dst) {
        MemorySegment s = b.segment();
        for (int p = 0; p < kc; p++) {
            long rowAt = b.index(p0 + p, j0) * Float.BYTES;
            for (int j = 0, panel = 0; j < nc; panel += kc * nr) {
                for (int to = panel + p * nr, end = to + nr; to < end; to += L, j += L) {
                    long at = rowAt + (long) j * Float.BYTES;
                    FloatVector v = j + L <= nc
                            ? FloatVector.fromMemorySegment(S, s, at, ORDER)
                            : FloatVector.fromMemorySegment(S, s, at, ORDER, S.indexInRange(j, nc));
                    v.intoArray(dst, to);
                }
            }
        }
    }

    private static void packBPanelStrided(FloatMatrix b, long p0, int kc, long j0, int cols, int nr,
                                          float[] dst, int panel, float[] staging) {
        if (b.rowStride() < b.colStride()) { // down each column: contiguous for transposed B
            for (int j = 0; j < cols; j++) {
                copyLine(b.segment(), b.index(p0, j0 + j), b.rowStride(), kc, dst, panel + j, nr, staging);
            }
        } else {
            for (int p = 0; p < kc; p++) {
                copyLine(b.segment(), b.index(p0 + p, j0), b.colStride(), cols, dst, panel + p * nr, 1, staging);
            }
        }
        for (int p = 0; p < kc; p++) {
            for (int j = cols; j < nr; j++) {
                dst[panel + p * nr + j] = 0f;
            }
        }
    }

    /**
     * {@code dst[to + t * step] = src[from + t * stride]} for t < count (indices in floats). A contiguous
     * source is bulk-copied (one bounds check, not one per float), through {@code staging} when the
     * destination is strided.
     */
    private static void copyLine(MemorySegment src, long from, long stride, int count, float[] dst, int to, int step,
                                 float[] staging) {
        if (stride == 1 && step == 1) {
            MemorySegment.copy(src, FloatMatrix.FLOAT, from * Float.BYTES, dst, to, count);
        } else if (stride == 1) {
            MemorySegment.copy(src, FloatMatrix.FLOAT, from * Float.BYTES, staging, 0, count);
            for (int t = 0; t < count; t++) {
                dst[to + t * step] = staging[t];
            }
        } else {
            for (int t = 0; t < count; t++) {
                dst[to + t * step] = src.getAtIndex(FloatMatrix.FLOAT, from + t * stride);
            }
        }
    }
}
