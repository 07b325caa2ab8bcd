package dev.panamax.backend.cuda;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Freed device blocks of up to {@link #LIMIT} bytes, kept by size for the next allocation of that
 * size, as PyTorch's caching allocator keeps its small pool. The stream-ordered pool underneath
 * already avoids cudaMalloc; this avoids the cudaMallocAsync and cudaFreeAsync calls themselves,
 * which are most of the host time of an op on a few elements. Reuse needs no event: all work runs
 * on the context's one stream, so a block's next user is ordered after its last one.
 */
final class SmallBlockCache {
    /** Largest cached block; bigger ones go to the pool (their op's run time dwarfs the call). */
    static final long LIMIT = 1L << 20;
    private static final int GRANULE = 512;

    /** Per size class (size / GRANULE - 1): a stack of free block addresses. */
    private final long[][] stacks = new long[(int) (LIMIT / GRANULE)][];
    private final int[] depths = new int[stacks.length];
    private long cachedBytes;

    /** The size a request of {@code bytes} is served with: a multiple of 512, or bytes itself above the limit. */
    static long blockSize(long bytes) {
        return bytes > LIMIT ? bytes : (bytes + GRANULE - 1) / GRANULE * GRANULE;
    }

    static boolean cacheable(long blockSize) {
        return blockSize <= LIMIT;
    }

    /** A cached block of exactly {@code blockSize} bytes, or 0 when there is none. */
    synchronized long take(long blockSize) {
        int c = sizeClass(blockSize);
        if (depths[c] == 0) {
            return 0;
        }
        cachedBytes -= blockSize;
        return stacks[c][--depths[c]];
    }

    synchronized void put(long address, long blockSize) {
        int c = sizeClass(blockSize);
        long[] s = stacks[c];
        if (s == null || depths[c] == s.length) {
            stacks[c] = s = s == null ? new long[8] : Arrays.copyOf(s, 2 * s.length);
        }
        s[depths[c]++] = address;
        cachedBytes += blockSize;
    }

    /** Bytes held here, not in use by any tensor. */
    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Hands every cached block to {@code release} and forgets them (when the pool runs out). */
    synchronized void drain(LongConsumer release) {
        for (int c = 0; c < stacks.length; c++) {
            for (int i = 0; i < depths[c]; i++) {
                release.accept(stacks[c][i]);
            }
            depths[c] = 0;
        }
        cachedBytes = 0;
    }

    private static int sizeClass(long blockSize) {
        return (int) (blockSize / GRANULE) - 1;
    }
}
