package dev.panamax.backend.cpu;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.Operand;
import dev.panamax.backend.cpu.gemm.Dgemm;
import dev.panamax.backend.cpu.gemm.Sgemm;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * 2-D convolution lowered to GEMM, for any dtype and geometry. Per image and group, the input
 * patches of a band of output rows are unfolded into a column buffer (im2col) of bounded size,
 * and one GEMM with the weights produces that band of the output; a 1×1, stride-1, unpadded
 * convolution skips the unfolding and multiplies the input in place. The backward passes are the
 * transposed products (and col2im for the input gradient). Every operand is dense NCHW (the op
 * makes it so).
 */
final class Im2colConv {
    /** Upper bound on a column buffer, in elements (4 MiB of floats). */
    private static final long COL_LIMIT = 1L << 20;

    private Im2colConv() {}

    /** Sizes of one call, read from the operands. */
    private record Geometry(int n, int c, int h, int w, int k, int r, int s, int p, int q, int groups, Conv2dSpec spec) {
        static Geometry of(Operand x, Operand w, Operand y, Conv2dSpec spec) {
            long[] xs = x.shape();
            long[] ws = w.shape();
            long[] ys = y.shape();
            return new Geometry((int) xs[0], (int) xs[1], (int) xs[2], (int) xs[3], (int) ws[0], (int) ws[2], (int) ws[3],
                    (int) ys[2], (int) ys[3], spec.groups(), spec);
        }

        int cg() {
            return c / groups;
        }

        int kg() {
            return k / groups;
        }

        /** Rows of the unfolded patch matrix: Cg·R·S. */
        int patch() {
            return cg() * r * s;
        }

        boolean pointwise() {
            return r == 1 && s == 1 && spec.strideH() == 1 && spec.strideW() == 1 && spec.padTop() == 0 && spec.padLeft() == 0
                    && p == h && q == w;
        }

        /** Output rows per band so that a column buffer stays under the limit. */
        int band() {
            return (int) Math.max(1, Math.min(p, COL_LIMIT / Math.max(1L, (long) patch() * q)));
        }
    }

    static void forward(Operand x, Operand w, Operand bias, Conv2dSpec spec, Operand y) {
        Geometry g = Geometry.of(x, w, y, spec);
        int band = g.band();
        int bands = (g.p + band - 1) / band;
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment ws = CpuBackend.segment(w);
        MemorySegment ys = CpuBackend.segment(y);
        forEachTask(g.n * g.groups * bands, (task, cols) -> {
            int n = task / (g.groups * bands);
            int grp = task / bands % g.groups;
            int p0 = task % bands * band;
            int rows = Math.min(band, g.p - p0);
            Operand xg = channels(x, n, grp * g.cg(), g.cg());
            Operand yg = channels(y, n, grp * g.kg(), g.kg());
            long yOff = yg.offset() + (long) p0 * g.q;
            long wOff = w.offset() + (long) grp * g.kg() * g.patch();
            if (g.pointwise()) {
                gemm(y.dtype(), g.kg(), rows * g.q, g.cg(), ws, wOff, g.patch(), 1,
                        xs, xg.offset() + (long) p0 * g.w, (long) g.h * g.w, 1, 0, ys, yOff, (long) g.p * g.q);
            } else {
                MemorySegment col = cols.get(y.dtype(), (long) g.patch() * rows * g.q);
                unfold(xg, g, p0, rows, col);
                gemm(y.dtype(), g.kg(), rows * g.q, g.patch(), ws, wOff, g.patch(), 1,
                        col, 0, (long) rows * g.q, 1, 0, ys, yOff, (long) g.p * g.q);
            }
        });
        if (bias != null) {
            long[] shape = y.shape();
            Operand b = bias.withLayout(shape, new long[] {0, bias.strides()[0], 0, 0}, bias.offset());
            CpuBackend.instance().binary(BinaryOp.ADD, y, b, y);
        }
    }

    static void backwardInput(Operand gy, Operand w, Conv2dSpec spec, Operand gx) {
        Geometry g = Geometry.of(gx, w, gy, spec);
        if (!g.pointwise()) {
            CpuBackend.instance().fill(gx, 0);
        }
        int band = g.band();
        int bands = (g.p + band - 1) / band;
        MemorySegment gys = CpuBackend.segment(gy);
        MemorySegment ws = CpuBackend.segment(w);
        MemorySegment gxs = CpuBackend.segment(gx);
        // bands of one image overlap in the input when the kernel is taller than the stride: keep them on one task
        forEachTask(g.n * g.groups, (task, cols) -> {
            int n = task / g.groups;
            int grp = task % g.groups;
            Operand gxg = channels(gx, n, grp * g.cg(), g.cg());
            Operand gyg = channels(gy, n, grp * g.kg(), g.kg());
            long wOff = w.offset() + (long) grp * g.kg() * g.patch();
            for (int b = 0; b < bands; b++) {
                int p0 = b * band;
                int rows = Math.min(band, g.p - p0);
                long gyOff = gyg.offset() + (long) p0 * g.q;
                if (g.pointwise()) {
                    // gx[c, pix] = sum_k w[k, c] gy[k, pix]
                    gemm(gx.dtype(), g.cg(), rows * g.q, g.kg(), ws, wOff, 1, g.patch(),
                            gys, gyOff, (long) g.p * g.q, 1, 0, gxs, gxg.offset() + (long) p0 * g.w, (long) g.h * g.w);
                } else {
                    MemorySegment col = cols.get(gx.dtype(), (long) g.patch() * rows * g.q);
                    gemm(gx.dtype(), g.patch(), rows * g.q, g.kg(), ws, wOff, 1, g.patch(),
                            gys, gyOff, (long) g.p * g.q, 1, 0, col, 0, (long) rows * g.q);
                    fold(col, g, p0, rows, gxg);
                }
            }
        });
    }

    static void backwardWeight(Operand x, Operand gy, Conv2dSpec spec, Operand gw) {
        Geometry g = Geometry.of(x, gw, gy, spec);
        int band = g.band();
        int bands = (g.p + band - 1) / band;
        // one task per group: it sums over images and bands in a fixed order, so the result is deterministic
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment gys = CpuBackend.segment(gy);
        MemorySegment gws = CpuBackend.segment(gw);
        forEachTask(g.groups, (grp, cols) -> {
            long gwOff = gw.offset() + (long) grp * g.kg() * g.patch();
            boolean first = true;
            for (int n = 0; n < g.n; n++) {
                Operand xg = channels(x, n, grp * g.cg(), g.cg());
                Operand gyg = channels(gy, n, grp * g.kg(), g.kg());
                for (int b = 0; b < bands; b++) {
                    int p0 = b * band;
                    int rows = Math.min(band, g.p - p0);
                    long gyOff = gyg.offset() + (long) p0 * g.q;
                    double beta = first ? 0 : 1;
                    if (g.pointwise()) {
                        gemm(gw.dtype(), g.kg(), g.cg(), rows * g.q, gys, gyOff, (long) g.p * g.q, 1,
                                xs, xg.offset() + (long) p0 * g.w, 1, (long) g.h * g.w, beta, gws, gwOff, g.patch());
                    } else {
                        MemorySegment col = cols.get(x.dtype(), (long) g.patch() * rows * g.q);
                        unfold(xg, g, p0, rows, col);
                        gemm(gw.dtype(), g.kg(), g.patch(), rows * g.q, gys, gyOff, (long) g.p * g.q, 1,
                                col, 0, 1, (long) rows * g.q, beta, gws, gwOff, g.patch());
                    }
                    first = false;
                }
            }
        });
    }

    /** The operand restricted to image n and channels [c0, c0 + count). */
    private static Operand channels(Operand t, int n, int c0, int count) {
        long[] shape = t.shape().clone();
        shape[0] = 1;
        shape[1] = count;
        return t.withLayout(shape, t.strides(), t.offset() + n * t.strides()[0] + c0 * t.strides()[1]);
    }

    /** im2col of output rows [p0, p0 + rows): col[(c·R + r)·S + s][(p - p0)·Q + q]. */
    private static void unfold(Operand xg, Geometry g, int p0, int rows, MemorySegment col) {
        MemorySegment xs = CpuBackend.segment(xg);
        int es = xg.dtype().byteSize();
        long[] st = xg.strides();
        Conv2dSpec sp = g.spec;
        long width = (long) rows * g.q;
        for (int c = 0; c < g.cg(); c++) {
            for (int r = 0; r < g.r; r++) {
                for (int s = 0; s < g.s; s++) {
                    long rowBase = ((long) (c * g.r + r) * g.s + s) * width;
                    for (int p = p0; p < p0 + rows; p++) {
                        long at = rowBase + (long) (p - p0) * g.q;
                        int ih = p * sp.strideH() - sp.padTop() + r * sp.dilationH();
                        if (ih < 0 || ih >= g.h) {
                            col.asSlice(at * es, (long) g.q * es).fill((byte) 0);
                            continue;
                        }
                        long src = xg.offset() + c * st[1] + ih * st[2];
                        int iw0 = -sp.padLeft() + s * sp.dilationW();
                        // q range whose input column lies inside the image
                        int qLo = clampDiv(-iw0, sp.strideW());
                        int qHi = Math.min(g.q, Math.max(qLo, floorDiv(g.w - 1 - iw0, sp.strideW()) + 1));
                        col.asSlice(at * es, (long) qLo * es).fill((byte) 0);
                        col.asSlice((at + qHi) * es, (long) (g.q - qHi) * es).fill((byte) 0);
                        if (sp.strideW() == 1 && st[3] == 1) {
                            MemorySegment.copy(xs, (src + iw0 + qLo) * es, col, (at + qLo) * es, (long) (qHi - qLo) * es);
                        } else {
                            for (int q = qLo; q < qHi; q++) {
                                Elements.copyBits(xs, src + (long) (iw0 + q * sp.strideW()) * st[3], col, at + q, es);
                            }
                        }
                    }
                }
            }
        }
    }

    /** col2im: adds col's patches back into the input-gradient image (the adjoint of unfold). */
    private static void fold(MemorySegment col, Geometry g, int p0, int rows, Operand gxg) {
        MemorySegment gs = CpuBackend.segment(gxg);
        DType t = gxg.dtype();
        long[] st = gxg.strides();
        Conv2dSpec sp = g.spec;
        long width = (long) rows * g.q;
        for (int c = 0; c < g.cg(); c++) {
            for (int r = 0; r < g.r; r++) {
                for (int s = 0; s < g.s; s++) {
                    long rowBase = ((long) (c * g.r + r) * g.s + s) * width;
                    for (int p = p0; p < p0 + rows; p++) {
                        int ih = p * sp.strideH() - sp.padTop() + r * sp.dilationH();
                        if (ih < 0 || ih >= g.h) {
                            continue;
                        }
                        long at = rowBase + (long) (p - p0) * g.q;
                        long dst = gxg.offset() + c * st[1] + ih * st[2];
                        int iw0 = -sp.padLeft() + s * sp.dilationW();
                        int qLo = clampDiv(-iw0, sp.strideW());
                        int qHi = Math.min(g.q, Math.max(qLo, floorDiv(g.w - 1 - iw0, sp.strideW()) + 1));
                        addRun(col, at + qLo, gs, dst + (long) (iw0 + qLo * sp.strideW()) * st[3], sp.strideW() * st[3], qHi - qLo, t);
                    }
                }
            }
        }
    }

    /** dst[d + j·step] += col[at + j] for j < n: one output row's run of a col2im, in float32 or float64. */
    private static void addRun(MemorySegment col, long at, MemorySegment dst, long d, long step, int n, DType t) {
        if (t == DType.FLOAT32) {
            for (int j = 0; j < n; j++) {
                long i = d + j * step;
                float sum = dst.getAtIndex(ValueLayout.JAVA_FLOAT, i) + col.getAtIndex(ValueLayout.JAVA_FLOAT, at + j);
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, i, sum);
            }
            return;
        }
        for (int j = 0; j < n; j++) {
            long i = d + j * step;
            double sum = dst.getAtIndex(ValueLayout.JAVA_DOUBLE, i) + col.getAtIndex(ValueLayout.JAVA_DOUBLE, at + j);
            dst.setAtIndex(ValueLayout.JAVA_DOUBLE, i, sum);
        }
    }

    /** Smallest q >= 0 with q·stride >= need. */
    private static int clampDiv(int need, int stride) {
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    private static int floorDiv(int a, int b) {
        return Math.floorDiv(a, b);
    }

    /** C[m×n] = alpha·A·B + beta·C with general strides for A and B, C dense along its rows. */
    private static void gemm(DType t, int m, int n, int k,
                             MemorySegment a, long aOff, long aRow, long aCol,
                             MemorySegment b, long bOff, long bRow, long bCol,
                             double beta, MemorySegment c, long cOff, long cRow) {
        if (t == DType.FLOAT32) {
            Sgemm.sgemm(m, n, k, 1f, a, aOff, aRow, aCol, b, bOff, bRow, bCol, (float) beta, c, cOff, cRow, 1);
        } else {
            Dgemm.dgemm(m, n, k, 1.0, a, aOff, aRow, aCol, b, bOff, bRow, bCol, beta, c, cOff, cRow, 1);
        }
    }

    /** Per-thread column buffers, grown on demand and reused across calls. */
    static final class ColumnBuffers {
        private static final ThreadLocal<ColumnBuffers> LOCAL = ThreadLocal.withInitial(ColumnBuffers::new);
        private float[] floats = new float[0];
        private double[] doubles = new double[0];

        MemorySegment get(DType t, long elements) {
            int n = Math.toIntExact(elements);
            if (t == DType.FLOAT32) {
                if (floats.length < n) {
                    floats = new float[n];
                }
                return MemorySegment.ofArray(floats);
            }
            if (doubles.length < n) {
                doubles = new double[n];
            }
            return MemorySegment.ofArray(doubles);
        }
    }

    private interface Task {
        void run(int task, ColumnBuffers cols);
    }

    /** Runs tasks over the pool when there are enough for every thread, else in order (the GEMMs then go parallel). */
    private static void forEachTask(int tasks, Task body) {
        if (tasks >= Parallel.threads() && tasks > 1) {
            Parallel.forChunks(tasks, t -> body.run(t, ColumnBuffers.LOCAL.get()));
        } else {
            for (int t = 0; t < tasks; t++) {
                body.run(t, ColumnBuffers.LOCAL.get());
            }
        }
    }
}
