package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import dev.panamax.backend.RoiAlignPlan;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * RoI max pooling and RoI Align with torchvision's CPU semantics. x is dense [N, C, H, W], boxes
 * dense [K, 5] (batch index, x1, y1, x2, y2) in x's dtype, outputs [K, C, PH, PW]. Forwards run
 * over (box, block of channels), backwards over (image, block of channels) visiting that image's
 * boxes in order, so no two tasks write the same element and results do not depend on the thread
 * count. Box geometry is rounded to x's precision step by step, as torchvision computes it in the
 * element type, so bin edges and sample counts match its decisions in float32 too. RoI Align
 * computes every box's bilinear samples once per call, for its forward and its backward
 * ({@link AlignPlan}); float32 then runs the vector kernels of {@link RoiAlignFloat}, other dtypes
 * the element-generic loops here.
 */
final class RoiKernels {
    private static final int CHANNEL_BLOCK = 16;
    private static final long GRAIN = 16_384;

    private RoiKernels() {}

    /** Sizes of a call: x (or its gradient) [n, c, h, w], output [k, c, ph, pw]. */
    private record Sizes(int n, int c, int h, int w, int k, int ph, int pw) {
        static Sizes of(Operand x, Operand y) {
            long[] xs = x.shape();
            long[] ys = y.shape();
            return new Sizes((int) xs[0], (int) xs[1], (int) xs[2], (int) xs[3], (int) ys[0], (int) ys[2], (int) ys[3]);
        }

        int blocks() {
            return (c + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK;
        }

        long plane() {
            return (long) h * w;
        }

        long bins() {
            return (long) ph * pw;
        }
    }

    /** Rounds to the working precision: float32 boxes are computed in float, as torchvision does. */
    private static double t(boolean f32, double v) {
        return f32 ? (float) v : v;
    }

    private static double coord(Operand boxes, MemorySegment bs, int k, int i) {
        return Elements.read(bs, boxes.dtype(), boxes.offset() + 5L * k + i);
    }

    /** Boxes of each image, in box order. */
    private static int[][] boxesByImage(Operand boxes, int images) {
        MemorySegment bs = CpuBackend.segment(boxes);
        List<List<Integer>> lists = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            lists.add(new ArrayList<>());
        }
        for (int k = 0; k < boxes.shape()[0]; k++) {
            lists.get((int) coord(boxes, bs, k, 0)).add(k);
        }
        return lists.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(int outer, int c0, int c1);
    }

    /** Runs body over (outer, channel block) units in parallel. */
    private static void forBlocks(int outer, Sizes s, long workPerChannel, BlockBody body) {
        long units = (long) outer * s.blocks();
        Parallel.forRange(units, Math.max(1, GRAIN / Math.max(1, workPerChannel * CHANNEL_BLOCK)), (from, to) -> {
            for (long u = from; u < to; u++) {
                int o = (int) (u / s.blocks());
                int c0 = (int) (u % s.blocks()) * CHANNEL_BLOCK;
                body.run(o, c0, Math.min(s.c, c0 + CHANNEL_BLOCK));
            }
        });
    }

    /** C's round(): halves away from zero. */
    private static int roundHalfAway(double v) {
        return (int) (v < 0 ? -Math.round(-v) : Math.round(v));
    }

    // ---------------------------------------------------------------- RoI pooling

    /** Max over each bin of the box (rounded to whole cells); empty bins give 0 and argmax -1. */
    static void roiPool(Operand x, Operand boxes, double spatialScale, Operand y, Operand argmax) {
        Sizes s = Sizes.of(x, y);
        boolean f32 = x.dtype() == DType.FLOAT32;
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment bs = CpuBackend.segment(boxes);
        MemorySegment ys = CpuBackend.segment(y);
        MemorySegment as = CpuBackend.segment(argmax);
        double scale = t(f32, spatialScale);
        forBlocks(s.k, s, s.bins() * 4, (k, c0, c1) -> {
            int image = (int) coord(boxes, bs, k, 0);
            int startW = roundHalfAway(t(f32, coord(boxes, bs, k, 1) * scale));
            int startH = roundHalfAway(t(f32, coord(boxes, bs, k, 2) * scale));
            int endW = roundHalfAway(t(f32, coord(boxes, bs, k, 3) * scale));
            int endH = roundHalfAway(t(f32, coord(boxes, bs, k, 4) * scale));
            double binH = t(f32, (double) Math.max(endH - startH + 1, 1) / s.ph);
            double binW = t(f32, (double) Math.max(endW - startW + 1, 1) / s.pw);
            for (int ph = 0; ph < s.ph; ph++) {
                int h0 = clamp((int) Math.floor(t(f32, ph * binH)) + startH, s.h);
                int h1 = clamp((int) Math.ceil(t(f32, (ph + 1) * binH)) + startH, s.h);
                for (int pw = 0; pw < s.pw; pw++) {
                    int w0 = clamp((int) Math.floor(t(f32, pw * binW)) + startW, s.w);
                    int w1 = clamp((int) Math.ceil(t(f32, (pw + 1) * binW)) + startW, s.w);
                    boolean empty = h1 <= h0 || w1 <= w0;
                    for (int c = c0; c < c1; c++) {
                        long plane = x.offset() + ((long) image * s.c + c) * s.plane();
                        double max = empty ? 0 : -Float.MAX_VALUE;
                        long at = -1;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                double v = Elements.read(xs, x.dtype(), plane + (long) h * s.w + w);
                                if (v > max) {
                                    max = v;
                                    at = (long) h * s.w + w;
                                }
                            }
                        }
                        long o = (((long) k * s.c + c) * s.ph + ph) * s.pw + pw;
                        Elements.write(ys, y.dtype(), y.offset() + o, max);
                        as.setAtIndex(ValueLayout.JAVA_LONG, argmax.offset() + o, at);
                    }
                }
            }
        });
    }

    private static int clamp(int v, int size) {
        return Math.min(Math.max(v, 0), size);
    }

    /** gx = 0, then each bin's gradient goes to its argmax in the box's image (none for empty bins). */
    static void roiPoolBackward(Operand gy, Operand boxes, Operand argmax, Operand gx) {
        Sizes s = Sizes.of(gx, gy);
        int[][] byImage = boxesByImage(boxes, s.n);
        MemorySegment gys = CpuBackend.segment(gy);
        MemorySegment as = CpuBackend.segment(argmax);
        MemorySegment gxs = CpuBackend.segment(gx);
        DType t = gx.dtype();
        forBlocks(s.n, s, s.plane(), (n, c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                long plane = gx.offset() + ((long) n * s.c + c) * s.plane();
                gxs.asSlice(plane * t.byteSize(), s.plane() * t.byteSize()).fill((byte) 0);
                for (int k : byImage[n]) {
                    long bins = ((long) k * s.c + c) * s.bins();
                    for (long b = 0; b < s.bins(); b++) {
                        long at = as.getAtIndex(ValueLayout.JAVA_LONG, argmax.offset() + bins + b);
                        if (at >= 0) {
                            double g = Elements.read(gys, gy.dtype(), gy.offset() + bins + b);
                            Elements.write(gxs, t, plane + at, Elements.read(gxs, t, plane + at) + g);
                        }
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- RoI Align

    /**
     * The bilinear samples of every box, computed once per call, for its forward and its backward,
     * and shared by all channels (torchvision's pre_calc): for box k, bin b and sample j, four cell
     * positions and weights at {@code start[k] + b * per[k] + 4j}. A point more than one cell outside
     * the map has position -1 and weight 0. Geometry is rounded to the boxes' precision (x's) step
     * by step, as torchvision computes it.
     */
    static final class AlignPlan implements RoiAlignPlan {
        final int[] image;
        final int[] start;
        final int[] per;
        final double[] count;
        final int[] pos;
        final double[] weight;
        /** Boxes of each image, in box order. */
        final int[][] byImage;
        private final double[] geometry;
        private final int[] grid;
        private final Operand boxes;
        private final double spatialScale;
        private final int samplingRatio;
        private final boolean aligned;

        AlignPlan(Operand boxes, long[] inputShape, int outH, int outW, double spatialScale, int samplingRatio, boolean aligned) {
            this.boxes = boxes;
            this.spatialScale = spatialScale;
            this.samplingRatio = samplingRatio;
            this.aligned = aligned;
            boolean f32 = boxes.dtype() == DType.FLOAT32;
            Sizes s = new Sizes((int) inputShape[0], (int) inputShape[1], (int) inputShape[2], (int) inputShape[3], (int) boxes.shape()[0],
                    outH, outW);
            MemorySegment bs = CpuBackend.segment(boxes);
            image = new int[s.k];
            start = new int[s.k];
            per = new int[s.k];
            count = new double[s.k];
            geometry = new double[4 * s.k];
            grid = new int[2 * s.k];
            double scale = t(f32, spatialScale);
            double offset = aligned ? 0.5 : 0;
            long total = 0;
            for (int k = 0; k < s.k; k++) {
                image[k] = (int) coord(boxes, bs, k, 0);
                double startW = t(f32, t(f32, coord(boxes, bs, k, 1) * scale) - offset);
                double startH = t(f32, t(f32, coord(boxes, bs, k, 2) * scale) - offset);
                double endW = t(f32, t(f32, coord(boxes, bs, k, 3) * scale) - offset);
                double endH = t(f32, t(f32, coord(boxes, bs, k, 4) * scale) - offset);
                double roiW = t(f32, endW - startW);
                double roiH = t(f32, endH - startH);
                if (!aligned) {
                    // torchvision forces malformed boxes to 1x1
                    roiW = Math.max(roiW, 1);
                    roiH = Math.max(roiH, 1);
                }
                int gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(t(f32, roiH / s.ph));
                int gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(t(f32, roiW / s.pw));
                geometry[4 * k] = startH;
                geometry[4 * k + 1] = startW;
                geometry[4 * k + 2] = t(f32, roiH / s.ph);
                geometry[4 * k + 3] = t(f32, roiW / s.pw);
                grid[2 * k] = gridH;
                grid[2 * k + 1] = gridW;
                count[k] = Math.max(gridH * gridW, 1);
                per[k] = 4 * Math.max(gridH, 0) * Math.max(gridW, 0);
                start[k] = Math.toIntExact(total);
                total += per[k] * s.bins();
            }
            pos = new int[Math.toIntExact(total)];
            weight = new double[pos.length];
            Parallel.forRange(s.k, Math.max(1, GRAIN / Math.max(1, s.bins() * 16)), (from, to) -> {
                for (int k = (int) from; k < to; k++) {
                    fill(f32, k, s);
                }
            });
            byImage = byImage(s.n);
        }

        @Override
        public Operand boxes() {
            return boxes;
        }

        @Override
        public double spatialScale() {
            return spatialScale;
        }

        @Override
        public int samplingRatio() {
            return samplingRatio;
        }

        @Override
        public boolean aligned() {
            return aligned;
        }

        private void fill(boolean f32, int k, Sizes s) {
            double startH = geometry[4 * k];
            double startW = geometry[4 * k + 1];
            double binH = geometry[4 * k + 2];
            double binW = geometry[4 * k + 3];
            int gridH = grid[2 * k];
            int gridW = grid[2 * k + 1];
            int i = start[k];
            for (int ph = 0; ph < s.ph; ph++) {
                for (int pw = 0; pw < s.pw; pw++) {
                    for (int iy = 0; iy < gridH; iy++) {
                        double yy = t(f32, t(f32, startH + t(f32, ph * binH)) + t(f32, t(f32, (iy + 0.5) * binH) / gridH));
                        for (int ix = 0; ix < gridW; ix++) {
                            double xx = t(f32, t(f32, startW + t(f32, pw * binW)) + t(f32, t(f32, (ix + 0.5) * binW) / gridW));
                            bilinear(f32, yy, xx, s.h, s.w, i);
                            i += 4;
                        }
                    }
                }
            }
        }

        private void bilinear(boolean f32, double y, double x, int h, int w, int i) {
            if (!(y >= -1.0 && y <= h && x >= -1.0 && x <= w)) {
                for (int j = 0; j < 4; j++) {
                    pos[i + j] = -1;
                    weight[i + j] = 0;
                }
                return;
            }
            y = Math.max(y, 0);
            x = Math.max(x, 0);
            int yLow = (int) y;
            int xLow = (int) x;
            int yHigh = yLow + 1;
            int xHigh = xLow + 1;
            if (yLow >= h - 1) {
                yHigh = yLow = h - 1;
                y = yLow;
            }
            if (xLow >= w - 1) {
                xHigh = xLow = w - 1;
                x = xLow;
            }
            double ly = t(f32, y - yLow);
            double lx = t(f32, x - xLow);
            double hy = t(f32, 1 - ly);
            double hx = t(f32, 1 - lx);
            pos[i] = yLow * w + xLow;
            pos[i + 1] = yLow * w + xHigh;
            pos[i + 2] = yHigh * w + xLow;
            pos[i + 3] = yHigh * w + xHigh;
            weight[i] = t(f32, hy * hx);
            weight[i + 1] = t(f32, hy * lx);
            weight[i + 2] = t(f32, ly * hx);
            weight[i + 3] = t(f32, ly * lx);
        }

        private int[][] byImage(int images) {
            int[] sizes = new int[images];
            for (int n : image) {
                sizes[n]++;
            }
            int[][] lists = new int[images][];
            for (int n = 0; n < images; n++) {
                lists[n] = new int[sizes[n]];
                sizes[n] = 0;
            }
            for (int k = 0; k < image.length; k++) {
                lists[image[k]][sizes[image[k]]++] = k;
            }
            return lists;
        }
    }

    /** Average of each bin's bilinear samples; a box with no samples gives 0. The plan is CpuBackend.prepareRoiAlign's. */
    static void roiAlign(Operand x, RoiAlignPlan plan, Operand y) {
        Sizes s = Sizes.of(x, y);
        AlignPlan p = (AlignPlan) plan;
        if (x.dtype() == DType.FLOAT32) {
            RoiAlignFloat.forward(x, p, y);
            return;
        }
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment ys = CpuBackend.segment(y);
        forBlocks(s.k, s, s.bins() * 16, (k, c0, c1) -> {
            int per = p.per[k];
            for (int c = c0; c < c1; c++) {
                long plane = x.offset() + ((long) p.image[k] * s.c + c) * s.plane();
                long out = y.offset() + ((long) k * s.c + c) * s.bins();
                for (int b = 0; b < s.bins(); b++) {
                    double acc = 0;
                    for (int i = p.start[k] + b * per; i < p.start[k] + (b + 1) * per; i++) {
                        // empty samples read cell 0 with weight 0, as torchvision's do
                        acc += p.weight[i] * Elements.read(xs, x.dtype(), plane + Math.max(p.pos[i], 0));
                    }
                    Elements.write(ys, y.dtype(), out + b, acc / p.count[k]);
                }
            }
        });
    }

    /** gx = 0, then each bin's gradient / count is spread over its samples' four cells by their weights. */
    static void roiAlignBackward(Operand gy, RoiAlignPlan plan, Operand gx) {
        Sizes s = Sizes.of(gx, gy);
        AlignPlan p = (AlignPlan) plan;
        if (gx.dtype() == DType.FLOAT32) {
            RoiAlignFloat.backward(gy, p, gx);
            return;
        }
        MemorySegment gys = CpuBackend.segment(gy);
        MemorySegment gxs = CpuBackend.segment(gx);
        DType t = gx.dtype();
        forBlocks(s.n, s, s.plane(), (n, c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                long plane = gx.offset() + ((long) n * s.c + c) * s.plane();
                gxs.asSlice(plane * t.byteSize(), s.plane() * t.byteSize()).fill((byte) 0);
            }
            for (int k : p.byImage[n]) {
                int per = p.per[k];
                for (int c = c0; c < c1; c++) {
                    long plane = gx.offset() + ((long) n * s.c + c) * s.plane();
                    long bins = gy.offset() + ((long) k * s.c + c) * s.bins();
                    for (int b = 0; b < s.bins(); b++) {
                        double g = Elements.read(gys, gy.dtype(), bins + b);
                        for (int i = p.start[k] + b * per; i < p.start[k] + (b + 1) * per; i++) {
                            if (p.pos[i] >= 0) {
                                long at = plane + p.pos[i];
                                Elements.write(gxs, t, at, Elements.read(gxs, t, at) + g * p.weight[i] / p.count[k]);
                            }
                        }
                    }
                }
            }
        });
    }
}
