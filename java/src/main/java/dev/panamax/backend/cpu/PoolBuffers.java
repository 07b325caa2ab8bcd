package dev.panamax.backend.cpu;

/** Per-thread row buffers of the pooling kernels, grown on demand and reused across calls. */
final class PoolBuffers {
    private static final ThreadLocal<PoolBuffers> LOCAL = ThreadLocal.withInitial(PoolBuffers::new);

    private float[] floats = new float[0];
    private float[] divisors = new float[0];
    private float[] indices = new float[0];
    private double[] doubles = new double[0];

    private PoolBuffers() {}

    static PoolBuffers get() {
        return LOCAL.get();
    }

    float[] floats(int n) {
        floats = Scratch.atLeast(floats, n);
        return floats;
    }

    float[] divisors(int n) {
        divisors = Scratch.atLeast(divisors, n);
        return divisors;
    }

    /** Element indices carried in float lanes (exact below 2^24). */
    float[] indices(int n) {
        indices = Scratch.atLeast(indices, n);
        return indices;
    }

    double[] doubles(int n) {
        doubles = Scratch.atLeast(doubles, n);
        return doubles;
    }
}
