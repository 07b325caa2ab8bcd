package dev.panamax.backend;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
 * counter-based generator cuRAND and PyTorch use. Element {@code i} of a random fill is a pure
 * function of (seed, offset + i), so the numbers do not depend on how the work is split over
 * threads or devices.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final double TWO_PI = 2 * Math.PI;

    private Philox() {}

    /** The four 32-bit outputs for one counter, written to {@code out[0..3]}. */
    public static void block(long seed, long counter, int[] out) {
        int c0 = (int) counter;
        int c1 = (int) (counter >>> 32);
        int c2 = 0;
        int c3 = 0;
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** A double uniform on [0, 1) with 53 random bits, from two outputs. */
    public static double uniform53(int hi, int lo) {
        long bits = ((hi & 0xFFFFFFFFL) << 21) ^ ((lo & 0xFFFFFFFFL) >>> 11);
        return (bits & ((1L << 53) - 1)) * 0x1.0p-53;
    }

    /**
     * The value of element {@code counter} for a distribution: uniform, normal (Box–Muller from
     * one block), integer or Bernoulli, with parameters as in {@link RandomKind}.
     */
    public static double sample(RandomKind kind, long seed, long counter, double p0, double p1, int[] scratch) {
        block(seed, counter, scratch);
        double u = uniform53(scratch[0], scratch[1]);
        return switch (kind) {
            case UNIFORM -> p0 + (p1 - p0) * u;
            case INTEGER -> Math.floor(p0 + (p1 - p0) * u);
            case BERNOULLI -> u < p0 ? 1 : 0;
            case NORMAL -> {
                double u1 = 1.0 - u; // (0, 1]: log is finite
                double u2 = uniform53(scratch[2], scratch[3]);
                yield p0 + p1 * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(TWO_PI * u2);
            }
        };
    }
}
