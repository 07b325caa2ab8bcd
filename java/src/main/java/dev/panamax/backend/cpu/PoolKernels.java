package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Philox;
import dev.panamax.backend.Pool2dSpec;
import dev.panamax.backend.ReduceOp;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Pooling over dense NCHW planes, split over (n, c) planes: one plane is one task's work, so
 * results do not depend on the thread count. Float32 forwards run {@link SeparablePool}; float64
 * takes a scalar path that scans each window in row-major order, as PyTorch does.
 */
final class PoolKernels {
    /** Input elements per parallel task, at least. */
    private static final long GRAIN = 32_768;

    private PoolKernels() {}

    /** Divisors of average pooling: {@code override} when non-zero, else rows[oh]·cols[ow]. */
    record Divisors(double[] rows, double[] cols, int override) {
        double at(int oh, int ow) {
            return override != 0 ? override : rows[oh] * cols[ow];
        }
    }

    /** Sizes of a pooling call, read from the input (or input-gradient) and output operands. */
    private record Planes(long count, int h, int w, int p, int q) {
        static Planes of(Operand in, Operand out) {
            long[] xs = in.shape();
            long[] ys = out.shape();
            return new Planes(xs[0] * xs[1], (int) xs[2], (int) xs[3], (int) ys[2], (int) ys[3]);
        }

        long inPlane() {
            return (long) h * w;
        }

        long outPlane() {
            return (long) p * q;
        }

        PoolWindows rows(Pool2dSpec s) {
            return PoolWindows.regular(h, p, s.kernelH(), s.strideH(), s.padTop(), s.dilationH());
        }

        PoolWindows cols(Pool2dSpec s) {
            return PoolWindows.regular(w, q, s.kernelW(), s.strideW(), s.padLeft(), s.dilationW());
        }
    }

    @FunctionalInterface
    private interface PlaneBody {
        void run(long plane);
    }

    /** Runs body for every plane, split over the pool in tasks of at least {@link #GRAIN} elements. */
    private static void forPlanes(long planes, long work, PlaneBody body) {
        Parallel.forRange(planes, Math.max(1, GRAIN / Math.max(1, work)), (from, to) -> {
            for (long plane = from; plane < to; plane++) {
                body.run(plane);
            }
        });
    }

    static void maxPool2d(Operand x, Pool2dSpec spec, Operand y, Operand indices) {
        Planes g = Planes.of(x, y);
        forward(ReduceOp.MAX, x, g, g.rows(spec), g.cols(spec), null, y, indices);
    }

    static void adaptiveMaxPool2d(Operand x, Operand y, Operand indices) {
        Planes g = Planes.of(x, y);
        forward(ReduceOp.MAX, x, g, PoolWindows.adaptive(g.h, g.p), PoolWindows.adaptive(g.w, g.q), null, y, indices);
    }

    static void avgPool2d(Operand x, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand y) {
        Planes g = Planes.of(x, y);
        PoolWindows rows = g.rows(spec);
        PoolWindows cols = g.cols(spec);
        Divisors d = new Divisors(rows.counts(countIncludePad, spec.padTop()), cols.counts(countIncludePad, spec.padLeft()), divisorOverride);
        forward(ReduceOp.SUM, x, g, rows, cols, d, y, null);
    }

    static void adaptiveAvgPool2d(Operand x, Operand y) {
        Planes g = Planes.of(x, y);
        PoolWindows rows = PoolWindows.adaptive(g.h, g.p);
        PoolWindows cols = PoolWindows.adaptive(g.w, g.q);
        forward(ReduceOp.SUM, x, g, rows, cols, new Divisors(rows.counts(false, 0), cols.counts(false, 0), 0), y, null);
    }

    static void avgPool2dBackward(Operand gy, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand gx) {
        Planes g = Planes.of(gx, gy);
        PoolWindows rows = g.rows(spec);
        PoolWindows cols = g.cols(spec);
        Divisors d = new Divisors(rows.counts(countIncludePad, spec.padTop()), cols.counts(countIncludePad, spec.padLeft()), divisorOverride);
        sumBackward(gy, g, rows, cols, d, gx);
    }

    static void adaptiveAvgPool2dBackward(Operand gy, Operand gx) {
        Planes g = Planes.of(gx, gy);
        PoolWindows rows = PoolWindows.adaptive(g.h, g.p);
        PoolWindows cols = PoolWindows.adaptive(g.w, g.q);
        sumBackward(gy, g, rows, cols, new Divisors(rows.counts(false, 0), cols.counts(false, 0), 0), gx);
    }

    private static void forward(ReduceOp op, Operand x, Planes g, PoolWindows rows, PoolWindows cols, Divisors d, Operand y, Operand indices) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment ys = CpuBackend.segment(y);
        MemorySegment is = indices == null ? null : CpuBackend.segment(indices);
        if (x.dtype() == DType.FLOAT32 && SeparablePool.fits(g.h, g.w, cols)) {
            Parallel.forRange(g.count, Math.max(1, GRAIN / Math.max(1, g.inPlane())), (from, to) -> {
                SeparablePool pool = new SeparablePool(op, indices != null, rows, cols, d);
                for (long plane = from; plane < to; plane++) {
                    pool.plane(xs, x.offset() + plane * g.inPlane(), ys, y.offset() + plane * g.outPlane(),
                            is, indices == null ? 0 : indices.offset() + plane * g.outPlane());
                }
            });
            return;
        }
        forPlanes(g.count, g.inPlane(), plane -> {
            long xBase = x.offset() + plane * g.inPlane();
            long yBase = y.offset() + plane * g.outPlane();
            for (int oh = 0; oh < g.p; oh++) {
                for (int ow = 0; ow < g.q; ow++) {
                    double acc = op == ReduceOp.SUM ? 0 : Double.NEGATIVE_INFINITY;
                    long at = (long) rows.position(oh, rows.firstValid(oh)) * g.w + cols.position(ow, cols.firstValid(ow));
                    for (int t = rows.firstValid(oh); t < rows.endValid(oh); t++) {
                        long rowBase = (long) rows.position(oh, t) * g.w;
                        for (int u = cols.firstValid(ow); u < cols.endValid(ow); u++) {
                            long pos = rowBase + cols.position(ow, u);
                            double v = Elements.read(xs, x.dtype(), xBase + pos);
                            if (op == ReduceOp.SUM) {
                                acc += v;
                            } else if (v > acc || Double.isNaN(v)) {
                                acc = v;
                                at = pos;
                            }
                        }
                    }
                    long o = yBase + (long) oh * g.q + ow;
                    Elements.write(ys, y.dtype(), o, op == ReduceOp.SUM ? acc / d.at(oh, ow) : acc);
                    if (is != null) {
                        is.setAtIndex(ValueLayout.JAVA_LONG, indices.offset() + o - y.offset(), at);
                    }
                }
            }
        });
    }

    /**
     * The adjoint of sum pooling: per output row, the row's gradients divided by their divisors
     * are spread over the window columns into a row buffer, which is then added to each input
     * row of the window.
     */
    private static void sumBackward(Operand gy, Planes g, PoolWindows rows, PoolWindows cols, Divisors d, Operand gx) {
        MemorySegment gys = CpuBackend.segment(gy);
        MemorySegment gxs = CpuBackend.segment(gx);
        boolean f32 = gx.dtype() == DType.FLOAT32;
        int es = gx.dtype().byteSize();
        forPlanes(g.count, g.inPlane(), plane -> {
            long gxBase = gx.offset() + plane * g.inPlane();
            long gyBase = gy.offset() + plane * g.outPlane();
            gxs.asSlice(gxBase * es, g.inPlane() * es).fill((byte) 0);
            double[] row = PoolBuffers.get().doubles(g.w);
            float[] rowF = f32 ? PoolBuffers.get().floats(g.w) : null;
            for (int oh = 0; oh < g.p; oh++) {
                Arrays.fill(row, 0, g.w, 0);
                for (int ow = 0; ow < g.q; ow++) {
                    double share = Elements.read(gys, gy.dtype(), gyBase + (long) oh * g.q + ow) / d.at(oh, ow);
                    for (int u = cols.firstValid(ow); u < cols.endValid(ow); u++) {
                        row[cols.position(ow, u)] += share;
                    }
                }
                if (f32) {
                    for (int w = 0; w < g.w; w++) {
                        rowF[w] = (float) row[w];
                    }
                }
                for (int t = rows.firstValid(oh); t < rows.endValid(oh); t++) {
                    long at = gxBase + (long) rows.position(oh, t) * g.w;
                    if (f32) {
                        addFloats(rowF, gxs, at, g.w);
                    } else {
                        for (int w = 0; w < g.w; w++) {
                            gxs.setAtIndex(ValueLayout.JAVA_DOUBLE, at + w, gxs.getAtIndex(ValueLayout.JAVA_DOUBLE, at + w) + row[w]);
                        }
                    }
                }
            }
        });
    }

    /** s[at + i] += row[i] for i < n, float32. */
    private static void addFloats(float[] row, MemorySegment s, long at, int n) {
        int i = 0;
        for (; i <= n - FloatKernels.L; i += FloatKernels.L) {
            long b = 4 * (at + i);
            FloatKernels.store(FloatKernels.load(s, b).add(FloatVector.fromArray(FloatKernels.S, row, i)), s, b);
        }
        for (; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, at + i, s.getAtIndex(ValueLayout.JAVA_FLOAT, at + i) + row[i]);
        }
    }

    /** gx = 0, then gx[plane][indices[i]] += gy[i]: the backward of max and stochastic pooling. */
    static void maxPool2dBackward(Operand gy, Operand indices, Operand gx) {
        scatter(gy, indices, gx, true);
    }

    /** y = 0, then y[plane][indices[i]] = x[i]. */
    static void maxUnpool2d(Operand x, Operand indices, Operand y) {
        scatter(x, indices, y, false);
    }

    private static void scatter(Operand src, Operand indices, Operand dst, boolean accumulate) {
        Planes g = Planes.of(dst, src);
        MemorySegment ss = CpuBackend.segment(src);
        MemorySegment is = CpuBackend.segment(indices);
        MemorySegment ds = CpuBackend.segment(dst);
        DType t = dst.dtype();
        int es = t.byteSize();
        forPlanes(g.count, g.inPlane(), plane -> {
            long dBase = dst.offset() + plane * g.inPlane();
            long sBase = src.offset() + plane * g.outPlane();
            long iBase = indices.offset() + plane * g.outPlane();
            ds.asSlice(dBase * es, g.inPlane() * es).fill((byte) 0);
            if (t == DType.FLOAT32) {
                scatterFloats(ss, sBase, is, iBase, ds, dBase, g.outPlane(), accumulate);
                return;
            }
            for (long i = 0; i < g.outPlane(); i++) {
                long at = dBase + is.getAtIndex(ValueLayout.JAVA_LONG, iBase + i);
                double v = Elements.read(ss, t, sBase + i);
                Elements.write(ds, t, at, accumulate ? Elements.read(ds, t, at) + v : v);
            }
        });
    }

    /** {@link #scatter}'s plane loop for float32, without the per-element dtype dispatch (max pooling's backward). */
    private static void scatterFloats(MemorySegment ss, long sBase, MemorySegment is, long iBase, MemorySegment ds, long dBase,
                                      long n, boolean accumulate) {
        for (long i = 0; i < n; i++) {
            long at = dBase + is.getAtIndex(ValueLayout.JAVA_LONG, iBase + i);
            float v = ss.getAtIndex(ValueLayout.JAVA_FLOAT, sBase + i);
            ds.setAtIndex(ValueLayout.JAVA_FLOAT, at, accumulate ? ds.getAtIndex(ValueLayout.JAVA_FLOAT, at) + v : v);
        }
    }

    /** gx[i] = gy[plane][indices[i]]: the backward of maxUnpool2d. */
    static void maxUnpool2dBackward(Operand gy, Operand indices, Operand gx) {
        Planes g = Planes.of(gy, gx);
        MemorySegment gys = CpuBackend.segment(gy);
        MemorySegment is = CpuBackend.segment(indices);
        MemorySegment gxs = CpuBackend.segment(gx);
        int es = gx.dtype().byteSize();
        forPlanes(g.count, g.outPlane(), plane -> {
            long from = gy.offset() + plane * g.inPlane();
            long to = gx.offset() + plane * g.outPlane();
            long iBase = indices.offset() + plane * g.outPlane();
            for (long i = 0; i < g.outPlane(); i++) {
                Elements.copyBits(gys, from + is.getAtIndex(ValueLayout.JAVA_LONG, iBase + i), gxs, to + i, es);
            }
        });
    }

    /**
     * Stochastic pooling (training): window (n, c, oh, ow), the output's flat index i, draws u from
     * Philox counter {@code offset + i} and picks the first element whose running sum of the
     * window's (non-negative) values exceeds u·sum. An all-zero window picks uniformly among its
     * input elements (floor(u·count)).
     */
    static void stochasticPool2d(Operand x, Pool2dSpec spec, long seed, long offset, Operand y, Operand indices) {
        Planes g = Planes.of(x, y);
        PoolWindows rows = g.rows(spec);
        PoolWindows cols = g.cols(spec);
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment ys = CpuBackend.segment(y);
        MemorySegment is = CpuBackend.segment(indices);
        DType t = x.dtype();
        forPlanes(g.count, g.inPlane(), plane -> {
            int[] block = new int[4];
            long xBase = x.offset() + plane * g.inPlane();
            for (int oh = 0; oh < g.p; oh++) {
                for (int ow = 0; ow < g.q; ow++) {
                    long out = plane * g.outPlane() + (long) oh * g.q + ow;
                    Philox.block(seed, offset + out, block);
                    double u = Philox.uniform53(block[0], block[1]);
                    double total = 0;
                    for (int r = rows.firstValid(oh); r < rows.endValid(oh); r++) {
                        for (int c = cols.firstValid(ow); c < cols.endValid(ow); c++) {
                            total += Elements.read(xs, t, xBase + (long) rows.position(oh, r) * g.w + cols.position(ow, c));
                        }
                    }
                    long pick = total > 0 ? draw(xs, t, xBase, g.w, rows, cols, oh, ow, u * total)
                            : uniform(rows, cols, oh, ow, g.w, u);
                    Elements.copyBits(xs, xBase + pick, ys, y.offset() + out, t.byteSize());
                    is.setAtIndex(ValueLayout.JAVA_LONG, indices.offset() + out, pick);
                }
            }
        });
    }

    /** The first element whose running sum exceeds target; the last positive one if rounding leaves none. */
    private static long draw(MemorySegment xs, DType t, long base, int w, PoolWindows rows, PoolWindows cols, int oh, int ow, double target) {
        double sum = 0;
        long last = -1;
        for (int r = rows.firstValid(oh); r < rows.endValid(oh); r++) {
            for (int c = cols.firstValid(ow); c < cols.endValid(ow); c++) {
                long pos = (long) rows.position(oh, r) * w + cols.position(ow, c);
                double v = Elements.read(xs, t, base + pos);
                if (v > 0) {
                    sum += v;
                    last = pos;
                    if (sum > target) {
                        return pos;
                    }
                }
            }
        }
        return last;
    }

    private static long uniform(PoolWindows rows, PoolWindows cols, int oh, int ow, int w, double u) {
        int nc = cols.endValid(ow) - cols.firstValid(ow);
        int count = (rows.endValid(oh) - rows.firstValid(oh)) * nc;
        int k = Math.min(count - 1, (int) (u * count));
        return (long) rows.position(oh, rows.firstValid(oh) + k / nc) * w + cols.position(ow, cols.firstValid(ow) + k % nc);
    }
}
