package dev.panamax.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread dense tiles that strided, broadcast or converted operands are gathered into, so
 * the vector loops only ever see dense float32 or float64 runs. Each tile is allocated on first
 * use: most threads need none or a few, and a virtual thread per request starts with none.
 */
final class Scratch {
    /** Elements per tile: 16 KiB of doubles, so a few tiles stay in L1/L2. */
    static final int TILE = 2048;
    static final int TILES = 6;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final MemorySegment[] tiles = new MemorySegment[TILES];

    private Scratch() {}

    static Scratch get() {
        return LOCAL.get();
    }

    MemorySegment tile(int i) {
        MemorySegment t = tiles[i];
        if (t == null) {
            t = Arena.ofAuto().allocate((long) TILE * Double.BYTES, 64);
            tiles[i] = t;
        }
        return t;
    }

    /** {@code buffer} when it holds {@code length} floats, else a larger one: per-thread buffers grow and are reused. */
    static float[] atLeast(float[] buffer, int length) {
        return buffer.length < length ? new float[length] : buffer;
    }

    /** {@link #atLeast(float[], int)} for doubles. */
    static double[] atLeast(double[] buffer, int length) {
        return buffer.length < length ? new double[length] : buffer;
    }

    /** {@link #atLeast(float[], int)} for ints. */
    static int[] atLeast(int[] buffer, int length) {
        return buffer.length < length ? new int[length] : buffer;
    }

    /** {@link #atLeast(float[], int)} for longs. */
    static long[] atLeast(long[] buffer, int length) {
        return buffer.length < length ? new long[length] : buffer;
    }
}
