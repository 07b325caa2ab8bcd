package dev.panamax.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool every CPU kernel splits its work over.
 *
 * <p>Sized by the system property {@code panamax.threads} (default: available processors) and
 * resizable at run time with {@link #setThreads(int)}. Work is split into a fixed number of
 * ranges that depends only on the problem size and the grain, never on the thread count, so a
 * kernel that combines per-range partial results in range order gives the same bits on 1 or N
 * threads.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(initialThreads());

    private Parallel() {}

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(long from, long to);
    }

    /** Body of a parallel loop over chunk indices {@code [0, chunks)}. */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk);
    }

    /** Number of worker threads kernels may use. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Replaces the pool with one of {@code n} threads; kernels already running finish on the old one. */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("panamax.threads must be >= 1, got " + n);
        }
        if (n == threads()) {
            return;
        }
        ForkJoinPool old = pool;
        pool = newPool(n);
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into ranges of at least {@code grain} elements.
     * Runs inline when the work is small or only one thread is configured.
     */
    public static void forRange(long n, long grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = chunkCount(n, grain);
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        forChunks(chunks, c -> body.run(chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1)));
    }

    /** Number of ranges {@link #forRange} splits {@code n} into for the given grain (independent of threads). */
    public static int chunkCount(long n, long grain) {
        long g = Math.max(1, grain);
        return (int) Math.max(1, Math.min(256, n / g));
    }

    /** First index of range {@code c} when {@code n} is split into {@code chunks} near-equal ranges. */
    public static long chunkStart(long n, int chunks, int c) {
        return n / chunks * c + Math.min(c, n % chunks);
    }

    /** Runs {@code body(c)} for every {@code c} in {@code [0, chunks)}, on the pool when it helps. */
    public static void forChunks(int chunks, ChunkBody body) {
        if (chunks <= 0) {
            return;
        }
        ForkJoinPool p = pool;
        if (chunks == 1 || p.getParallelism() == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int c = 0; c < chunks; c++) {
                body.run(c);
            }
            return;
        }
        p.invoke(new Split(body, 0, chunks, Math.max(1, chunks / (p.getParallelism() * 4))));
    }

    private static final class Split extends RecursiveAction {
        private final ChunkBody body;
        private final int from;
        private final int to;
        private final int leaf;

        Split(ChunkBody body, int from, int to, int leaf) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.leaf = leaf;
        }

        @Override
        protected void compute() {
            if (to - from <= leaf) {
                for (int c = from; c < to; c++) {
                    body.run(c);
                }
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Split(body, from, mid, leaf), new Split(body, mid, to, leaf));
        }
    }

    private static int initialThreads() {
        String v = System.getProperty("panamax.threads");
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("system property panamax.threads must be a positive integer, got '" + v + "'");
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("panamax-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }
}
