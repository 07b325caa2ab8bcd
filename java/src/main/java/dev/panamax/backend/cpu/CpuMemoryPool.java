package dev.panamax.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Size-bucketed cache of native blocks. Fresh memory costs a page fault per 4 KiB page on these
 * machines, so a training loop that frees and reallocates the same sizes every step must get
 * the same blocks back instead of new pages from the OS. Each block has its own shared arena
 * so the cache can give memory back when it holds more than its limit.
 */
final class CpuMemoryPool {
    /** One cached allocation. */
    record Block(Arena arena, MemorySegment segment) {}

    static final long ALIGNMENT = 64;

    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private final long limitBytes;
    private long cachedBytes;

    CpuMemoryPool(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** A block of at least {@code bytes} bytes; its contents are arbitrary. */
    synchronized Block acquire(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Block> q = free.get(size);
        if (q != null && !q.isEmpty()) {
            cachedBytes -= size;
            return q.pop();
        }
        Arena arena = Arena.ofShared();
        try {
            return new Block(arena, arena.allocate(size, ALIGNMENT));
        } catch (OutOfMemoryError e) {
            arena.close();
            trim();
            throw new OutOfMemoryError("Panamax could not allocate " + bytes + " bytes of native memory for a tensor");
        }
    }

    /** Returns a block to the cache, or to the OS when the cache is full. */
    void release(Block block) {
        long size = block.segment().byteSize();
        synchronized (this) {
            if (cachedBytes + size <= limitBytes) {
                free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block);
                cachedBytes += size;
                return;
            }
        }
        block.arena().close();
    }

    /** Gives every cached block back to the OS. */
    synchronized void trim() {
        free.values().forEach(q -> q.forEach(b -> b.arena().close()));
        free.clear();
        cachedBytes = 0;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /**
     * Rounds a request up to its bucket: multiples of 64 bytes up to 4 KiB, then four buckets per
     * power of two (at most 25 % waste).
     */
    static long sizeClass(long bytes) {
        long b = Math.max(bytes, 1);
        if (b <= 4096) {
            return (b + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        }
        int log2 = 63 - Long.numberOfLeadingZeros(b);
        long step = 1L << (log2 - 2);
        return (b + step - 1) / step * step;
    }
}
