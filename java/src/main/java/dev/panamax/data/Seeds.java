package dev.panamax.data;

/**
 * Independent seeds derived from one: a loader gives every (epoch, batch) its own generator, so
 * what a batch holds does not depend on which thread built it or in what order.
 */
final class Seeds {
    static final long SHUFFLE = 0x5348554646L;
    static final long AUGMENT = 0x4155474dL;

    private Seeds() {}

    /** A seed that changes unpredictably with every part (SplitMix64 finaliser, chained). */
    static long derive(long seed, long... parts) {
        long h = mix(seed);
        for (long p : parts) {
            h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
