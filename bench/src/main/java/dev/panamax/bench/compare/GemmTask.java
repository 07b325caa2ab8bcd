package dev.panamax.bench.compare;

import dev.panamax.bench.worker.GemmWork;
import dev.panamax.bench.worker.Task;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** The gemm workload on an sgemm that works on native memory (Panamax's, OpenBLAS's). */
final class GemmTask implements Task {
    /** Row-major single-precision product {@code C = A * B}: A is m x k, B is k x n, C is m x n. */
    @FunctionalInterface
    interface Kernel {
        void sgemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c);
    }

    private final GemmWork work;
    private final Kernel kernel;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment a;
    private final MemorySegment b;
    private final MemorySegment c;

    GemmTask(GemmWork work, Kernel kernel) {
        this.work = work;
        this.kernel = kernel;
        a = copy(work.a());
        b = copy(work.b());
        // Touch every page of the output now, so that the timed runs pay no first-touch page faults.
        c = arena.allocate((long) work.m() * work.n() * Float.BYTES, 64).fill((byte) 0);
    }

    @Override
    public void run() {
        kernel.sgemm(work.m(), work.n(), work.k(), a, b, c);
    }

    @Override
    public List<float[]> runAndRead() {
        run();
        return List.of(c.toArray(ValueLayout.JAVA_FLOAT));
    }

    @Override
    public void close() {
        arena.close();
    }

    private MemorySegment copy(float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }
}
