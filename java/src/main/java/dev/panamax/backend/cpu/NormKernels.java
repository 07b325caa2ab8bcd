package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Batch normalisation and the row normalisation behind layer, instance and group norm, over a
 * dense x seen as [N, C, S]: channel c is the N runs x[n, c, 0..S). A row normalisation is the
 * same computation with N = 1 and rows as channels. Each channel is one task, so its sums are
 * taken in one fixed order (identical results on any thread count): one pass for the shifted
 * moments, one to normalise; the backward makes one pass for the two gradient sums and one
 * for the input gradient.
 */
final class NormKernels {
    /** Elements per parallel task, at least. */
    private static final long GRAIN = 32_768;

    private NormKernels() {}

    /** Dense [N, C, S] layout of an operand from its offset. */
    private record Planes(MemorySegment seg, long offset, long n, long c, long s) {
        static Planes of(Operand op) {
            long[] sh = op.shape();
            return new Planes(CpuBackend.segment(op), op.offset(), sh[0], sh[1], sh[2]);
        }

        /** Index of element (i, ch, 0). */
        long run(long i, long ch) {
            return offset + (i * c + ch) * s;
        }
    }

    @FunctionalInterface
    private interface ChannelBody {
        void run(long channel, double[] acc);
    }

    private static void forEachChannel(long channels, long perChannel, ChannelBody body) {
        Parallel.forRange(channels, Math.max(1, GRAIN / Math.max(1, perChannel)), (from, to) -> {
            double[] acc = new double[2];
            for (long ch = from; ch < to; ch++) {
                body.run(ch, acc);
            }
        });
    }

    /** Element i of a 1-D operand (any stride); {@code absent} when the operand is null. */
    private static double at(Operand p, long i, double absent) {
        return p == null ? absent : Elements.read(CpuBackend.segment(p), p.dtype(), p.offset() + i * p.strides()[0]);
    }

    private static void put(Operand p, long i, double v) {
        Elements.write(CpuBackend.segment(p), p.dtype(), p.offset() + i * p.strides()[0], v);
    }

    /** r = (1 - momentum) * r + momentum * batch, as PyTorch and cuDNN's exponential average. */
    private static void blend(Operand running, long i, double batch, double momentum) {
        put(running, i, (1 - momentum) * at(running, i, 0) + momentum * batch);
    }

    /**
     * Batch statistics per channel (biased variance), y = (x - mean) * invStd * weight + bias,
     * saved mean and invStd; the running statistics (unbiased variance) blended in place when given.
     */
    static void forwardTraining(Operand x, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                                double momentum, double eps, Operand y, Operand saveMean, Operand saveInvStd) {
        Planes xp = Planes.of(x);
        Planes yp = Planes.of(y);
        DType t = x.dtype();
        long count = xp.n * xp.s;
        forEachChannel(xp.c, count, (ch, acc) -> {
            double shift = count == 0 ? 0 : Elements.read(xp.seg, t, xp.run(0, ch));
            acc[0] = 0;
            acc[1] = 0;
            for (long i = 0; i < xp.n; i++) {
                NormRuns.moments(xp.seg, t, xp.run(i, ch), xp.s, shift, acc);
            }
            double d = acc[0] / count;
            double mean = shift + d;
            double var = Math.max(0, acc[1] / count - d * d);
            double invStd = 1 / Math.sqrt(var + eps);
            put(saveMean, ch, mean);
            put(saveInvStd, ch, invStd);
            if (runningMean != null) {
                blend(runningMean, ch, mean, momentum);
                blend(runningVar, ch, var * count / (count - 1), momentum);
            }
            double scale = at(weight, ch, 1) * invStd;
            double shiftOut = at(bias, ch, 0);
            for (long i = 0; i < xp.n; i++) {
                NormRuns.normalize(xp.seg, xp.run(i, ch), yp.seg, yp.run(i, ch), t, xp.s, mean, scale, shiftOut);
            }
        });
    }

    /** y = (x - mean) / sqrt(var + eps) * weight + bias with given (running) statistics. */
    static void forwardInference(Operand x, Operand weight, Operand bias, Operand mean, Operand var, double eps, Operand y) {
        Planes xp = Planes.of(x);
        Planes yp = Planes.of(y);
        forEachChannel(xp.c, xp.n * xp.s, (ch, acc) -> {
            double scale = at(weight, ch, 1) / Math.sqrt(at(var, ch, 0) + eps);
            double m = at(mean, ch, 0);
            double b = at(bias, ch, 0);
            for (long i = 0; i < xp.n; i++) {
                NormRuns.normalize(xp.seg, xp.run(i, ch), yp.seg, yp.run(i, ch), x.dtype(), xp.s, m, scale, b);
            }
        });
    }

    /**
     * Gradients from the saved mean and invStd. With batch statistics (training) the input
     * gradient is the fused formula
     * gx = weight * invStd * (gy - mean(gy) - xhat * mean(gy * xhat)); with constant statistics
     * it is gy * weight * invStd. gx, gWeight and gBias may each be null.
     */
    static void backward(Operand x, Operand gy, Operand weight, Operand mean, Operand invStd, boolean training,
                         Operand gx, Operand gWeight, Operand gBias) {
        Planes xp = Planes.of(x);
        Planes gp = Planes.of(gy);
        Planes gxp = gx == null ? null : Planes.of(gx);
        DType t = x.dtype();
        long count = xp.n * xp.s;
        boolean sums = training || gWeight != null || gBias != null;
        forEachChannel(xp.c, count, (ch, acc) -> {
            double mu = at(mean, ch, 0);
            double is = at(invStd, ch, 0);
            acc[0] = 0;
            acc[1] = 0;
            if (sums) {
                for (long i = 0; i < xp.n; i++) {
                    NormRuns.gradMoments(xp.seg, xp.run(i, ch), gp.seg, gp.run(i, ch), t, xp.s, mu, acc);
                }
            }
            if (gWeight != null) {
                put(gWeight, ch, acc[1] * is);
            }
            if (gBias != null) {
                put(gBias, ch, acc[0]);
            }
            if (gxp == null) {
                return;
            }
            double gScale = at(weight, ch, 1) * is;
            double xScale = training ? -gScale * is * is * acc[1] / count : 0;
            double bias = training ? -gScale * acc[0] / count : 0;
            for (long i = 0; i < xp.n; i++) {
                NormRuns.gradInput(gp.seg, gp.run(i, ch), xp.seg, xp.run(i, ch), gxp.seg, gxp.run(i, ch), t, xp.s,
                        mu, gScale, xScale, bias);
            }
        });
    }

    /** Rows of x [R, D] normalised to zero mean and unit variance; mean and invStd [R] saved. */
    static void rowNorm(Operand x, double eps, Operand y, Operand mean, Operand invStd) {
        forwardTraining(asChannels(x), null, null, null, null, 0, eps, asChannels(y), mean, invStd);
    }

    static void rowNormBackward(Operand x, Operand gy, Operand mean, Operand invStd, Operand gx) {
        backward(asChannels(x), asChannels(gy), null, mean, invStd, true, asChannels(gx), null, null);
    }

    /** A dense [R, D] operand as [1, R, D]. */
    private static Operand asChannels(Operand rows) {
        long r = rows.shape()[0];
        long d = rows.shape()[1];
        return rows.withLayout(new long[] {1, r, d}, new long[] {r * d, d, 1}, rows.offset());
    }
}
