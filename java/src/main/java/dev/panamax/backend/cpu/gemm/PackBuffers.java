package dev.panamax.backend.cpu.gemm;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Packing buffers, kept between calls so that a training loop does not allocate (and page-fault) megabytes per
 * product. They only grow, up to one KC x NC block of B. A platform thread keeps its own; a virtual thread (often
 * one per request, so its thread-locals die with the request) borrows a set from a few spares for the span of
 * a call and hands it back, never keyed by carrier: a kernel may unmount while it waits for other threads.
 */
final class PackBuffers implements AutoCloseable {
    private static final ThreadLocal<PackBuffers> PER_THREAD = ThreadLocal.withInitial(() -> new PackBuffers(false));
    /** At most this many spare sets are kept for virtual threads: about one per carrier running at once. */
    private static final int MAX_SPARES = Runtime.getRuntime().availableProcessors();
    private static final ConcurrentLinkedQueue<PackBuffers> SPARES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger SPARE_COUNT = new AtomicInteger();

    /** Whether this set is borrowed (returned on close) rather than a platform thread's own. */
    private final boolean borrowed;

    private float[] a = new float[0];
    private float[] b = new float[0];
    private float[] tile = new float[0];
    private float[] staging = new float[0];

    private PackBuffers(boolean borrowed) {
        this.borrowed = borrowed;
    }

    /** Buffers for this thread's use until {@link #close}: a platform thread's own, or a spare set for a virtual thread. */
    static PackBuffers acquire() {
        if (!Thread.currentThread().isVirtual()) {
            return PER_THREAD.get();
        }
        PackBuffers spare = SPARES.poll();
        if (spare == null) {
            return new PackBuffers(true);
        }
        SPARE_COUNT.decrementAndGet();
        return spare;
    }

    /** Hands a borrowed set back (kept while there are fewer than {@link #MAX_SPARES}); nothing for a thread's own. */
    @Override
    public void close() {
        if (!borrowed) {
            return;
        }
        if (SPARE_COUNT.incrementAndGet() <= MAX_SPARES) {
            SPARES.offer(this);
        } else {
            SPARE_COUNT.decrementAndGet();
        }
    }

    float[] a(int length) {
        if (a.length < length) {
            a = new float[length];
        }
        return a;
    }

    float[] b(int length) {
        if (b.length < length) {
            b = new float[length];
        }
        return b;
    }

    float[] tile(int length) {
        if (tile.length < length) {
            tile = new float[length];
        }
        return tile;
    }

    /** Room for stretches of B's columns on their way to a panel (see {@link Packing#stagingLength}). */
    float[] staging(int length) {
        if (staging.length < length) {
            staging = new float[length];
        }
        return staging;
    }
}
