package dev.panamax.bench.jmh;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Elementwise ops through the public API on {@code size} floats ([size / 1024, 1024]), at 1 and 2 threads:
 * same-shape binary ops, broadcasts along rows and columns, and activations. Each call allocates its output
 * from Panamax's memory pool and frees it, as user code does; bytes moved per call are 12·size for binary ops,
 * 8·size for unary ones.
 */
public class ElementwiseBenchmark extends TensorBench {
    private Tensor a;
    private Tensor b;
    private Tensor rowVector;
    private Tensor columnVector;

    @Setup(Level.Trial)
    public void setUp() {
        long rows = startTrial();
        Generator generator = new Generator(7);
        a = TensorBench.uniform(generator, rows, TensorBench.ROW);
        b = TensorBench.uniform(generator, rows, TensorBench.ROW);
        rowVector = TensorBench.uniform(generator, TensorBench.ROW);
        columnVector = TensorBench.uniform(generator, rows, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {a, b, rowVector, columnVector}) {
            t.close();
        }
    }

    @Benchmark
    public long add() {
        return TensorBench.consume(a.add(b));
    }

    @Benchmark
    public long mul() {
        return TensorBench.consume(a.mul(b));
    }

    /** [rows, 1024] + [1024]: a bias added to every row. */
    @Benchmark
    public long addRowBroadcast() {
        return TensorBench.consume(a.add(rowVector));
    }

    /** [rows, 1024] * [rows, 1]: every row scaled by its own factor. */
    @Benchmark
    public long mulColumnBroadcast() {
        return TensorBench.consume(a.mul(columnVector));
    }

    @Benchmark
    public long relu() {
        return TensorBench.consume(a.relu());
    }

    @Benchmark
    public long gelu() {
        return TensorBench.consume(a.gelu());
    }

    @Benchmark
    public long geluTanh() {
        return TensorBench.consume(a.gelu(true));
    }

    @Benchmark
    public long exp() {
        return TensorBench.consume(a.exp());
    }

    @Benchmark
    public long sigmoid() {
        return TensorBench.consume(a.sigmoid());
    }
}
