package dev.panamax.backend.cpu.gemm;

import dev.panamax.backend.cpu.Parallel;

/**
 * The product with a {@link PackedB}: only A is packed, a block of up to {@link #A_BLOCK_FLOATS} floats at a
 * time (every micro-panel of a recurrent step's 64 rows at once), and each panel of B is then multiplied by
 * every micro-panel of the block while it stays in L2. Threads split the panels of B (the N dimension), and
 * the rows too when B has fewer panels than there are threads; each packs the rows of A it needs.
 *
 * <p>Every micro-tile of C gets the same kernel calls over the same depth blocks, in the same order, as in
 * {@link BlockedGemm} (and {@link CUpdate#storeTile} for each), so the bits match {@link Sgemm#sgemm}'s and do
 * not depend on the thread count.
 */
final class PackedBGemm {
    /** Packed rows of A per block: 72 KiB floats (288 KiB), so A's block and one B panel share L2. */
    static final int A_BLOCK_FLOATS = 72 * 1024;

    private PackedBGemm() {}

    static void multiply(int m, float alpha, FloatMatrix a, PackedB b, float beta, FloatMatrix c, int threads) {
        KernelShape shape = b.shape;
        int mr = shape.rows;
        int rowPanels = BlockedGemm.ceilDiv(m, mr);
        int colParts = Math.max(1, Math.min(threads, b.panels));
        int rowParts = Math.max(1, Math.min(threads / colParts, rowPanels));
        Parallel.forChunks(rowParts * colParts, part -> {
            int rowPart = part / colParts;
            int colPart = part % colParts;
            int rowStart = Math.min(m, (int) Parallel.chunkStart(rowPanels, rowParts, rowPart) * mr);
            int rowEnd = Math.min(m, (int) Parallel.chunkStart(rowPanels, rowParts, rowPart + 1) * mr);
            int q0 = (int) Parallel.chunkStart(b.panels, colParts, colPart);
            int q1 = (int) Parallel.chunkStart(b.panels, colParts, colPart + 1);
            multiplyPart(shape, rowStart, rowEnd, q0, q1, alpha, a, b, beta, c);
        });
    }

    /** C[rowStart : rowEnd, panels q0 : q1] (+)= alpha * A[rows, :] * B[:, panels], on this thread. */
    private static void multiplyPart(KernelShape shape, int rowStart, int rowEnd, int q0, int q1, float alpha, FloatMatrix a,
                                     PackedB b, float beta, FloatMatrix c) {
        int mr = shape.rows;
        int nr = shape.columns();
        try (PackBuffers buffers = PackBuffers.acquire()) {
            float[] tile = buffers.tile(mr * nr);
            float[] staging = buffers.staging(Packing.stagingLength(nr));
            for (int d = 0; d < b.depthBlocks; d++) {
                int p0 = b.depthStart(d);
                int kc = b.depthStart(d + 1) - p0;
                float blockBeta = d == 0 ? beta : 1f; // later depth blocks accumulate onto the first
                int mc = Math.max(1, A_BLOCK_FLOATS / Math.max(1, kc) / mr) * mr;
                float[] packedA = buffers.a(Math.min(mc, BlockedGemm.ceilDiv(rowEnd - rowStart, mr) * mr) * kc);
                for (int ic = rowStart; ic < rowEnd; ic += mc) {
                    int blockRows = Math.min(mc, rowEnd - ic);
                    int microPanels = BlockedGemm.ceilDiv(blockRows, mr);
                    for (int r = 0; r < microPanels; r++) {
                        Packing.packA(a, ic + (long) r * mr, Math.min(mr, blockRows - r * mr), p0, kc, mr, packedA, r * mr * kc, staging);
                    }
                    for (int q = q0; q < q1; q++) {
                        int bOffset = b.panelOffset(d, q);
                        int cols = b.panelColumns(q);
                        for (int r = 0; r < microPanels; r++) {
                            int rows = Math.min(mr, blockRows - r * mr);
                            MicroKernels.run(shape.forRows(rows), kc, packedA, r * mr * kc, kc, b.packed, bOffset, tile);
                            CUpdate.storeTile(tile, nr, rows, cols, alpha, blockBeta, c, ic + (long) r * mr, (long) q * nr);
                        }
                    }
                }
            }
        }
    }
}
