package dev.panamax.bench.jmh;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reductions and softmax through the public API on {@code size} floats ([size / 1024, 1024]), at 1 and 2
 * threads: over everything, along the contiguous last dim (one result per row) and along the strided first
 * dim (one result per column).
 */
public class ReductionBenchmark extends TensorBench {
    private Tensor x;

    @Setup(Level.Trial)
    public void setUp() {
        x = TensorBench.uniform(new Generator(11), startTrial(), TensorBench.ROW);
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
