package dev.panamax.bench.jmh;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;

/** Inputs and results of the tensor-op benchmarks: {@code size} floats as [size / 1024, 1024] rows. */
final class TensorBench {
    static final int ROW = 1024;

    private TensorBench() {}

    static long rows(int size) {
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
