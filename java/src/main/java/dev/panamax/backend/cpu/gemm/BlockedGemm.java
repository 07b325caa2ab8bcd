package dev.panamax.backend.cpu.gemm;

import dev.panamax.backend.cpu.Parallel;

/**
 * BLIS-style blocked product over packed panels (Goto and van de Geijn's algorithm, loops reordered).
 *
 * <p>For each KC x NC block of B (packed once, streamed from L2/L3), each MR-row micro-panel of A is packed
 * (it stays in L1) and multiplied by every NR-column panel of the block. Threads take disjoint rectangles of C
 * and run that whole algorithm on their own, so no thread waits for another and every element of C goes
 * through the same operations, in the same order, whatever the split: 1 and N threads give the same bits.
 */
final class BlockedGemm {
    /** Depth of a packed block: with K up to KC the product is one pass, C is written once. */
    static final int KC_MAX = 1024;
    /** Width of a packed B block: wide, because A is repacked for each block. */
    static final int NC_MAX = 4096;

    private BlockedGemm() {}

    static void multiply(KernelShape shape, int m, int n, int k, float alpha, FloatMatrix a, FloatMatrix b,
                         float beta, FloatMatrix c, int threads) {
        Grid grid = Grid.choose(shape, m, n, threads);
        if (grid.parts() == 1) {
            multiplyRectangle(shape, 0, m, 0, n, k, alpha, a, b, beta, c);
            return;
        }
        Parallel.forChunks(grid.parts(), part -> multiplyRectangle(shape,
                grid.rowStart(part / grid.colParts()), grid.rowStart(part / grid.colParts() + 1),
                grid.colStart(part % grid.colParts()), grid.colStart(part % grid.colParts() + 1),
                k, alpha, a, b, beta, c));
    }

    /** C[rowStart:rowEnd, colStart:colEnd] = alpha * A[rows, :] * B[:, cols] + beta * C[...], on this thread. */
    private static void multiplyRectangle(KernelShape shape, int rowStart, int rowEnd, int colStart, int colEnd,
                                          int k, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c) {
        int mr = shape.rows;
        int nr = shape.columns();
        // Depth blocks depend on k only, never on the split: the summation order is fixed.
        int depthBlocks = ceilDiv(k, KC_MAX);
        PackBuffers buffers = PackBuffers.forCurrentThread();
        float[] tile = buffers.tile(mr * nr);
        for (int jc = colStart; jc < colEnd; jc += NC_MAX) {
            int nc = Math.min(NC_MAX, colEnd - jc);
            int panels = ceilDiv(nc, nr);
            for (int d = 0; d < depthBlocks; d++) {
                int p0 = (int) Parallel.chunkStart(k, depthBlocks, d);
                int kc = (int) Parallel.chunkStart(k, depthBlocks, d + 1) - p0;
                float[] packedB = buffers.b(panels * kc * nr);
                float[] packedA = buffers.a(kc * mr);
                float[] staging = buffers.staging(kc);
                Packing.packB(b, p0, kc, jc, nc, nr, packedB, staging);
                float blockBeta = d == 0 ? beta : 1f; // later depth blocks accumulate onto the first
                for (int i = rowStart; i < rowEnd; i += mr) {
                    int rows = Math.min(mr, rowEnd - i);
                    Packing.packA(a, i, rows, p0, kc, mr, packedA, staging);
                    for (int q = 0; q < panels; q++) {
                        MicroKernels.run(shape, kc, packedA, 0, packedB, q * kc * nr, tile);
                        CUpdate.storeTile(tile, nr, rows, Math.min(nr, nc - q * nr), alpha, blockBeta,
                                c, i, jc + (long) q * nr);
                    }
                }
            }
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * A split of C into rowParts x colParts rectangles on micro-tile boundaries. Each part packs its own
     * panels of A and B, so the split that minimises the largest part's kernel plus packing work wins.
     */
    record Grid(int rowParts, int colParts, int m, int n, int mr, int nr) {
        /** Cycles per k step, relative to one vector FMA per cycle. */
        private static final double PACK_A_PER_ELEMENT = 1.0;
        private static final double PACK_B_PER_ELEMENT = 0.25;

        static Grid choose(KernelShape shape, int m, int n, int threads) {
            int mr = shape.rows;
            int nr = shape.columns();
            int rowPanels = ceilDiv(m, mr);
            int colPanels = ceilDiv(n, nr);
            Grid best = new Grid(1, 1, m, n, mr, nr);
            double bestCost = Double.MAX_VALUE;
            for (int rp = 1; rp <= Math.min(threads, rowPanels); rp++) {
                int cp = Math.min(threads / rp, colPanels);
                int rowsEach = ceilDiv(rowPanels, rp);
                int colsEach = ceilDiv(colPanels, cp);
                double cost = (double) rowsEach * colsEach * mr * shape.vectors
                        + rowsEach * mr * PACK_A_PER_ELEMENT + colsEach * nr * PACK_B_PER_ELEMENT;
                if (cost < bestCost) {
                    bestCost = cost;
                    best = new Grid(rp, cp, m, n, mr, nr);
                }
            }
            return best;
        }

        int parts() {
            return rowParts * colParts;
        }

        int rowStart(int part) {
            return Math.min(m, (int) Parallel.chunkStart(ceilDiv(m, mr), rowParts, part) * mr);
        }

        int colStart(int part) {
            return Math.min(n, (int) Parallel.chunkStart(ceilDiv(n, nr), colParts, part) * nr);
        }
    }
}
