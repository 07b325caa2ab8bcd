package dev.panamax.bench.jmh;

import dev.panamax.backend.cpu.Parallel;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the tensor-op benchmarks share: their grid ({@code size} floats as [size / 1024, 1024] rows, at 1 and 2
 * threads), JMH settings, seeded inputs and a sink for results. JMH applies the annotations to every subclass.
 */
// 5 s of warm-up: the first second of a vector kernel runs 4 to 20 times slower, until C2 has compiled it.
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public abstract class TensorBench {
    static final int ROW = 1024;

    @Param({"65536", "1048576"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    /** Sets this trial's thread count; returns the rows of its [rows, 1024] inputs. */
    long startTrial() {
        Parallel.setThreads(threads);
        if (size % ROW != 0) {
            throw new IllegalArgumentException("size must be a multiple of " + ROW + ", got " + size);
        }
        return size / ROW;
    }

    /** Uniform in [-2, 2), seeded, so that exp, gelu and relu see both signs. */
    static Tensor uniform(Generator generator, long... shape) {
        try (Scope s = Scope.open()) {
            return s.keep(Tensor.rand(generator, shape).mul(4).sub(2));
        }
    }

    /** Frees a result; its element count keeps JMH from discarding the call. */
    static long consume(Tensor result) {
        try (result) {
            return result.numel();
        }
    }
}
