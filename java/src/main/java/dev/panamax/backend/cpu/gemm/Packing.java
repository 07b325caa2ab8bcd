package dev.panamax.backend.cpu.gemm;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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

    /** Depth of the column stretches {@link #packBPanelColumnMajor} gathers from: nr x 64 floats stay in L1. */
    private static final int GATHER_DEPTH = 64;
    /** Lane t of a gather reads staging column t. */
    private static final int[] GATHER_LANES = IntStream.range(0, L).map(t -> t * GATHER_DEPTH).toArray();

    private Packing() {}

    /** Floats of staging {@link #packB} needs for panels nr wide (at least one panel row, 4 KiB or more). */
    static int stagingLength(int nr) {
        return nr * GATHER_DEPTH;
    }

    /**
     * Packs rows {@code [i0, i0 + rows)} and depths {@code [p0, p0 + kc)} of A as rows of {@code kc} floats:
     * {@code dst[offset + r * kc + p] = A(i0 + r, p0 + p)}, zero for the rows up to the next multiple of
     * {@code mr}. Micro-panel s of the result is its rows {@code [s * mr, (s + 1) * mr)}, so several are packed
     * at once. For a row-major A that is one bulk copy per row.
     */
    static void packA(FloatMatrix a, long i0, int rows, long p0, int kc, int mr, float[] dst, int offset, float[] staging) {
        if (a.rowStride() == 1 && a.colStride() != 1 && rows > 1) {
            packAColumnMajor(a, i0, rows, p0, kc, dst, offset, staging);
        } else {
            for (int r = 0; r < rows; r++) {
                copyLine(a.segment(), a.index(i0 + r, p0), a.colStride(), kc, dst, offset + r * kc);
            }
        }
        Arrays.fill(dst, offset + rows * kc, offset + BlockedGemm.ceilDiv(rows, mr) * mr * kc, 0f);
    }

    /**
     * Micro-panels of A that {@link BlockedGemm} packs at once when A's rows are adjacent: 16 x 6 rows read
     * whole cache lines at each depth, where one micro-panel uses 24 bytes of each and the next reads the line
     * again after the product has evicted it (a weight gradient's dYᵀ, 13 % slower at 2048 x 6400 x 512 with one
     * micro-panel at a time). Each depth of A is a page of its own there, so the more rows per visit, the fewer
     * visits: with 16 the 2-thread product took 80-82 ms against 82-85 with 8 (same run).
     */
    static int aPanelsPerPack(FloatMatrix a) {
        return a.rowStride() == 1 && a.colStride() != 1 ? COLUMN_MAJOR_A_PANELS : 1;
    }

    /** {@link #aPanelsPerPack} of a column-major A. */
    static final int COLUMN_MAJOR_A_PANELS = 16;

    /** Depths per staging round of {@link #packAColumnMajor}: L x L floats. */
    private static final int[] TRANSPOSE_LANES = IntStream.range(0, L).map(t -> t * L).toArray();

    /**
     * Rows of A that are adjacent (A is a transposed row-major matrix, as in {@code dYᵀ * X} for a weight
     * gradient), L depths at a time: for each run of L rows, each depth's run is one masked vector load into
     * staging, and the L depths of a row are then one gather from it, instead of one bounds-checked read per
     * float. Depths outside, rows inside: each depth's line of A is visited once for all the rows, not once
     * per L rows (it lies on a page of its own; the 2-thread 2048 x 6400 x 512 product, 8 x 6 rows, took
     * 82-85 ms this way against 84-89 with one pass over the depths per L rows, on a busy machine).
     */
    private static void packAColumnMajor(FloatMatrix a, long i0, int rows, long p0, int kc, float[] dst, int offset,
                                         float[] staging) {
        MemorySegment segment = a.segment();
        long stride = a.colStride() * Float.BYTES;
        int whole = kc - kc % L;
        for (int p = 0; p < whole; p += L) {
            long depthRow = a.index(i0, p0 + p) * Float.BYTES;
            for (int r = 0; r < rows; r += L) {
                int n = Math.min(L, rows - r);
                VectorMask<Float> inside = S.indexInRange(0, n);
                long at = depthRow + (long) r * Float.BYTES;
                for (int t = 0; t < L; t++, at += stride) {
                    FloatVector.fromMemorySegment(S, segment, at, ORDER, inside).intoArray(staging, t * L);
                }
                for (int q = 0; q < n; q++) {
                    FloatVector.fromArray(S, staging, q, TRANSPOSE_LANES, 0).intoArray(dst, offset + (r + q) * kc + p);
                }
            }
        }
        for (int p = whole; p < kc; p++) {
            for (int r = 0; r < rows; r++) {
                dst[offset + r * kc + p] = a.get(i0 + r, p0 + p);
            }
        }
    }

    /**
     * Packs depths {@code [p0, p0 + kc)} and columns {@code [j0, j0 + nc)} of B as panels of {@code nr}
     * columns, one after the other from {@code dst[offset]}: {@code dst[offset + q * kc * nr + p * nr + j] =
     * B(p0 + p, j0 + q * nr + j)}, zero past column {@code nc}. {@code staging} holds {@link #stagingLength}
     * floats.
     */
    static void packB(FloatMatrix b, long p0, int kc, long j0, int nc, int nr, float[] dst, int offset,
                      float[] staging) {
        if (b.colStride() == 1) {
            packBRowMajor(b, p0, kc, j0, nc, nr, dst, offset, staging);
            return;
        }
        for (int q = 0; q * nr < nc; q++) {
            packBPanelStrided(b, p0, kc, j0 + (long) q * nr, Math.min(nr, nc - q * nr), nr, dst,
                    offset + q * kc * nr, staging);
        }
    }

    /**
     * Rows of B are contiguous: bulk-copy a stretch of each row into staging (one bounds check per stretch, not
     * one per vector), then deal its vectors out to the panels. Staging past the last column stays zero, which
     * pads the last panel.
     */
    private static void packBRowMajor(FloatMatrix b, long p0, int kc, long j0, int nc, int nr, float[] dst,
                                      int offset, float[] staging) {
        int stretch = staging.length / nr * nr;
        for (int first = 0; first < nc; first += stretch) {
            int columns = Math.min(stretch, nc - first);
            int padded = (columns + nr - 1) / nr * nr;
            Arrays.fill(staging, columns, padded, 0f);
            int firstPanel = offset + first / nr * kc * nr;
            for (int p = 0; p < kc; p++) {
                MemorySegment.copy(b.segment(), FloatMatrix.FLOAT, b.index(p0 + p, j0 + first) * Float.BYTES,
                        staging, 0, columns);
                for (int j = 0, to = firstPanel + p * nr; j < padded; j += nr, to += kc * nr) {
                    for (int v = 0; v < nr; v += L) {
                        FloatVector.fromArray(S, staging, j + v).intoArray(dst, to + v);
                    }
                }
            }
        }
    }

    private static void packBPanelStrided(FloatMatrix b, long p0, int kc, long j0, int cols, int nr,
                                          float[] dst, int panel, float[] staging) {
        if (b.rowStride() == 1) {
            packBPanelColumnMajor(b, p0, kc, j0, cols, nr, dst, panel, staging);
            return;
        }
        for (int p = 0; p < kc; p++) {
            copyLine(b.segment(), b.index(p0 + p, j0), b.colStride(), cols, dst, panel + p * nr);
            Arrays.fill(dst, panel + p * nr + cols, panel + (p + 1) * nr, 0f);
        }
    }

    /**
     * Columns of B are contiguous (B is a transposed row-major matrix, as in {@code x * W^T}): copy a stretch
     * of every column into staging, then gather each panel row from it, a vector at a time. Staging rows past
     * the last column stay zero, which pads the panel.
     */
    private static void packBPanelColumnMajor(FloatMatrix b, long p0, int kc, long j0, int cols, int nr,
                                              float[] dst, int panel, float[] staging) {
        for (int start = 0; start < kc; start += GATHER_DEPTH) {
            int depth = Math.min(GATHER_DEPTH, kc - start);
            for (int j = 0; j < nr; j++) {
                if (j < cols) {
                    MemorySegment.copy(b.segment(), FloatMatrix.FLOAT, b.index(p0 + start, j0 + j) * Float.BYTES,
                            staging, j * GATHER_DEPTH, depth);
                } else {
                    Arrays.fill(staging, j * GATHER_DEPTH, j * GATHER_DEPTH + depth, 0f);
                }
            }
            for (int p = 0; p < depth; p++) {
                int to = panel + (start + p) * nr;
                for (int j = 0; j < nr; j += L) {
                    FloatVector.fromArray(S, staging, j * GATHER_DEPTH + p, GATHER_LANES, 0).intoArray(dst, to + j);
                }
            }
        }
    }

    /**
     * {@code dst[to + t] = src[from + t * stride]} for t < count (indices in floats); a contiguous source is
     * bulk-copied (one bounds check, not one per float).
     */
    private static void copyLine(MemorySegment src, long from, long stride, int count, float[] dst, int to) {
        if (stride == 1) {
            MemorySegment.copy(src, FloatMatrix.FLOAT, from * Float.BYTES, dst, to, count);
            return;
        }
        for (int t = 0; t < count; t++) {
            dst[to + t] = src.getAtIndex(FloatMatrix.FLOAT, from + t * stride);
        }
    }
}
