package dev.panamax.backend.cuda;

/**
 * How native/src/attention.cu's fused attention kernels split the work for head sizes E (queries
 * and keys) and Ev (values): {@code lanesPerRow} adjacent lanes of a warp share one row, each holding
 * {@link #CHUNK} of its elements in registers, and {@code tile} key (or query) rows are staged in
 * shared memory at a time, each padded to whole float4s.
 */
record FlashPlan(int keySize, int valueSize, int lanesPerRow, int tile) {
    /** Row elements per lane (ATT_CHUNK in the kernels). */
    static final int CHUNK = 32;
    /** The most rows staged at once: beyond it a tile saves little on barriers. */
    static final int MAX_TILE = 64;
    /** A row spans at most one warp. */
    static final int MAX_HEAD_SIZE = CHUNK * 32;

    static boolean fits(long keySize, long valueSize) {
        return keySize <= MAX_HEAD_SIZE && valueSize <= MAX_HEAD_SIZE;
    }

    static FlashPlan of(int keySize, int valueSize) {
        if (!fits(keySize, valueSize)) {
            throw new IllegalArgumentException("fused attention: head sizes " + keySize + " (query/key) and " + valueSize
                    + " (value) must be at most " + MAX_HEAD_SIZE);
        }
        int lanes = 1;
        while (lanes * CHUNK < Math.max(keySize, valueSize)) {
            lanes *= 2;
        }
        // the grad_kv pass stages two more floats per row (log-sum-exp and delta) than the others
        int fitting = CudaContext.MAX_DYNAMIC_SHARED_BYTES / Float.BYTES / (padded(keySize) + padded(valueSize) + 2);
        return new FlashPlan(keySize, valueSize, lanes, Math.min(MAX_TILE, fitting));
    }

    /** A staged row's floats: its size rounded up to whole float4s, which the kernels read. */
    static int padded(int size) {
        return (size + 3) & ~3;
    }

    /** Rows (queries, or keys in the dK/dV pass) per block of {@link CudaContext#THREADS} threads. */
    int rowsPerBlock() {
        return CudaContext.THREADS / lanesPerRow;
    }

    /** Blocks for {@code rows} rows in each of {@code batch} batches (each block stays within one batch). */
    int blocks(long batch, long rows) {
        long blocks = batch * ((rows + rowsPerBlock() - 1) / rowsPerBlock());
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("fused attention: " + batch + " batches of " + rows + " rows need " + blocks
                    + " blocks, more than a launch takes");
        }
        return (int) blocks;
    }

    /** Dynamic shared memory for a tile of rows of E + Ev floats (each padded) and {@code extraPerRow} more. */
    int sharedBytes(int extraPerRow) {
        return tile * (padded(keySize) + padded(valueSize) + extraPerRow) * Float.BYTES;
    }
}
