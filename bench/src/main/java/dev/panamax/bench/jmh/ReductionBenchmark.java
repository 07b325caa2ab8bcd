package dev.panamax.bench.jmh;

import dev.panamax.backend.cpu.Parallel;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
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
 * Reductions and softmax through the public API on {@code size} floats ([size / 1024, 1024]), at 1 and 2
 * threads: over everything, along the contiguous last dim (one result per row) and along the strided first
 * dim (one result per column).
 */
// 5 s of warm-up: the first second of a vector kernel runs 4 to 20 times slower, until C2 has compiled it.
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ReductionBenchmark {
    @Param({"65536", "1048576"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    private Tensor x;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        x = TensorBench.uniform(new Generator(11), TensorBench.rows(size), TensorBench.ROW);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
    }

    @Benchmark
    public long sumAll() {
        return TensorBench.consume(x.sum());
    }

    @Benchmark
    public long sumRows() {
        return TensorBench.consume(x.sum(1));
    }

    @Benchmark
    public long sumColumns() {
        return TensorBench.consume(x.sum(0));
    }

    @Benchmark
    public long meanRows() {
        return TensorBench.consume(x.mean(1));
    }

    @Benchmark
    public long maxAll() {
        return TensorBench.consume(x.max());
    }

    @Benchmark
    public long softmaxRows() {
        return TensorBench.consume(x.softmax(1));
    }

    @Benchmark
    public long logSoftmaxRows() {
        return TensorBench.consume(x.logSoftmax(1));
    }
}
