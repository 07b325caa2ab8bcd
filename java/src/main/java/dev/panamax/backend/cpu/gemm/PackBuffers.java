package dev.panamax.backend.cpu.gemm;

/**
 * Per-thread packing buffers, kept between calls so that a training loop does not allocate (and page-fault)
 * megabytes per product. They only grow, up to one KC x NC block of B.
 */
final class PackBuffers {
    private static final ThreadLocal<PackBuffers> PER_THREAD = ThreadLocal.withInitial(PackBuffers::new);

    private float[] a = new float[0];
    private float[] b = new float[0];
    private float[] tile = new float[0];
    private float[] staging = new float[0];

    private PackBuffers() {}

    static PackBuffers forCurrentThread() {
        return PER_THREAD.get();
    }

    float[] a(int length) {
        if (a.length < length) {
            a = new float[length];
        }
        return a;
    }

    float[] b(int length) {
        if (b.length < length) {
            b = new float[length];
        }
        return b;
    }

    float[] tile(int length) {
        if (tile.length < length) {
            tile = new float[length];
        }
        return tile;
    }

    /** Room for stretches of B's columns on their way to a panel (see {@link Packing#stagingLength}). */
    float[] staging(int length) {
        if (staging.length < length) {
            staging = new float[length];
        }
        return staging;
    }
}
