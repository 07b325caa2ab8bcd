package dev.panamax.bench.compare;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A library timed by the comparison runner. Each kind of work a peer can do is a capability (for now
 * {@link #gemm()}); a case asks for the one it needs and is shown as n/a for peers without it.
 */
interface Peer {
    /** Column title in the table. */
    String name();

    /** One line printed under the table: version, kernel, anything that explains its numbers. */
    String description();

    /** Threads the peer may use for the following runs. */
    void setThreads(int threads);

    default Optional<GemmKernel> gemm() {
        return Optional.empty();
    }

    /** Row-major single-precision product {@code C = A * B}: A is m x k, B is k x n, C is m x n. */
    @FunctionalInterface
    interface GemmKernel {
        void sgemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c);
    }
}
