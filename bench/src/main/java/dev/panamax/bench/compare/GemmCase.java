package dev.panamax.bench.compare;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** Row-major {@code C = A * B} with A m x k and B k x n, inputs uniform in [-1, 1). */
final class GemmCase implements Case {
    private final int m;
    private final int n;
    private final int k;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment a;
    private final MemorySegment b;
    private final Map<Peer, MemorySegment> outputs = new HashMap<>();

    GemmCase(int m, int n, int k) {
        this.m = m;
        this.n = n;
        this.k = k;
        var random = new SplittableRandom(42);
        a = randomFloats((long) m * k, random);
        b = randomFloats((long) k * n, random);
    }

    @Override
    public String name() {
        return "sgemm " + m + "x" + k + "x" + n;
    }

    @Override
    public String family() {
        return "gemm";
    }

    @Override
    public double flops() {
        return 2.0 * m * n * k;
    }

    @Override
    public Optional<Runnable> taskFor(Peer peer) {
        MemorySegment c = outputOf(peer);
        return peer.gemm().map(kernel -> () -> kernel.sgemm(m, n, k, a, b, c));
    }

    @Override
    public MemorySegment outputOf(Peer peer) {
        // Touch every page now so that no peer pays the first-touch page faults inside the timing.
        return outputs.computeIfAbsent(peer, p -> arena.allocate((long) m * n * Float.BYTES, 64).fill((byte) 0));
    }

    @Override
    public long outputLength() {
        return (long) m * n;
    }

    @Override
    public void close() {
        arena.close();
    }

    private MemorySegment randomFloats(long count, SplittableRandom random) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextDouble() * 2 - 1));
        }
        return s;
    }
}
