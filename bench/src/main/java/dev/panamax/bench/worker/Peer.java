package dev.panamax.bench.worker;

/** A library timed by the comparison runner, as it lives inside its worker JVM (one peer and thread count per JVM). */
public interface Peer extends AutoCloseable {
    /** One line under the table: version, kernels, threads, anything that explains its numbers. */
    String description();

    /** Whether this peer can do the workload; cheap, touches no native library. */
    boolean supports(Workload workload);

    /** Builds the inputs in the peer's memory; only for a workload it {@link #supports}. */
    Task prepare(Workload workload);

    @Override
    default void close() {}

    /** Opens a peer that uses {@code threads} threads; fails with the reason when the library cannot be used. */
    @FunctionalInterface
    interface Factory {
        Peer open(int threads) throws Throwable;
    }
}
