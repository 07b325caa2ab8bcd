package dev.panamax.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The even and the odd lanes of two vectors side by side (a row read with stride 2), each in one
 * two-table permute ({@link FloatVector#selectFrom(jdk.incubator.vector.Vector, jdk.incubator.vector.Vector)});
 * {@code rearrange(shuffle, b)} costs two permutes and a blend.
 */
final class Deinterleave {
    private static final FloatVector EVEN = WinogradConv.indexes(i -> 2 * i);
    private static final FloatVector ODD = WinogradConv.indexes(i -> 2 * i + 1);

    private Deinterleave() {}

    /** Lanes 0, 2, 4, ... of a then b. */
    static FloatVector even(FloatVector a, FloatVector b) {
        return EVEN.selectFrom(a, b);
    }

    /** Lanes 1, 3, 5, ... of a then b. */
    static FloatVector odd(FloatVector a, FloatVector b) {
        return ODD.selectFrom(a, b);
    }
}
