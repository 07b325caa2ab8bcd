package dev.panamax.testing;

import dev.panamax.backend.cpu.Parallel;

/**
 * Runs a piece of a test with the CPU kernels on a given number of threads ({@link Parallel#setThreads}),
 * and always puts the previous count back, whether the piece returns or throws.
 *
 * <pre>{@code
 * float[] one = CpuThreads.call(1, () -> op(x).toFloatArray());
 * float[] two = CpuThreads.call(2, () -> op(x).toFloatArray());
 * assertArrayEquals(one, two);
 * }</pre>
 *
 * A body that throws no checked exception needs no {@code throws} at the call site.
 */
public final class CpuThreads {
    private CpuThreads() {}

    /** A body without a result; {@code E} is the checked exception it may throw, if any. */
    @FunctionalInterface
    public interface Body<E extends Exception> {
        void run() throws E;
    }

    /** A body with a result; {@code E} is the checked exception it may throw, if any. */
    @FunctionalInterface
    public interface Result<T, E extends Exception> {
        T get() throws E;
    }

    /** Runs {@code body} on {@code threads} threads, then restores the previous count. */
    public static <E extends Exception> void run(int threads, Body<E> body) throws E {
        call(threads, () -> {
            body.run();
            return null;
        });
    }

    /** Returns what {@code body} returns on {@code threads} threads, then restores the previous count. */
    public static <T, E extends Exception> T call(int threads, Result<T, E> body) throws E {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            return body.get();
        } finally {
            Parallel.setThreads(before);
        }
    }
}
