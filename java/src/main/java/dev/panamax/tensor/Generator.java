package dev.panamax.tensor;

/**
 * A seedable source of random numbers for tensor creation and random ops. It hands out ranges
 * of Philox counters: a fill of n elements takes the next n, so the same seed gives the same
 * numbers on every run, thread count and device.
 */
public final class Generator {
    /** PyTorch's default seed, so an unseeded program is still reproducible. */
    public static final long DEFAULT_SEED = 67280421310721L;

    private static final Generator GLOBAL = new Generator(DEFAULT_SEED);

    private long seed;
    private long offset;

    public Generator(long seed) {
        this.seed = seed;
    }

    /** The generator used when none is given. */
    public static Generator global() {
        return GLOBAL;
    }

    /** Restarts the sequence from {@code seed}, like {@code torch.manual_seed}. */
    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        this.offset = 0;
        return this;
    }

    public synchronized long seed() {
        return seed;
    }

    /** The state as {seed, offset}, for checkpoints. */
    public synchronized long[] state() {
        return new long[] {seed, offset};
    }

    /** Restores a state from {@link #state()}. */
    public synchronized void setState(long[] state) {
        if (state.length != 2 || state[1] < 0) {
            throw new IllegalArgumentException("generator state must be {seed, offset >= 0}");
        }
        seed = state[0];
        offset = state[1];
    }

    /** Reserves {@code n} counters and returns the first. */
    public synchronized long reserve(long n) {
        long start = offset;
        offset += n;
        return start;
    }
}
