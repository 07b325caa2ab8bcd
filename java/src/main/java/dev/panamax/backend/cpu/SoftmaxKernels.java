package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax and log-softmax along one dim, forward and backward, stable for any input range
 * (the row maximum is subtracted first). A row (the elements along the dim) is never split
 * between threads. Dense float32 rows are processed in place with vectors; any other layout or
 * dtype is gathered into a dense double row and computed in double.
 */
final class SoftmaxKernels {
    private static final long GRAIN = 32_768;

    private SoftmaxKernels() {}

    /** Visits every row: operand k's row starts at {@code starts[k]} with stride {@code strides[k]}. */
    private interface RowBody {
        void row(long[] starts);
    }

    private static void forEachRow(int dim, Operand[] ops, RowBody body) {
        long[] shape = ops[0].shape().clone();
        long n = shape[dim];
        shape[dim] = 1;
        long rows = ops[0].numel() / Math.max(1, n);
        long[][] strides = new long[ops.length][];
        long[] bases = new long[ops.length];
        for (int k = 0; k < ops.length; k++) {
            strides[k] = ops[k].strides();
            bases[k] = ops[k].offset();
        }
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, n)), (from, to) -> {
            Odometer it = new Odometer(shape, strides, bases, from);
            long[] starts = new long[ops.length];
            for (long r = from; r < to; r++) {
                for (int k = 0; k < ops.length; k++) {
                    starts[k] = it.offset(k);
                }
                body.row(starts);
                it.next();
            }
        });
    }

    private static boolean denseFloatRows(int dim, Operand... ops) {
        for (Operand op : ops) {
            if (op.dtype() != DType.FLOAT32 || (op.shape()[dim] > 1 && op.strides()[dim] != 1)) {
                return false;
            }
        }
        return true;
    }

    static void forward(Operand x, int dim, boolean log, Operand out) {
        int n = (int) x.shape()[dim];
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment ys = CpuBackend.segment(out);
        if (denseFloatRows(dim, x, out)) {
            forEachRow(dim, new Operand[] {x, out}, st -> floatRow(xs, st[0], ys, st[1], n, log));
            return;
        }
        long xStep = x.strides()[dim];
        long yStep = out.strides()[dim];
        forEachRow(dim, new Operand[] {x, out}, st -> {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Elements.read(xs, x.dtype(), st[0] + i * xStep));
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(Elements.read(xs, x.dtype(), st[0] + i * xStep) - max);
            }
            double logSum = Math.log(sum);
            for (int i = 0; i < n; i++) {
                double shifted = Elements.read(xs, x.dtype(), st[0] + i * xStep) - max;
                Elements.write(ys, out.dtype(), st[1] + i * yStep, log ? shifted - logSum : Math.exp(shifted) / sum);
            }
        });
    }

    private static void floatRow(MemorySegment xs, long xi, MemorySegment ys, long yi, int n, boolean log) {
        int l = FloatKernels.L;
        long xb = 4 * xi;
        long yb = 4 * yi;
        int whole = n - n % l;
        FloatVector vmax = FloatVector.broadcast(FloatKernels.S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < whole; i += l) {
            vmax = vmax.max(FloatKernels.load(xs, xb + 4L * i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (int i = whole; i < n; i++) {
            max = Math.max(max, xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i));
        }
        // e^(x - max) into the output row (log-softmax overwrites it below), by VectorMath's own pass
        for (int i = 0; i < whole; i += l) {
            FloatKernels.store(FloatKernels.load(xs, xb + 4L * i).sub(max), ys, yb + 4L * i);
        }
        VectorMath.exp(1, ys, yb, ys, yb, whole);
        FloatVector vsum = FloatVector.zero(FloatKernels.S);
        for (int i = 0; i < whole; i += l) {
            vsum = vsum.add(FloatKernels.load(ys, yb + 4L * i));
        }
        double sum = vsum.reduceLanes(VectorOperators.ADD);
        for (int i = whole; i < n; i++) {
            float e = (float) Math.exp(xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i) - max);
            if (!log) {
                ys.setAtIndex(ValueLayout.JAVA_FLOAT, yi + i, e);
            }
            sum += e;
        }
        if (log) {
            // (x - max) - logSum, not x - (max + logSum): rounding max + logSum to float loses up to
            // half an ulp of max (5e-4 at 1e4), while x - max is exact near the maximum
            float logSum = (float) Math.log(sum);
            for (int i = 0; i < whole; i += l) {
                FloatKernels.store(FloatKernels.load(xs, xb + 4L * i).sub(max).sub(logSum), ys, yb + 4L * i);
            }
            for (int i = whole; i < n; i++) {
                ys.setAtIndex(ValueLayout.JAVA_FLOAT, yi + i, (xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i) - max) - logSum);
            }
        } else {
            float inv = (float) (1 / sum);
            for (int i = 0; i < whole; i += l) {
                FloatKernels.store(FloatKernels.load(ys, yb + 4L * i).mul(inv), ys, yb + 4L * i);
            }
            for (int i = whole; i < n; i++) {
                ys.setAtIndex(ValueLayout.JAVA_FLOAT, yi + i, ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i) * inv);
            }
        }
    }

    /** softmax: gx = y * (g - sum(g * y)); log-softmax: gx = g - exp(y) * sum(g). */
    static void backward(Operand y, Operand g, int dim, boolean log, Operand gx) {
        int n = (int) y.shape()[dim];
        MemorySegment ys = CpuBackend.segment(y);
        MemorySegment gs = CpuBackend.segment(g);
        MemorySegment xs = CpuBackend.segment(gx);
        long yStep = y.strides()[dim];
        long gStep = g.strides()[dim];
        long xStep = gx.strides()[dim];
        forEachRow(dim, new Operand[] {y, g, gx}, st -> {
            double dot = 0;
            for (int i = 0; i < n; i++) {
                double gi = Elements.read(gs, g.dtype(), st[1] + i * gStep);
                dot += log ? gi : gi * Elements.read(ys, y.dtype(), st[0] + i * yStep);
            }
            for (int i = 0; i < n; i++) {
                double yi = Elements.read(ys, y.dtype(), st[0] + i * yStep);
                double gi = Elements.read(gs, g.dtype(), st[1] + i * gStep);
                double v = log ? gi - Math.exp(yi) * dot : yi * (gi - dot);
                Elements.write(xs, gx.dtype(), st[2] + i * xStep, v);
            }
        });
    }
}
