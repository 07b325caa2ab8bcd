package dev.panamax.bench.worker;

import java.util.SplittableRandom;

/** Benchmark inputs from fixed seeds: SplittableRandom's sequence is specified, so every JVM makes the same numbers. */
public final class Inputs {
    private Inputs() {}

    /** {@code count} floats uniform in [lo, hi). */
    public static float[] uniform(long seed, int count, double lo, double hi) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return values;
    }

    /** {@code count} integers uniform in [0, bound). */
    public static long[] classes(long seed, int count, int bound) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextInt(bound);
        }
        return values;
    }

    /** PyTorch's default initialisation of a layer's weight or bias: uniform in ±1/sqrt(fan in). */
    public static float[] layerDefault(long seed, int count, int fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        return uniform(seed, count, -bound, bound);
    }

    public static int product(long... dims) {
        long p = 1;
        for (long d : dims) {
            p *= d;
        }
        return Math.toIntExact(p);
    }
}
