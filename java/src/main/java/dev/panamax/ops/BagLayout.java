package dev.panamax.ops;

import java.util.Arrays;

/**
 * Where each index of an embedding bag goes, worked out on the host from the offsets: the kept
 * entries (padding indices dropped) with their row, their position in the input and their bag,
 * and each bag's size.
 */
record BagLayout(int bags, long[] rows, long[] positions, long[] bagOf, int[] counts) {
    int kept() {
        return rows.length;
    }

    int largestBag() {
        return Arrays.stream(counts).max().orElse(0);
    }

    /**
     * @param ids        the flattened input
     * @param offsets    the start of each bag (and, with includeLastOffset, the end of the last)
     * @param paddingRow a row whose entries are dropped, or -1
     */
    static BagLayout of(String op, long[] ids, long[] offsets, boolean includeLastOffset, long paddingRow) {
        int bags = includeLastOffset ? offsets.length - 1 : offsets.length;
        if (bags < 0 || (includeLastOffset && offsets.length == 0)) {
            throw new IllegalArgumentException(op + ": with includeLastOffset, offsets must hold at least one entry (the end)");
        }
        if (offsets.length > 0 && offsets[0] != 0) {
            throw new IllegalArgumentException(op + ": offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start"
                    + " from position 0, but got " + offsets[0]);
        }
        for (int b = 1; b < offsets.length; b++) {
            if (offsets[b] < offsets[b - 1]) {
                throw new IllegalArgumentException(op + ": offsets must be non-decreasing, but offsets[" + b + "] = " + offsets[b]
                        + " < offsets[" + (b - 1) + "] = " + offsets[b - 1]);
            }
        }
        if (offsets.length > 0 && offsets[offsets.length - 1] > ids.length) {
            throw new IllegalArgumentException(op + ": offsets[-1] can not be greater than input's length " + ids.length + " but got "
                    + offsets[offsets.length - 1]);
        }
        int[] counts = new int[bags];
        long[] rows = new long[ids.length];
        long[] positions = new long[ids.length];
        long[] bagOf = new long[ids.length];
        int k = 0;
        for (int b = 0; b < bags; b++) {
            long end = b + 1 < offsets.length ? offsets[b + 1] : ids.length;
            for (long i = offsets[b]; i < end; i++) {
                if (ids[(int) i] != paddingRow) {
                    rows[k] = ids[(int) i];
                    positions[k] = i;
                    bagOf[k] = b;
                    k++;
                    counts[b]++;
                }
            }
        }
        return new BagLayout(bags, Arrays.copyOf(rows, k), Arrays.copyOf(positions, k), Arrays.copyOf(bagOf, k), counts);
    }
}
