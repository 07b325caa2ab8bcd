package dev.panamax.data.transforms;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * A block of random numbers drawn from a {@link Generator} at once: each image of a batch takes
 * a fixed share, so its parameters do not depend on what the images before it drew.
 */
final class Draws {
    private static final long BITS = 1L << 53;

    private final long[] bits;
    private int next;

    private Draws(long[] bits) {
        this.bits = bits;
    }

    static Draws of(Generator gen, int count) {
        if (count == 0) {
            return new Draws(new long[0]);
        }
        try (Tensor t = Tensor.randint(gen, 0, BITS, count)) {
            return new Draws(t.toLongArray());
        }
    }

    /** Uniform on [0, 1) with 53 random bits. */
    double uniform() {
        return bits[next++] * 0x1p-53;
    }

    /** Uniform on [lo, hi). */
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * uniform();
    }

    /** An integer uniform on [0, n), computed exactly (a double product could round up to n). */
    int below(int n) {
        return (int) Math.unsignedMultiplyHigh(bits[next++] << 11, n);
    }

    /** Moves to the first draw of image {@code i} when every image takes {@code perImage} draws. */
    void startImage(int i, int perImage) {
        next = i * perImage;
    }
}
