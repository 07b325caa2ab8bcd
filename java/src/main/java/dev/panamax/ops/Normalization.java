package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * Normalisation layers' functions with PyTorch's semantics: batchNorm, layerNorm, instanceNorm,
 * groupNorm and localResponseNorm. Inputs are [N, C, *]. Batch norm runs its own fused kernels
 * (statistics, affine and backward); layer, instance and group norm share one kernel that
 * normalises the rows of a [rows, D] view, with their affine part as broadcast ops.
 */
public final class Normalization {
    /** PyTorch's defaults. */
    public static final double DEFAULT_EPS = 1e-5;
    public static final double DEFAULT_MOMENTUM = 0.1;

    private Normalization() {}

    /** {@link #batchNorm(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, double, double)} with momentum 0.1 and eps 1e-5. */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training) {
        return batchNorm(x, runningMean, runningVar, weight, bias, training, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    /**
     * Batch normalisation of x [N, C, *] per channel C. In training (or without running
     * statistics, as nn.BatchNorm with trackRunningStats = false) it normalises with the
     * batch's mean and biased variance and, when runningMean and runningVar [C] are given,
     * updates them in place: r = (1 - momentum)·r + momentum·batch, with the unbiased variance.
     * Otherwise it uses the running statistics. weight and bias [C] may be null.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return batchNorm("batchNorm", x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    private static Tensor batchNorm(String op, Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                    boolean training, double momentum, double eps) {
        Planes p = Planes.of(op, x);
        checkChannelParams(op, x, runningMean, runningVar, weight, bias);
        checkEps(op, eps);
        boolean batchStats = training || runningMean == null;
        if (batchStats && p.n * p.s <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input size " + x.shape());
        }
        Backend be = OpSupport.backend(op, x, runningMean, runningVar, weight, bias);
        Tensor xc = savedInput(x);
        Tensor out = OpSupport.empty(x, x.shape(), x.dtype());
        Tensor mean;
        Tensor invStd;
        if (batchStats) {
            mean = OpSupport.empty(x, Shape.of(p.c), x.dtype());
            invStd = OpSupport.empty(x, Shape.of(p.c), x.dtype());
            be.batchNormForwardTraining(p.of(xc), operand(weight), operand(bias), operand(runningMean), operand(runningVar),
                    momentum, eps, p.of(out), mean.operand(), invStd.operand());
        } else {
            be.batchNormForwardInference(p.of(xc), operand(weight), operand(bias), runningMean.operand(), runningVar.operand(),
                    eps, p.of(out));
            if (!Autograd.willRecord(x, weight, bias)) {
                xc.close();
                return out;
            }
            // the backward sees the statistics of this call, even if the running ones change later
            try (GradMode.Guard ignored = GradMode.noGrad(); Tensor shifted = runningVar.add(eps)) {
                mean = runningMean.contiguousCopy();
                invStd = shifted.rsqrt();
            }
        }
        Autograd.record("NativeBatchNormBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("NativeBatchNormBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = needs[0] ? OpSupport.empty(x, x.shape(), x.dtype()) : null;
                Tensor gw = needs[1] ? OpSupport.empty(weight, weight.shape(), weight.dtype()) : null;
                Tensor gb = needs[2] ? OpSupport.empty(bias, bias.shape(), bias.dtype()) : null;
                be.batchNormBackward(p.of(xc), p.of(gyc), operand(weight), mean.operand(), invStd.operand(), batchStats,
                        gx == null ? null : p.of(gx), operand(gw), operand(gb));
                return new Tensor[] {gx, gw, gb};
            }
        }, x, weight, bias);
        return OpSupport.saveForBackward(out, xc, mean, invStd);
    }

    /**
     * Layer normalisation over the trailing dims {@code normalizedShape} of x: each slice is
     * normalised to zero mean and unit (biased) variance, then scaled by weight and shifted by
     * bias (both of shape normalizedShape, or null).
     */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layerNorm";
        OpSupport.requireFloatingPoint(op, "input", x);
        int k = normalizedShape.length;
        if (k == 0) {
            throw new IllegalArgumentException(op + ": normalizedShape must have at least one dim, got []");
        }
        boolean trailing = x.rank() >= k;
        for (int i = 0; trailing && i < k; i++) {
            trailing = x.size(x.rank() - k + i) == normalizedShape[i];
        }
        String expected = Arrays.toString(normalizedShape);
        if (!trailing) {
            throw new IllegalArgumentException(op + ": given normalizedShape=" + expected + ", expected input with shape [*, "
                    + expected.substring(1) + ", but got input of size " + x.shape());
        }
        for (Tensor param : new Tensor[] {weight, bias}) {
            if (param != null && !param.shape().equals(Shape.of(normalizedShape))) {
                throw new IllegalArgumentException(op + ": expected " + (param == weight ? "weight" : "bias")
                        + " to be of the same shape as normalizedShape=" + expected + ", but got " + param.shape());
            }
            checkDtype(op, param == weight ? "weight" : "bias", param, x);
        }
        checkEps(op, eps);
        long d = Shape.of(normalizedShape).numel();
        long rows = Shape.of(Arrays.copyOf(x.shape().toArray(), x.rank() - k)).numel();
        Tensor normalized = normalizeRows("NativeLayerNormBackward", OpSupport.backend(op, x, weight, bias), x, rows, d, eps);
        return affine(normalized, weight, bias);
    }

    /**
     * Instance normalisation: each (sample, channel) plane of x [N, C, *] normalised with its
     * own statistics when {@code useInputStats} (updating runningMean and runningVar [C], if
     * given, with the statistics averaged over the batch), else with the running statistics.
     */
    public static Tensor instanceNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                      boolean useInputStats, double momentum, double eps) {
        String op = "instanceNorm";
        Planes p = Planes.of(op, x);
        checkChannelParams(op, x, runningMean, runningVar, weight, bias);
        checkEps(op, eps);
        if (!useInputStats) {
            if (runningMean == null) {
                throw new IllegalArgumentException(op + ": expected runningMean and runningVar to be defined when useInputStats is false");
            }
            return batchNorm(op, x, runningMean, runningVar, weight, bias, false, momentum, eps);
        }
        if (p.s <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 spatial element when training, got input size " + x.shape());
        }
        Backend be = OpSupport.backend(op, x, runningMean, runningVar, weight, bias);
        if (runningMean != null) {
            // as PyTorch: the mean over the batch of each instance's mean and unbiased variance
            try (GradMode.Guard ignored = GradMode.noGrad(); Tensor planes = x.reshape(p.n, p.c, p.s);
                 Tensor means = planes.mean(new int[] {2}, false); Tensor vars = planes.var(new int[] {2}, 1, false);
                 Tensor mean = means.mean(new int[] {0}, false); Tensor var = vars.mean(new int[] {0}, false)) {
                blend(runningMean, mean, momentum);
                blend(runningVar, var, momentum);
            }
        }
        Tensor normalized = normalizeRows("InstanceNormBackward", be, x, p.n * p.c, p.s, eps);
        return affineChannels(normalized, weight, bias);
    }

    /**
     * Group normalisation: the channels of x [N, C, *] split into {@code numGroups} groups of
     * consecutive channels, each (sample, group) normalised with its own statistics, then the
     * per-channel weight and bias [C] (or null) applied.
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        String op = "groupNorm";
        Planes p = Planes.of(op, x);
        if (numGroups <= 0) {
            throw new IllegalArgumentException(op + ": numGroups must be positive, got " + numGroups);
        }
        if (p.c % numGroups != 0) {
            throw new IllegalArgumentException(op + ": expected number of channels in input to be divisible by numGroups, but got input of shape "
                    + x.shape() + " and numGroups=" + numGroups);
        }
        checkChannelParams(op, x, null, null, weight, bias);
        checkEps(op, eps);
        Tensor normalized = normalizeRows("NativeGroupNormBackward", OpSupport.backend(op, x, weight, bias), x,
                p.n * numGroups, p.c / numGroups * p.s, eps);
        return affineChannels(normalized, weight, bias);
    }

    /** {@link #localResponseNorm(Tensor, int, double, double, double)} with PyTorch's alpha 1e-4, beta 0.75, k 1. */
    public static Tensor localResponseNorm(Tensor x, int size) {
        return localResponseNorm(x, size, 1e-4, 0.75, 1.0);
    }

    /**
     * Local response normalisation across channels (AlexNet's), exactly as PyTorch:
     * y = x / (k + alpha/size · sum of x² over the channels [c - size/2, c + (size-1)/2])^beta, the
     * window zero-padded at the edges, for x [N, C, *] of at least 3 dims.
     */
    public static Tensor localResponseNorm(Tensor x, int size, double alpha, double beta, double k) {
        String op = "localResponseNorm";
        if (x.rank() < 3) {
            throw new IllegalArgumentException(op + ": expected 3D or higher dimensionality input (got " + x.rank() + " dimensions)");
        }
        Planes p = Planes.of(op, x);
        if (size <= 0) {
            throw new IllegalArgumentException(op + ": size must be positive, got " + size);
        }
        Backend be = OpSupport.backend(op, x);
        Tensor xc = savedInput(x);
        Tensor out = OpSupport.empty(x, x.shape(), x.dtype());
        be.localResponseNorm(p.of(xc), size, alpha, beta, k, p.of(out));
        Autograd.record("LocalResponseNormBackward", out, (g, needs) -> {
            OpSupport.noHigherOrder("LocalResponseNormBackward");
            try (Tensor gc = g.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.localResponseNormBackward(p.of(xc), p.of(out), p.of(gc), size, alpha, beta, k, p.of(gx));
                return new Tensor[] {gx};
            }
        }, x);
        return OpSupport.saveForBackward(out, xc);
    }

    /** Rows of x seen as [rows, d], normalised by the row kernel, with its backward. */
    private static Tensor normalizeRows(String backwardName, Backend be, Tensor x, long rows, long d, double eps) {
        Tensor xc = savedInput(x);
        Tensor out = OpSupport.empty(x, x.shape(), x.dtype());
        Tensor mean = OpSupport.empty(x, Shape.of(rows), x.dtype());
        Tensor invStd = OpSupport.empty(x, Shape.of(rows), x.dtype());
        be.rowNorm(dense(xc, rows, d), eps, dense(out, rows, d), mean.operand(), invStd.operand());
        Autograd.record(backwardName, out, (g, needs) -> {
            OpSupport.noHigherOrder(backwardName);
            try (Tensor gc = g.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.rowNormBackward(dense(xc, rows, d), dense(gc, rows, d), mean.operand(), invStd.operand(), dense(gx, rows, d));
                return new Tensor[] {gx};
            }
        }, x);
        return OpSupport.saveForBackward(out, xc, mean, invStd);
    }

    /** normalized * weight + bias (either may be null), broadcast over the leading dims; closes normalized when it makes a new tensor. */
    private static Tensor affine(Tensor normalized, Tensor weight, Tensor bias) {
        Tensor y = normalized;
        if (weight != null) {
            try (Tensor previous = y) {
                y = previous.mul(weight);
            }
        }
        if (bias != null) {
            try (Tensor previous = y) {
                y = previous.add(bias);
            }
        }
        return y;
    }

    /** affine with per-channel weight and bias [C] on [N, C, *]. */
    private static Tensor affineChannels(Tensor normalized, Tensor weight, Tensor bias) {
        long[] shape = new long[normalized.rank() - 1];
        Arrays.fill(shape, 1);
        shape[0] = normalized.size(1);
        try (Tensor w = weight == null ? null : weight.reshape(shape); Tensor b = bias == null ? null : bias.reshape(shape)) {
            return affine(normalized, w, b);
        }
    }

    /** running = (1 - momentum) * running + momentum * batch, in place (outside the graph). */
    private static void blend(Tensor running, Tensor batch, double momentum) {
        running.mul_(1 - momentum);
        try (Tensor scaled = batch.mul(momentum)) {
            running.add_(scaled);
        }
    }

    /** x [N, C, *] seen as [N, C, S] with the spatial dims flattened into S. */
    private record Planes(long n, long c, long s) {
        static Planes of(String op, Tensor x) {
            if (x.rank() < 2) {
                throw new IllegalArgumentException(op + ": expected an input of at least 2 dims [N, C, *], got " + x.shape());
            }
            OpSupport.requireFloatingPoint(op, "input", x);
            long s = 1;
            for (int d = 2; d < x.rank(); d++) {
                s *= x.size(d);
            }
            return new Planes(x.size(0), x.size(1), s);
        }

        /** The operand of a contiguous tensor of x's shape as dense [N, C, S]. */
        Operand of(Tensor t) {
            return dense(t, n, c, s);
        }
    }

    /** The operand of a contiguous tensor seen with a dense shape of the same size. */
    private static Operand dense(Tensor t, long... shape) {
        Operand o = t.operand();
        return o.withLayout(shape, Shape.of(shape).contiguousStrides(), o.offset());
    }

    /**
     * x as a contiguous tensor for a fused backward to read, made outside the graph: only this
     * op's node holds it, and a recorded view would keep x alive with a node no backward frees.
     */
    private static Tensor savedInput(Tensor x) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            return x.contiguous();
        }
    }

    private static Operand operand(Tensor t) {
        return t == null ? null : t.operand();
    }

    /** Running statistics, weight and bias: each null or 1-D with one element per channel, in x's dtype. */
    private static void checkChannelParams(String op, Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias) {
        String[] names = {"runningMean", "runningVar", "weight", "bias"};
        Tensor[] params = {runningMean, runningVar, weight, bias};
        for (int i = 0; i < params.length; i++) {
            Tensor p = params[i];
            if (p != null && (p.rank() != 1 || p.size(0) != x.size(1))) {
                throw new IllegalArgumentException(op + ": " + names[i] + " should be a vector of " + x.size(1)
                        + " elements (the input's channels), got shape " + p.shape() + " for input " + x.shape());
            }
            checkDtype(op, names[i], p, x);
        }
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(op + ": runningMean and runningVar must be given together, got "
                    + (runningMean == null ? "only runningVar" : "only runningMean"));
        }
    }

    private static void checkDtype(String op, String name, Tensor p, Tensor x) {
        if (p != null && p.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " must have the input's dtype " + x.dtype().pyName()
                    + ", got " + p.describe());
        }
    }

    private static void checkEps(String op, double eps) {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and non-negative, got " + eps);
        }
    }
}
