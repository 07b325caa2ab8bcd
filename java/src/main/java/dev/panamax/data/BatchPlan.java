package dev.panamax.data;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Which samples go into which batch in one epoch: a seeded permutation cut into batches. The
 * {@link DataLoader} uses it, and so do loaders of samples that do not stack into one tensor
 * (detection's images with their boxes), so every loader shuffles alike.
 */
public final class BatchPlan {
    private static final long UNIFORM_BITS = 1L << 53;

    private final long[] order;
    private final int batchSize;
    private final int batches;

    private BatchPlan(long[] order, int batchSize, int batches) {
        this.order = order;
        this.batchSize = batchSize;
        this.batches = batches;
    }

    /** Number of batches for n samples. */
    public static int count(long n, int batchSize, boolean dropLast) {
        long c = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
        if (c > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("DataLoader: " + n + " samples in batches of " + batchSize + " make more than 2^31 batches");
        }
        return (int) c;
    }

    /**
     * The plan of one epoch; with {@code shuffle} the order is a Fisher–Yates permutation drawn
     * from a generator seeded by (seed, epoch) alone.
     */
    public static BatchPlan of(long n, int batchSize, boolean dropLast, boolean shuffle, long seed, long epoch) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("DataLoader: datasets of more than 2^31 samples are not supported, got " + n);
        }
        long[] order = new long[(int) n];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle && n > 1) {
            long[] bits;
            try (Tensor draws = Tensor.randint(new Generator(Seeds.derive(seed, Seeds.SHUFFLE, epoch)), 0, UNIFORM_BITS, n - 1)) {
                bits = draws.toLongArray();
            }
            for (int i = order.length - 1; i > 0; i--) {
                // floor(u * (i + 1)) for u = bits / 2^53, in integers: a double product can round up to i + 1
                int j = (int) Math.unsignedMultiplyHigh(bits[i - 1] << 11, i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return new BatchPlan(order, batchSize, count(n, batchSize, dropLast));
    }

    public int batches() {
        return batches;
    }

    /** The sample indices of batch {@code b}. */
    public long[] indices(int b) {
        int from = b * batchSize;
        int to = (int) Math.min(order.length, (long) from + batchSize);
        return java.util.Arrays.copyOfRange(order, from, to);
    }
}
