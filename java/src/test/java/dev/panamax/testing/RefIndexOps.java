package dev.panamax.testing;

/** Index tensors as plain long arrays for the references (the op under test reads them itself). */
public final class RefIndexOps {
    private RefIndexOps() {}

    /** The values of a reference holding integers, as longs. */
    public static long[] longs(Ref r) {
        long[] v = new long[r.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (long) r.data[i];
        }
        return v;
    }
}
