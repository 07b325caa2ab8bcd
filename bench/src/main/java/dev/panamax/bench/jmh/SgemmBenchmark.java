package dev.panamax.bench.jmh;

import dev.panamax.backend.cpu.Parallel;
import dev.panamax.backend.cpu.gemm.Sgemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Row-major {@code C = A * B} with A m x k and B k x n, at 1 and 2 threads. GFLOP/s = 2 m n k / time.
 * Sizes are MxKxN: the three large products and LeNet's first fully connected layer at batch 256.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SgemmBenchmark {
    @Param({"256x1024x1024", "1024x1024x1024", "2048x2048x2048", "256x400x120"})
    public String size;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private int m;
    private int k;
    private int n;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] mkn = size.split("x");
        m = Integer.parseInt(mkn[0]);
        k = Integer.parseInt(mkn[1]);
        n = Integer.parseInt(mkn[2]);
        Parallel.setThreads(threads);
        arena = Arena.ofShared();
        var random = new SplittableRandom(1);
        a = randomFloats((long) m * k, random);
        b = randomFloats((long) k * n, random);
        c = arena.allocate((long) m * n * Float.BYTES, 64).fill((byte) 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment sgemm() {
        Sgemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, 1);
        return c;
    }

    private MemorySegment randomFloats(long count, SplittableRandom random) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextDouble() * 2 - 1));
        }
        return s;
    }
}
