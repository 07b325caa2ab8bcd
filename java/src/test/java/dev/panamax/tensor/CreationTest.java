package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Scope;
import dev.panamax.testing.CpuThreads;
import org.junit.jupiter.api.Test;

class CreationTest {
    @Test
    void constantsAndRanges() {
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {0, 0, 0}, Tensor.zeros(3).toFloatArray());
            assertArrayEquals(new float[] {1, 1}, Tensor.ones(2).toFloatArray());
            assertArrayEquals(new double[] {2.5, 2.5}, Tensor.full(2.5, DType.FLOAT64, 2).toDoubleArray());
            assertArrayEquals(new long[] {0, 1, 2, 3}, Tensor.arange(4).toLongArray());
            assertEquals(DType.INT64, Tensor.arange(4).dtype());
            assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1, 3, 0.5, DType.FLOAT32).toFloatArray());
            assertArrayEquals(new float[] {3, 2, 1}, Tensor.arange(3, 0, -1, DType.FLOAT32).toFloatArray());
            assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, Tensor.linspace(0, 1, 5).toFloatArray());
            assertArrayEquals(new float[] {7}, Tensor.linspace(7, 9, 1).toFloatArray());
            assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, Tensor.eye(2, 3).toFloatArray());
            assertArrayEquals(new long[] {3, 3}, Tensor.eye(3).shape().toArray());
            assertEquals(0, Tensor.zeros(0, 4).numel());
        }
    }

    @Test
    void fromArraysAndBack() {
        try (Scope s = Scope.open()) {
            Tensor f = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(new long[] {2, 3}, f.shape().toArray());
            assertEquals(6.0, f.get(1, 2));
            assertEquals(4.0, f.get(-1, 0));
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, f.toDoubleArray());
            assertArrayEquals(new int[] {1, 2}, Tensor.of(new long[] {1, 2}, 2).toIntArray());
            assertEquals(Long.MAX_VALUE, Tensor.of(new long[] {Long.MAX_VALUE}, 1).toLongArray()[0], "int64 round trip is exact");
            assertArrayEquals(new boolean[] {true, false}, Tensor.of(new boolean[] {true, false}, 2).toBooleanArray());
            assertEquals(DType.INT32, Tensor.of(new int[] {1}, 1).dtype());
            assertEquals(3.5, Tensor.scalar(3.5).item());
            assertEquals(0, Tensor.scalar(1).rank());
        }
    }

    @Test
    void badCreationArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
            assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("[2, 2]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
            assertTrue(e.getMessage().contains("negative"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 5, 0, DType.FLOAT32));
            assertTrue(e.getMessage().contains("step"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(5, 5, 3));
            assertTrue(e.getMessage().contains("high"), e.getMessage());
            var notScalar = assertThrows(IllegalStateException.class, () -> Tensor.ones(2).item());
            assertTrue(notScalar.getMessage().contains("[2]"), notScalar.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ones(2).get(2));
            assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2).requiresGrad(false).to(DType.INT64).requiresGrad(true));
        }
    }

    @Test
    void uniformAndNormalHaveTheirMoments() {
        try (Scope s = Scope.open()) {
            Generator g = new Generator(11);
            double[] u = Tensor.rand(g, 200_000).toDoubleArray();
            assertEquals(0.5, mean(u), 0.005);
            assertEquals(1.0 / 12, variance(u), 0.002);
            assertTrue(min(u) >= 0 && max(u) < 1);
            double[] n = Tensor.randn(g, 200_000).toDoubleArray();
            assertEquals(0, mean(n), 0.01);
            assertEquals(1, variance(n), 0.02);
            long[] k = Tensor.randint(g, -3, 4, 70_000).toLongArray();
            long[] counts = new long[7];
            for (long v : k) {
                counts[(int) (v + 3)]++;
            }
            for (long c : counts) {
                assertEquals(10_000, c, 400, "each of the 7 integers about equally often");
            }
        }
    }

    @Test
    void sameSeedSameNumbersAnyThreadCount() {
        try (Scope s = Scope.open()) {
            float[] one = CpuThreads.call(1, () -> Tensor.randn(new Generator(42), 100_003).toFloatArray());
            float[] two = CpuThreads.call(2, () -> Tensor.randn(new Generator(42), 100_003).toFloatArray());
            assertArrayEquals(one, two);
            Generator g = new Generator(5);
            float[] first = Tensor.rand(g, 10).toFloatArray();
            float[] second = Tensor.rand(g, 10).toFloatArray();
            assertNotEquals(first[0], second[0], "a generator moves on after each fill");
            long[] state = g.state();
            float[] next = Tensor.rand(g, 10).toFloatArray();
            g.setState(state);
            assertArrayEquals(next, Tensor.rand(g, 10).toFloatArray(), "restoring the state replays the sequence");
            assertArrayEquals(first, Tensor.rand(g.manualSeed(5), 10).toFloatArray(), "manualSeed restarts");
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double variance(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return s / v.length;
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
