package dev.panamax.backend.cpu;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The inner loops of the normalisation kernels: one dense run of a channel (or row) of
 * {@code n} elements starting at element {@code index}. Float32 runs whole vectors; the rest
 * (a float32 tail, every float64 element) takes the scalar double path. Where a run starts
 * and ends depends only on the shape, so the results do not depend on the thread count.
 */
final class NormRuns {
    /** Elements a float lane sum covers before it is added into a double (bounds float rounding). */
    private static final int FLUSH = 1024;

    private NormRuns() {}

    private static boolean vectorised(DType t) {
        return t == DType.FLOAT32;
    }

    /**
     * The lanes added in lane order, in double. Not reduceLanes: it may associate differently
     * when compiled than when interpreted, and the bits must not depend on which ran.
     */
    private static double sumLanes(FloatVector v) {
        double s = 0;
        for (int l = 0; l < FloatKernels.L; l++) {
            s += v.lane(l);
        }
        return s;
    }

    /** acc[0] += sum of (x - shift), acc[1] += sum of (x - shift)^2: moments shifted by a sample, which keeps E[d^2] - E[d]^2 from cancelling. */
    static void moments(MemorySegment xs, DType t, long index, long n, double shift, double[] acc) {
        long i = 0;
        if (vectorised(t)) {
            long whole = n - n % FloatKernels.L;
            FloatVector k = FloatVector.broadcast(FloatKernels.S, (float) shift);
            while (i < whole) {
                long end = Math.min(whole, i + FLUSH);
                FloatVector sum = FloatVector.zero(FloatKernels.S);
                FloatVector squares = FloatVector.zero(FloatKernels.S);
                for (; i < end; i += FloatKernels.L) {
                    FloatVector d = FloatKernels.load(xs, 4 * (index + i)).sub(k);
                    sum = sum.add(d);
                    squares = d.fma(d, squares);
                }
                acc[0] += sumLanes(sum);
                acc[1] += sumLanes(squares);
            }
        }
        for (; i < n; i++) {
            double d = Elements.read(xs, t, index + i) - shift;
            acc[0] += d;
            acc[1] += d * d;
        }
    }

    /** y = (x - mean) * scale + bias. */
    static void normalize(MemorySegment xs, long xi, MemorySegment ys, long yi, DType t, long n,
                          double mean, double scale, double bias) {
        long i = 0;
        if (vectorised(t)) {
            long whole = n - n % FloatKernels.L;
            FloatVector m = FloatVector.broadcast(FloatKernels.S, (float) mean);
            FloatVector a = FloatVector.broadcast(FloatKernels.S, (float) scale);
            FloatVector b = FloatVector.broadcast(FloatKernels.S, (float) bias);
            for (; i < whole; i += FloatKernels.L) {
                FloatKernels.store(FloatKernels.load(xs, 4 * (xi + i)).sub(m).fma(a, b), ys, 4 * (yi + i));
            }
        }
        for (; i < n; i++) {
            Elements.write(ys, t, yi + i, (Elements.read(xs, t, xi + i) - mean) * scale + bias);
        }
    }

    /** acc[0] += sum of g, acc[1] += sum of g * (x - mean). */
    static void gradMoments(MemorySegment xs, long xi, MemorySegment gs, long gi, DType t, long n, double mean, double[] acc) {
        long i = 0;
        if (vectorised(t)) {
            long whole = n - n % FloatKernels.L;
            FloatVector m = FloatVector.broadcast(FloatKernels.S, (float) mean);
            while (i < whole) {
                long end = Math.min(whole, i + FLUSH);
                FloatVector sum = FloatVector.zero(FloatKernels.S);
                FloatVector dot = FloatVector.zero(FloatKernels.S);
                for (; i < end; i += FloatKernels.L) {
                    FloatVector g = FloatKernels.load(gs, 4 * (gi + i));
                    sum = sum.add(g);
                    dot = FloatKernels.load(xs, 4 * (xi + i)).sub(m).fma(g, dot);
                }
                acc[0] += sumLanes(sum);
                acc[1] += sumLanes(dot);
            }
        }
        for (; i < n; i++) {
            double g = Elements.read(gs, t, gi + i);
            acc[0] += g;
            acc[1] += g * (Elements.read(xs, t, xi + i) - mean);
        }
    }

    /** gx = gScale * g + xScale * (x - mean) + bias: the input gradient of a normalisation, given its per-channel sums. */
    static void gradInput(MemorySegment gs, long gi, MemorySegment xs, long xi, MemorySegment gxs, long gxi, DType t, long n,
                          double mean, double gScale, double xScale, double bias) {
        long i = 0;
        if (vectorised(t)) {
            long whole = n - n % FloatKernels.L;
            FloatVector m = FloatVector.broadcast(FloatKernels.S, (float) mean);
            FloatVector a = FloatVector.broadcast(FloatKernels.S, (float) gScale);
            FloatVector b = FloatVector.broadcast(FloatKernels.S, (float) xScale);
            FloatVector c = FloatVector.broadcast(FloatKernels.S, (float) bias);
            for (; i < whole; i += FloatKernels.L) {
                FloatVector centred = FloatKernels.load(xs, 4 * (xi + i)).sub(m);
                FloatVector g = FloatKernels.load(gs, 4 * (gi + i));
                FloatKernels.store(g.fma(a, centred.fma(b, c)), gxs, 4 * (gxi + i));
            }
        }
        for (; i < n; i++) {
            double centred = Elements.read(xs, t, xi + i) - mean;
            Elements.write(gxs, t, gxi + i, Elements.read(gs, t, gi + i) * gScale + centred * xScale + bias);
        }
    }
}
