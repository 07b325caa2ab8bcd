package dev.panamax.backend.cpu.gemm;

import dev.panamax.backend.cpu.Parallel;

/**
 * BLIS-style blocked product over packed panels (Goto and van de Geijn's algorithm, loops reordered).
 *
 * <p>For each KC x NC block of B (packed once into panels shared by all threads, streamed from L2/L3), each
 * MR-row micro-panel of A is packed (it stays in L1) and multiplied by every NR-column panel of the block.
 * Threads take micro-panels of A (and, when A has too few, ranges of B's panels), as many chunks as the pool
 * balances well. Every micro-tile of C is computed by the same kernel over the same depth blocks in the same
 * order whoever computes it, so 1 and N threads give the same bits.
 */
final class BlockedGemm {
    /** Depth of a packed block: with K up to KC the product is one pass, C is written once. */
    static final int KC_MAX = 1024;
    /** Width of a packed B block: wide, because A is repacked for each block. */
    static final int NC_MAX = 4096;
    /** With fewer micro-panels of A than this many per thread, chunks also split B's panels. */
    private static final int ROW_CHUNKS_PER_THREAD = 4;

    private BlockedGemm() {}

    static void multiply(KernelShape shape, int m, int n, int k, float alpha, FloatMatrix a, FloatMatrix b,
                         float beta, FloatMatrix c, int threads) {
        int nr = shape.columns();
        // Depth blocks depend on k only, never on the split: the summation order is fixed.
        int depthBlocks = ceilDiv(k, KC_MAX);
        PackBuffers buffers = PackBuffers.forCurrentThread();
        for (int jc = 0; jc < n; jc += NC_MAX) {
            int nc = Math.min(NC_MAX, n - jc);
            for (int d = 0; d < depthBlocks; d++) {
                int p0 = (int) Parallel.chunkStart(k, depthBlocks, d);
                int kc = (int) Parallel.chunkStart(k, depthBlocks, d + 1) - p0;
                var block = new SharedPanelsOfB(b, p0, kc, jc, nc, nr, buffers.b(SharedPanelsOfB.length(kc, nc, nr)));
                float blockBeta = d == 0 ? beta : 1f; // later depth blocks accumulate onto the first
                multiplyBlock(shape, m, a, p0, kc, block, alpha, blockBeta, c, jc, threads);
            }
        }
    }

    /** C[:, jc : jc + nc] (+)= alpha * A[:, p0 : p0 + kc] * block, split into chunks over the pool. */
    private static void multiplyBlock(KernelShape shape, int m, FloatMatrix a, int p0, int kc, SharedPanelsOfB block,
                                      float alpha, float beta, FloatMatrix c, int jc, int threads) {
        var grid = Grid.of(shape, m, block.units(), threads);
        Parallel.forChunks(grid.chunks(),
                chunk -> multiplyChunk(shape, grid, chunk, a, p0, kc, block, alpha, beta, c, jc));
    }

    /** C[rows of the chunk, columns of its units] (+)= A[rows, p0 : p0 + kc] * block, on this thread. */
    private static void multiplyChunk(KernelShape shape, Grid grid, int chunk, FloatMatrix a, int p0, int kc,
                                      SharedPanelsOfB block, float alpha, float beta, FloatMatrix c, int jc) {
        int mr = shape.rows;
        int nr = shape.columns();
        PackBuffers buffers = PackBuffers.forCurrentThread();
        float[] packedA = buffers.a(kc * mr);
        float[] staging = buffers.staging(Packing.stagingLength(nr));
        float[] tile = buffers.tile(mr * nr);
        int rowEnd = grid.rowEnd(chunk);
        int firstUnit = grid.firstUnit(chunk);
        int endUnit = grid.endUnit(chunk);
        for (int i = grid.rowStart(chunk); i < rowEnd; i += mr) {
            int rows = Math.min(mr, rowEnd - i);
            Packing.packA(a, i, rows, p0, kc, mr, packedA);
            long deferred = 0; // units another thread was packing when we reached them
            for (int u = firstUnit; u < endUnit; u++) {
                if (block.tryAcquire(u, staging)) {
                    multiplyUnit(shape, packedA, kc, block, u, tile, rows, alpha, beta, c, i, jc);
                } else {
                    deferred |= 1L << u;
                }
            }
            for (; deferred != 0; deferred &= deferred - 1) {
                int u = Long.numberOfTrailingZeros(deferred);
                block.awaitReady(u);
                multiplyUnit(shape, packedA, kc, block, u, tile, rows, alpha, beta, c, i, jc);
            }
        }
    }

    private static void multiplyUnit(KernelShape shape, float[] packedA, int kc, SharedPanelsOfB block, int unit,
                                     float[] tile, int rows, float alpha, float beta, FloatMatrix c, int i, int jc) {
        int nr = shape.columns();
        for (int q = block.firstPanel(unit); q < block.endPanel(unit); q++) {
            MicroKernels.run(shape, kc, packedA, 0, kc, block.packed(), block.panelOffset(q), tile);
            CUpdate.storeTile(tile, nr, rows, block.panelColumns(q), alpha, beta, c, i, jc + (long) q * nr);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * Chunks of one block's work: rowGroups ranges of A's micro-panels times unitGroups ranges of B's units.
     * One thread gets one chunk; several threads get one micro-panel per chunk (the pool balances them), and
     * when A has few micro-panels, B's units are split too.
     */
    record Grid(int m, int mr, int rowPanels, int rowGroups, int units, int unitGroups) {
        static Grid of(KernelShape shape, int m, int units, int threads) {
            int rowPanels = ceilDiv(m, shape.rows);
            if (threads == 1) {
                return new Grid(m, shape.rows, rowPanels, 1, units, 1);
            }
            int wanted = ROW_CHUNKS_PER_THREAD * threads;
            int unitGroups = rowPanels >= wanted ? 1 : Math.min(units, ceilDiv(wanted, rowPanels));
            return new Grid(m, shape.rows, rowPanels, rowPanels, units, unitGroups);
        }

        int chunks() {
            return rowGroups * unitGroups;
        }

        int rowStart(int chunk) {
            return rowBoundary(chunk / unitGroups);
        }

        int rowEnd(int chunk) {
            return rowBoundary(chunk / unitGroups + 1);
        }

        int firstUnit(int chunk) {
            return (int) Parallel.chunkStart(units, unitGroups, chunk % unitGroups);
        }

        int endUnit(int chunk) {
            return (int) Parallel.chunkStart(units, unitGroups, chunk % unitGroups + 1);
        }

        private int rowBoundary(int group) {
            return Math.min(m, (int) Parallel.chunkStart(rowPanels, rowGroups, group) * mr);
        }
    }
}
