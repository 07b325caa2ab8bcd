package dev.panamax.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs a piece of a test on several application threads at once, released together, each
 * repeating it for a while, or on a virtual thread per piece as a server with one per request does,
 * and rethrows the first failure on the test's thread.
 *
 * <pre>{@code
 * Concurrently.run(4, 300, (thread, round) -> assertArrayEquals(alone[thread], infer(thread)));
 * }</pre>
 */
public final class Concurrently {
    private Concurrently() {}

    /** One thread's work; {@code thread} is its index, {@code round} counts its repetitions from 0. */
    @FunctionalInterface
    public interface Work {
        void run(int thread, int round) throws Exception;
    }

    /** Runs {@code work} on {@code threads} threads, each repeating it until {@code millis} have passed (at least twice). */
    public static void run(int threads, long millis, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
                    for (int round = 0; round < 2 || System.nanoTime() < end; round++) {
                        work.run(thread, round);
                    }
                    return null;
                }));
            }
            awaitAll(done);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs {@code work} {@code rounds} times for each of {@code threads} indices, every run on a new
     * virtual thread (so it starts with no thread-local state), all started at once.
     */
    public static void onVirtualThreads(int threads, int rounds, Work work) throws Exception {
        try (ExecutorService perTask = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    int r = round;
                    done.add(perTask.submit(() -> {
                        work.run(thread, r);
                        return null;
                    }));
                }
            }
            awaitAll(done);
        }
    }

    private static void awaitAll(List<Future<?>> done) throws Exception {
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception x) {
                    throw x;
                }
                throw (Error) e.getCause();
            }
        }
    }
}
