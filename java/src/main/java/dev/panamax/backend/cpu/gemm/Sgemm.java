package dev.panamax.backend.cpu.gemm;

import dev.panamax.backend.cpu.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * Single-precision matrix product {@code C = alpha * A * B + beta * C} over matrices in segments.
 *
 * <p>Offsets and strides count floats, BLIS-style: A(i, p) is {@code a[aOffset + i * aRowStride + p *
 * aColStride]}, so transposed operands and strided views need no copy (a transposed row-major A has
 * {@code aRowStride == 1}). Strides may be 0 (broadcast). A is m x k, B is k x n, C is m x n.
 * {@code beta == 0} overwrites C without reading it; {@code k == 0} or {@code alpha == 0} scales C by beta
 * without reading A or B.
 *
 * <p>Results depend only on the arguments, never on the thread count.
 */
public final class Sgemm {
    private static final KernelShape SHAPE = KernelShape.preferred();
    /**
     * Up to this many multiply-adds packing costs more than it saves (Zen 4: 8^3 took 0.63 us direct and
     * 0.75 us blocked, 12^3 1.85 and 0.66 us).
     */
    static final long DIRECT_MAX_FMAS = 1024;
    /**
     * Below this many multiply-adds a second thread saves little (Zen 4: 64x128x64 took 12.5 us on one thread
     * and 11.8 on two, 128x128x64 23 and 17 us).
     */
    static final long PARALLEL_MIN_FMAS = 1L << 20;

    private Sgemm() {}

    public static void sgemm(int m, int n, int k, float alpha,
                             MemorySegment a, long aOffset, long aRowStride, long aColStride,
                             MemorySegment b, long bOffset, long bRowStride, long bColStride,
                             float beta,
                             MemorySegment c, long cOffset, long cRowStride, long cColStride) {
        batched("sgemm", 1, m, n, k, alpha, a, aOffset, aRowStride, aColStride, 0, b, bOffset, bRowStride, bColStride, 0,
                beta, c, cOffset, cRowStride, cColStride, 0);
    }

    /**
     * {@code batch} independent products; matrix {@code t} of each operand starts {@code t * batchStride}
     * floats after its offset. A batch stride of 0 reuses one matrix for the whole batch (for C, the products
     * are applied one after the other in batch order, so {@code beta == 1} sums them).
     */
    public static void sgemmBatched(int batch, int m, int n, int k, float alpha,
                                    MemorySegment a, long aOffset, long aRowStride, long aColStride, long aBatchStride,
                                    MemorySegment b, long bOffset, long bRowStride, long bColStride, long bBatchStride,
                                    float beta,
                                    MemorySegment c, long cOffset, long cRowStride, long cColStride, long cBatchStride) {
        batched("sgemmBatched", batch, m, n, k, alpha, a, aOffset, aRowStride, aColStride, aBatchStride,
                b, bOffset, bRowStride, bColStride, bBatchStride, beta, c, cOffset, cRowStride, cColStride, cBatchStride);
    }

    private static void batched(String routine, int batch, int m, int n, int k, float alpha,
                                MemorySegment a, long aOffset, long aRowStride, long aColStride, long aBatchStride,
                                MemorySegment b, long bOffset, long bRowStride, long bColStride, long bBatchStride,
                                float beta,
                                MemorySegment c, long cOffset, long cRowStride, long cColStride, long cBatchStride) {
        Operands.checkSizes(routine, batch, m, n, k);
        Operands.check(routine, "a", a, Float.BYTES, aOffset, m, k, aRowStride, aColStride, batch, aBatchStride);
        Operands.check(routine, "b", b, Float.BYTES, bOffset, k, n, bRowStride, bColStride, batch, bBatchStride);
        Operands.check(routine, "c", c, Float.BYTES, cOffset, m, n, cRowStride, cColStride, batch, cBatchStride);
        Operands.checkWritable(routine, "c", c);
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        var am = new FloatMatrix(a, aOffset, aRowStride, aColStride);
        var bm = new FloatMatrix(b, bOffset, bRowStride, bColStride);
        var cm = new FloatMatrix(c, cOffset, cRowStride, cColStride);
        boolean parallel = Operands.shareable(a, b, c) && Operands.disjointElements(m, n, cRowStride, cColStride);
        int threads = parallel ? Parallel.threads() : 1;
        double fmas = (double) m * n * k;
        boolean batchOutputsDisjoint = cBatchStride > (m - 1L) * cRowStride + (n - 1L) * cColStride;
        if (batch > 1 && threads > 1 && batchOutputsDisjoint && fmas < (double) PARALLEL_MIN_FMAS * threads) {
            // Small matrices: one thread per group of batch entries, each product on one thread.
            long grain = (long) Math.max(1, PARALLEL_MIN_FMAS / Math.max(1, fmas));
            Parallel.forRange(batch, grain, (from, to) -> {
                for (long t = from; t < to; t++) {
                    multiply(m, n, k, alpha, am.shifted(t * aBatchStride), bm.shifted(t * bBatchStride), beta,
                            cm.shifted(t * cBatchStride), 1);
                }
            });
            return;
        }
        for (int t = 0; t < batch; t++) {
            multiply(m, n, k, alpha, am.shifted(t * aBatchStride), bm.shifted(t * bBatchStride), beta,
                    cm.shifted(t * cBatchStride), threads);
        }
    }

    /**
     * Packs the k x n matrix B (B(p, j) is {@code b[bOffset + p * bRowStride + j * bColStride]}) once, for many
     * products {@link #sgemmPackedB} with it: a recurrent weight at every step of a sequence. The result is a
     * copy, on the heap.
     */
    public static PackedB packB(int k, int n, MemorySegment b, long bOffset, long bRowStride, long bColStride) {
        Operands.checkSizes("packB", 1, 0, n, k);
        Operands.check("packB", "b", b, Float.BYTES, bOffset, k, n, bRowStride, bColStride, 1, 0);
        int threads = b.isAccessibleBy(Operands.OTHER_THREAD) ? Parallel.threads() : 1;
        return PackedB.pack(SHAPE, k, n, new FloatMatrix(b, bOffset, bRowStride, bColStride), threads);
    }

    /**
     * {@code C = alpha * A * B + beta * C} with a B packed by {@link #packB}: A is m x b.rows(), C is m x
     * b.columns(), strides as in {@link #sgemm}. The same bits as {@link #sgemm} with the unpacked B, on any
     * thread count; only A is packed, so a product with few rows (a batch of 64 times a 512 x 2048 weight) skips
     * most of the packing work.
     */
    public static void sgemmPackedB(int m, float alpha, MemorySegment a, long aOffset, long aRowStride, long aColStride,
                                    PackedB b, float beta, MemorySegment c, long cOffset, long cRowStride, long cColStride) {
        String routine = "sgemmPackedB";
        if (b == null) {
            throw new IllegalArgumentException(routine + ": operand b is null");
        }
        int n = b.columns();
        int k = b.rows();
        Operands.checkSizes(routine, 1, m, n, k);
        Operands.check(routine, "a", a, Float.BYTES, aOffset, m, k, aRowStride, aColStride, 1, 0);
        Operands.check(routine, "c", c, Float.BYTES, cOffset, m, n, cRowStride, cColStride, 1, 0);
        Operands.checkWritable(routine, "c", c);
        if (m == 0 || n == 0) {
            return;
        }
        var am = new FloatMatrix(a, aOffset, aRowStride, aColStride);
        var cm = new FloatMatrix(c, cOffset, cRowStride, cColStride);
        if (k == 0 || alpha == 0) {
            CUpdate.scale(cm, m, n, beta);
            return;
        }
        boolean parallel = Operands.shareable(a, a, c) && Operands.disjointElements(m, n, cRowStride, cColStride);
        double fmas = (double) m * n * k;
        int threads = parallel ? (int) Math.min(Parallel.threads(), Math.max(1, fmas / PARALLEL_MIN_FMAS)) : 1;
        PackedBGemm.multiply(m, alpha, am, b, beta, cm, threads);
    }

    /** The product on checked operands, on at most {@code threads} threads. */
    static void multiply(int m, int n, int k, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c,
                         int threads) {
        double fmas = (double) m * n * k;
        if (k == 0 || alpha == 0) {
            CUpdate.scale(c, m, n, beta);
        } else if (fmas <= DIRECT_MAX_FMAS) {
            DirectGemm.multiply(m, n, k, alpha, a, b, beta, c);
        } else {
            int useful = (int) Math.min(threads, Math.max(1, fmas / PARALLEL_MIN_FMAS));
            BlockedGemm.multiply(SHAPE, m, n, k, alpha, a, b, beta, c, useful);
        }
    }
}
