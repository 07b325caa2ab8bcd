package dev.panamax.backend.cpu.gemm;

import dev.panamax.backend.cpu.Parallel;

/**
 * A k x n right operand B packed once into the panels the micro-kernel reads, for many products with the same
 * B: a recurrent weight is the B of every step of a sequence, and packing it per step cost as much as a third
 * of the step (see {@link Sgemm#packB} and {@link Sgemm#sgemmPackedB}).
 *
 * <p>The depth blocks are those of the blocked product ({@link BlockedGemm#KC_MAX} deep, split evenly), and
 * each block holds every column in NR-wide panels: block d, covering depths {@code [p0, p0 + kc)}, starts at
 * {@code p0 * paddedColumns}, its panel q {@code q * kc * NR} floats later. A product with it therefore sums
 * every element in the same order as {@link Sgemm#sgemm} with the unpacked B, and gives the same bits.
 *
 * <p>A copy: later changes to the source matrix are not seen. Immutable once made, so any thread may use it.
 */
public final class PackedB {
    final KernelShape shape;
    final int k;
    final int n;
    /** Number of depth blocks: depends on k only. */
    final int depthBlocks;
    final int panels;
    final float[] packed;

    private PackedB(KernelShape shape, int k, int n) {
        this.shape = shape;
        this.k = k;
        this.n = n;
        this.depthBlocks = BlockedGemm.ceilDiv(Math.max(k, 1), BlockedGemm.KC_MAX);
        this.panels = BlockedGemm.ceilDiv(n, shape.columns());
        long length = (long) k * panels * shape.columns();
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("packB: a " + k + "x" + n + " matrix is too large to pack (" + length + " floats)");
        }
        this.packed = new float[(int) length];
    }

    /** Packs B (checked by the caller) on up to {@code threads} threads. */
    static PackedB pack(KernelShape shape, int k, int n, FloatMatrix b, int threads) {
        var result = new PackedB(shape, k, n);
        int nr = shape.columns();
        // Units of panels about 1 KiB of each row of B wide, the stretch the prefetcher streams well.
        int panelsPerUnit = Math.max(1, 256 / nr);
        int units = BlockedGemm.ceilDiv(result.panels, panelsPerUnit);
        int chunks = threads > 1 && (long) k * n >= Sgemm.PARALLEL_MIN_FMAS / 16 ? result.depthBlocks * units : 1;
        Parallel.forChunks(chunks, chunk -> {
            try (PackBuffers buffers = PackBuffers.acquire()) {
                float[] staging = buffers.staging(Packing.stagingLength(nr));
                int firstBlock = chunks == 1 ? 0 : chunk / units;
                int endBlock = chunks == 1 ? result.depthBlocks : firstBlock + 1;
                for (int d = firstBlock; d < endBlock; d++) {
                    int q0 = chunks == 1 ? 0 : chunk % units * panelsPerUnit;
                    int q1 = chunks == 1 ? result.panels : Math.min(result.panels, q0 + panelsPerUnit);
                    int p0 = result.depthStart(d);
                    int kc = result.depthStart(d + 1) - p0;
                    int columns = Math.min(n, q1 * nr) - q0 * nr;
                    Packing.packB(b, p0, kc, (long) q0 * nr, columns, nr, result.packed, result.panelOffset(d, q0), staging);
                }
            }
        });
        return result;
    }

    /** Rows of B (depth of a product with it). */
    public int rows() {
        return k;
    }

    /** Columns of B (and of the product). */
    public int columns() {
        return n;
    }

    /**
     * Depth blocks a product sums one after the other (one up to 1024 rows): a product onto C adds each to C in
     * turn, so with several the order of C's sums depends on what C held first.
     */
    public int depthBlocks() {
        return depthBlocks;
    }

    /** First depth of block d; {@code depthStart(depthBlocks) == k}. The same split as the blocked product's. */
    int depthStart(int d) {
        return (int) Parallel.chunkStart(k, depthBlocks, d);
    }

    /** Offset in {@link #packed} of panel q of depth block d. */
    int panelOffset(int d, int q) {
        int p0 = depthStart(d);
        int kc = depthStart(d + 1) - p0;
        return p0 * panels * shape.columns() + q * kc * shape.columns();
    }

    /** Columns of panel q that lie inside B (the rest is zero padding). */
    int panelColumns(int q) {
        return Math.min(shape.columns(), n - q * shape.columns());
    }
}
