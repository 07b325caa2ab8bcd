package dev.panamax.backend.cpu;

import dev.panamax.backend.ReduceOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 max and sum pooling of dense planes in two vector passes per output row. The vertical
 * pass reduces the window's input rows column by column into a row buffer (dense loads); the
 * horizontal pass reduces each window's columns of that buffer. With a fixed stride between
 * windows it computes L outputs at once, loading lanes {@code stride} apart (plain loads for 1,
 * a de-interleaved pair for 2, gathers otherwise); adaptive windows take a scalar horizontal pass.
 * The buffer's margins hold the identity, so windows reaching into the padding need no bounds
 * checks.
 *
 * <p>MAX tracks the flat index h·W + w of each maximum when asked (in float lanes beside the
 * values, exact below 2^24, so one mask moves both). Of tied maxima the one with
 * the smallest index wins, and of NaNs the one with the largest, as PyTorch's row-major scan
 * ({@code val > max || isnan(val)}) decides.
 */
final class SeparablePool {
    private static final VectorSpecies<Float> FS = FloatKernels.S;
    private static final VectorSpecies<Long> LS = VectorSpecies.of(long.class, FS.vectorShape());
    private static final int L = FS.length();
    private static final int HALF = LS.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final FloatVector IOTA = FloatVector.zero(FS).addIndex(1);
    /** Index of a padding cell: it loses every tie against an input element. */
    private static final float PAD_INDEX = Float.MAX_VALUE;
    /** Indices ride in float lanes beside the values (one mask serves both); floats hold integers exactly below 2^24. */
    private static final int EXACT = 1 << 24;

    private final ReduceOp op;
    private final boolean track;
    private final PoolWindows rows;
    private final PoolWindows cols;
    private final PoolKernels.Divisors divisors;
    private final int width;
    private final int lead;
    private final float[] vals;
    private final float[] idx;
    private final float[] div;
    private final int[] gather;

    /** A pass over planes of one geometry on this thread's buffers; {@code op} is MAX or SUM. */
    SeparablePool(ReduceOp op, boolean track, PoolWindows rows, PoolWindows cols, PoolKernels.Divisors divisors) {
        this.op = op;
        this.track = track;
        this.rows = rows;
        this.cols = cols;
        this.divisors = divisors;
        this.width = cols.in;
        this.lead = cols.lead();
        int reach = cols.stride > 0
                ? cols.first[0] + roundUp(cols.out) * cols.stride + (cols.taps[0] - 1) * cols.step + L
                : width;
        int len = lead + Math.max(roundUp(width), reach) + 1; // whole vectors of the vertical pass fit
        PoolBuffers buffers = PoolBuffers.get();
        vals = buffers.floats(len);
        float identity = op == ReduceOp.SUM ? 0f : Float.NEGATIVE_INFINITY;
        Arrays.fill(vals, 0, lead, identity);
        Arrays.fill(vals, lead + width, len, identity);
        idx = track ? buffers.indices(len) : null;
        if (track) {
            Arrays.fill(idx, 0, lead, PAD_INDEX);
            Arrays.fill(idx, lead + width, len, PAD_INDEX);
        }
        div = op == ReduceOp.SUM ? buffers.divisors(roundUp(cols.out)) : null;
        gather = new int[L];
        for (int i = 0; i < L; i++) {
            gather[i] = i * Math.max(1, cols.stride);
        }
    }

    /** True when the kernel can run on planes of this size (flat indices are exact in float lanes). */
    static boolean fits(long height, long width, PoolWindows cols) {
        return height * width < EXACT - cols.lead() - 4L * L;
    }

    private static int roundUp(int n) {
        return (n + L - 1) / L * L;
    }

    /** Pools one plane: x from element {@code xPlane}, y from {@code yPlane}, indices (INT64, may be null) from {@code iPlane}. */
    void plane(MemorySegment xs, long xPlane, MemorySegment ys, long yPlane, MemorySegment is, long iPlane) {
        int q = cols.out;
        for (int oh = 0; oh < rows.out; oh++) {
            if (track) {
                verticalArgmax(xs, xPlane, oh);
            } else {
                vertical(xs, xPlane, oh);
            }
            if (div != null) {
                for (int j = 0; j < roundUp(q); j++) {
                    div[j] = j < q ? (float) divisors.at(oh, j) : 1f;
                }
            }
            long row = (long) oh * q;
            if (cols.stride == 0) {
                horizontalScalar(ys, yPlane + row, is, iPlane + row);
            } else if (track) {
                horizontalArgmax(ys, yPlane + row, is, iPlane + row);
            } else {
                horizontal(ys, yPlane + row);
            }
        }
    }

    // The vector passes come in two kinds, with and without indices: C2 compiles a loop that
    // carries an index vector on only some calls with every vector boxed on the heap.

    /**
     * vals[lead + w] = the reduction over the input rows of window oh, a vector of columns at a
     * time (the last one masked, so narrow planes such as LeNet's 28 or 10 columns stay vectorised).
     */
    private void vertical(MemorySegment xs, long plane, int oh) {
        int t0 = rows.firstValid(oh);
        int t1 = rows.endValid(oh);
        long first = plane + (long) rows.position(oh, t0) * width;
        for (int w = 0; w < width; w += L) {
            VectorMask<Float> in = FS.indexInRange(w, width);
            FloatVector b = FloatVector.fromMemorySegment(FS, xs, 4 * (first + w), NATIVE, in);
            for (int t = t0 + 1; t < t1; t++) {
                FloatVector c = FloatVector.fromMemorySegment(FS, xs, 4 * (plane + (long) rows.position(oh, t) * width + w), NATIVE, in);
                b = op == ReduceOp.SUM ? b.add(c) : b.blend(c, takes(c, b));
            }
            b.intoArray(vals, lead + w, in);
        }
    }

    /** {@link #vertical} for MAX with the index of each maximum in idx. */
    private void verticalArgmax(MemorySegment xs, long plane, int oh) {
        int t0 = rows.firstValid(oh);
        int t1 = rows.endValid(oh);
        int r0 = rows.position(oh, t0);
        for (int w = 0; w < width; w += L) {
            VectorMask<Float> in = FS.indexInRange(w, width);
            FloatVector b = FloatVector.fromMemorySegment(FS, xs, 4 * (plane + (long) r0 * width + w), NATIVE, in);
            FloatVector bi = IOTA.add(r0 * width + w);
            for (int t = t0 + 1; t < t1; t++) {
                int r = rows.position(oh, t);
                FloatVector c = FloatVector.fromMemorySegment(FS, xs, 4 * (plane + (long) r * width + w), NATIVE, in);
                FloatVector ci = IOTA.add(r * width + w);
                VectorMask<Float> m = takes(c, ci, b, bi);
                b = b.blend(c, m);
                bi = bi.blend(ci, m);
            }
            b.intoArray(vals, lead + w, in);
            bi.intoArray(idx, lead + w, in);
        }
    }

    /** Windows a fixed stride apart, L outputs per step: y[yRow + j] for j < Q. */
    private void horizontal(MemorySegment ys, long yRow) {
        int q = cols.out;
        int s = cols.stride;
        int start = lead + cols.first[0];
        for (int j = 0; j < q; j += L) {
            int base = start + j * s;
            FloatVector b = strided(vals, base, s);
            for (int t = 1; t < cols.taps[0]; t++) {
                FloatVector c = strided(vals, base + t * cols.step, s);
                b = op == ReduceOp.SUM ? b.add(c) : b.blend(c, takes(c, b));
            }
            if (div != null) {
                b = b.div(FloatVector.fromArray(FS, div, j));
            }
            b.intoMemorySegment(ys, 4 * (yRow + j), NATIVE, FS.indexInRange(j, q));
        }
    }

    /** {@link #horizontal} for MAX with indices (INT64) from iRow. */
    private void horizontalArgmax(MemorySegment ys, long yRow, MemorySegment is, long iRow) {
        int q = cols.out;
        int s = cols.stride;
        int start = lead + cols.first[0];
        for (int j = 0; j < q; j += L) {
            int base = start + j * s;
            FloatVector b = strided(vals, base, s);
            FloatVector bi = strided(idx, base, s);
            for (int t = 1; t < cols.taps[0]; t++) {
                FloatVector c = strided(vals, base + t * cols.step, s);
                FloatVector ci = strided(idx, base + t * cols.step, s);
                VectorMask<Float> m = takes(c, ci, b, bi);
                b = b.blend(c, m);
                bi = bi.blend(ci, m);
            }
            b.intoMemorySegment(ys, 4 * (yRow + j), NATIVE, FS.indexInRange(j, q));
            IntVector ints = (IntVector) bi.convert(VectorOperators.F2I, 0);
            for (int part = 0; part < L / HALF && j + part * HALF < q; part++) {
                ((LongVector) ints.convertShape(VectorOperators.I2L, LS, part))
                        .intoMemorySegment(is, 8 * (iRow + j + part * HALF), NATIVE, LS.indexInRange(j + part * HALF, q));
            }
        }
    }

    /** Windows of varying start and size (adaptive pooling), one output at a time. */
    private void horizontalScalar(MemorySegment ys, long yRow, MemorySegment is, long iRow) {
        for (int j = 0; j < cols.out; j++) {
            int p0 = lead + cols.first[j];
            float b = vals[p0];
            float bi = track ? idx[p0] : 0;
            for (int t = 1; t < cols.taps[j]; t++) {
                int p = p0 + t * cols.step;
                float ci = track ? idx[p] : 0;
                if (op == ReduceOp.SUM) {
                    b += vals[p];
                } else if (takes(vals[p], ci, b, bi)) {
                    b = vals[p];
                    bi = ci;
                }
            }
            if (div != null) {
                b /= div[j];
            }
            ys.setAtIndex(ValueLayout.JAVA_FLOAT, yRow + j, b);
            if (track) {
                is.setAtIndex(ValueLayout.JAVA_LONG, iRow + j, (long) bi);
            }
        }
    }

    /** Lanes base, base + s, ..., base + (L-1)·s of a. */
    private FloatVector strided(float[] a, int base, int s) {
        return switch (s) {
            case 1 -> FloatVector.fromArray(FS, a, base);
            case 2 -> Deinterleave.even(FloatVector.fromArray(FS, a, base), FloatVector.fromArray(FS, a, base + L));
            default -> FloatVector.fromArray(FS, a, base, gather, 0);
        };
    }

    /** Whether candidate c (at index ci) replaces the running maximum b (at bi); see the class comment. */
    static boolean takes(float c, float ci, float b, float bi) {
        if (c != c) {
            return b == b || ci > bi;
        }
        return c > b || (c == b && ci < bi);
    }

    /**
     * The same rule over lanes. NaN tests are written as x != x: the IS_NAN test is not
     * intrinsified on every platform and then costs several times the whole loop.
     */
    private static VectorMask<Float> takes(FloatVector c, FloatVector ci, FloatVector b, FloatVector bi) {
        VectorMask<Float> greater = c.compare(VectorOperators.GT, b);
        VectorMask<Float> tie = c.compare(VectorOperators.EQ, b).and(ci.compare(VectorOperators.LT, bi));
        VectorMask<Float> nan = c.compare(VectorOperators.NE, c).and(b.compare(VectorOperators.EQ, b).or(ci.compare(VectorOperators.GT, bi)));
        return greater.or(tie).or(nan);
    }

    /** The rule without indices (values only): greater, or NaN. */
    private static VectorMask<Float> takes(FloatVector c, FloatVector b) {
        return c.compare(VectorOperators.GT, b).or(c.compare(VectorOperators.NE, c));
    }
}
