package dev.panamax.backend.cpu.gemm;

import dev.panamax.backend.cpu.Parallel;

/**
 * BLIS-style blocked product over packed panels (Goto and van de Geijn's algorithm, loops reordered).
 *
 * <p>For each KC x NC block of B (packed once into panels shared by all threads, streamed from L2/L3), each
 * MR-row micro-panel of A is packed (it stays in L1; several at once when A's rows are adjacent, see
 * {@link Packing#aPanelsPerPack}) and multiplied by every NR-column panel of the block.
 * Each thread takes one rectangle of C (see {@link Grid}). Every micro-tile of C is computed by the same
 * kernel over the same depth blocks in the same order whoever computes it, so 1 and N threads give the same
 * bits.
 */
final class BlockedGemm {
    /** Depth of a packed block: with K up to KC the product is one pass, C is written once. */
    static final int KC_MAX = 1024;
    /** Width of a packed B block: wide, because A is repacked for each block. */
    static final int NC_MAX = 4096;

    private BlockedGemm() {}

    static void multiply(KernelShape shape, int m, int n, int k, float alpha, FloatMatrix a, FloatMatrix b,
                         float beta, FloatMatrix c, int threads) {
        int nr = shape.columns();
        // Depth blocks depend on k only, never on the split: the summation order is fixed.
        int depthBlocks = ceilDiv(k, KC_MAX);
        try (PackBuffers buffers = PackBuffers.acquire()) {
            for (int jc = 0; jc < n; jc += NC_MAX) {
                int nc = Math.min(NC_MAX, n - jc);
                for (int d = 0; d < depthBlocks; d++) {
                    int p0 = (int) Parallel.chunkStart(k, depthBlocks, d);
                    int kc = (int) Parallel.chunkStart(k, depthBlocks, d + 1) - p0;
                    float[] packed = buffers.b(SharedPanelsOfB.length(kc, nc, nr));
                    var block = new SharedPanelsOfB(b, p0, kc, jc, nc, nr, packed, threads);
                    var grid = Grid.choose(shape, m, block, threads);
                    float blockBeta = d == 0 ? beta : 1f; // later depth blocks accumulate onto the first
                    int column = jc;
                    Parallel.forChunks(grid.parts(),
                            part -> multiplyPart(shape, grid, part, a, p0, kc, block, alpha, blockBeta, c, column));
                }
            }
        }
    }

    /** C[rows of the part, columns of its units] (+)= A[rows, p0 : p0 + kc] * block, on this thread. */
    private static void multiplyPart(KernelShape shape, Grid grid, int part, FloatMatrix a, int p0, int kc,
                                     SharedPanelsOfB block, float alpha, float beta, FloatMatrix c, int jc) {
        int mr = shape.rows;
        int nr = shape.columns();
        try (PackBuffers buffers = PackBuffers.acquire()) {
            int perPack = Packing.aPanelsPerPack(a);
            float[] packedA = buffers.a(kc * mr * perPack);
            float[] staging = buffers.staging(Packing.stagingLength(nr));
            float[] tile = buffers.tile(mr * nr);
            int rowStart = grid.rowStart(part);
            int rowEnd = grid.rowEnd(part);
            int firstUnit = grid.firstUnit(part);
            int units = grid.endUnit(part) - firstUnit;
            // Parts that share units start at different ones, so they pack different units first.
            int startOffset = units * grid.rowPart(part) / grid.rowParts();
            for (int i = rowStart; i < rowEnd; i += mr) {
                int rows = Math.min(mr, rowEnd - i);
                int slot = (i - rowStart) / mr % perPack;
                if (slot == 0) {
                    Packing.packA(a, i, Math.min(perPack * mr, rowEnd - i), p0, kc, mr, packedA, 0, staging);
                }
                int aOffset = slot * mr * kc;
                long deferred = 0; // units another thread was packing when we reached them
                for (int t = 0; t < units; t++) {
                    int u = firstUnit + (startOffset + t) % units;
                    if (block.tryAcquire(u, staging)) {
                        multiplyUnit(shape, packedA, aOffset, kc, block, u, tile, rows, alpha, beta, c, i, jc);
                    } else {
                        deferred |= 1L << u;
                    }
                }
                for (; deferred != 0; deferred &= deferred - 1) {
                    int u = Long.numberOfTrailingZeros(deferred);
                    block.awaitReady(u);
                    multiplyUnit(shape, packedA, aOffset, kc, block, u, tile, rows, alpha, beta, c, i, jc);
                }
            }
        }
    }

    private static void multiplyUnit(KernelShape shape, float[] packedA, int aOffset, int kc, SharedPanelsOfB block, int unit,
                                     float[] tile, int rows, float alpha, float beta, FloatMatrix c, int i, int jc) {
        int nr = shape.columns();
        for (int q = block.firstPanel(unit); q < block.endPanel(unit); q++) {
            MicroKernels.run(shape.forRows(rows), kc, packedA, aOffset, kc, block.packed(), block.panelOffset(q), tile);
            CUpdate.storeTile(tile, nr, rows, block.panelColumns(q), alpha, beta, c, i, jc + (long) q * nr);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * A split of one block's work into rowParts x colParts rectangles, one per thread: ranges of A's
     * micro-panels times ranges of B's units. Parts share B's packed panels; each packs its own micro-panels of
     * A, so splitting columns repeats A's packing: the split with the least work in its largest part wins.
     */
    record Grid(int m, int mr, int rowParts, int colParts, int units) {
        /** Cost of packing one float, relative to one vector FMA: bulk copies, shared between parts. */
        private static final double PACK_COST = 0.25;

        static Grid choose(KernelShape shape, int m, SharedPanelsOfB block, int threads) {
            int rowPanels = ceilDiv(m, shape.rows);
            int units = block.units();
            Grid best = new Grid(m, shape.rows, 1, 1, units);
            double bestCost = Double.MAX_VALUE;
            for (int rp = 1; rp <= Math.min(threads, rowPanels); rp++) {
                int cp = Math.min(threads / rp, units);
                double rowsEach = ceilDiv(rowPanels, rp);
                double colPanelsEach = ceilDiv(units, cp) * (double) (block.endPanel(0) - block.firstPanel(0));
                double cost = rowsEach * colPanelsEach * shape.rows * shape.vectors
                        + rowsEach * shape.rows * PACK_COST
                        + colPanelsEach * shape.columns() * PACK_COST / rp;
                if (cost < bestCost) {
                    bestCost = cost;
                    best = new Grid(m, shape.rows, rp, cp, units);
                }
            }
            return best;
        }

        int parts() {
            return rowParts * colParts;
        }

        int rowPart(int part) {
            return part / colParts;
        }

        int rowStart(int part) {
            return rowBoundary(rowPart(part));
        }

        int rowEnd(int part) {
            return rowBoundary(rowPart(part) + 1);
        }

        int firstUnit(int part) {
            return (int) Parallel.chunkStart(units, colParts, part % colParts);
        }

        int endUnit(int part) {
            return (int) Parallel.chunkStart(units, colParts, part % colParts + 1);
        }

        private int rowBoundary(int rowPart) {
            return Math.min(m, (int) Parallel.chunkStart(ceilDiv(m, mr), rowParts, rowPart) * mr);
        }
    }
}
