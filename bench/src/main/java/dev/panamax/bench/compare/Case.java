package dev.panamax.bench.compare;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * One piece of work timed on every peer with the same inputs. A case owns its inputs and one output per
 * peer, so the outputs can be compared once the timing is done.
 */
interface Case extends AutoCloseable {
    /** Row title in the table, e.g. {@code sgemm 256x1024x1024}. */
    String name();

    /** The family selected with {@code --cases}, e.g. {@code gemm}. */
    String family();

    /** Floating-point operations of one run, for GFLOP/s. */
    double flops();

    /** One run of this case on {@code peer}, writing to the output reserved for that peer; empty if the peer cannot. */
    Optional<Runnable> taskFor(Peer peer);

    /** The output {@link #taskFor} writes for {@code peer}. */
    MemorySegment outputOf(Peer peer);

    /** Number of floats in an output. */
    long outputLength();

    @Override
    void close();
}
