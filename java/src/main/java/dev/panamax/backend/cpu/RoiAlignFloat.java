package dev.panamax.backend.cpu;

import dev.panamax.backend.Operand;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 RoI Align kernels. A task takes one image and a block of channels, copies that
 * block channels-last into a scratch array ([H·W][block], padded to whole vectors), so each
 * sample's four cells are contiguous vectors over the block's channels, and then visits the
 * image's boxes with the precomputed samples of {@link RoiKernels.AlignPlan}. Sums are in float as
 * torchvision's: each output element adds its samples in the plan's order, then divides by the
 * count; each gradient element takes its contributions in box, bin and sample order, whatever the
 * blocking or thread count, so results are the same bits on any number of threads.
 */
final class RoiAlignFloat {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    private RoiAlignFloat() {}

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) {
            s[which] = new float[size];
        }
        return s[which];
    }

    /**
     * Channels per task: up to four vectors, fewer when that leaves fewer than {@code tasksPerThread}
     * tasks a thread (several, so that a thread the machine holds back is made up for by the others).
     */
    private static int block(int n, int c, int tasksPerThread) {
        int cb = 4 * L;
        while (cb > L && (long) n * ((c + cb - 1) / cb) < (long) tasksPerThread * Parallel.threads()) {
            cb /= 2;
        }
        return Math.min(cb, (c + L - 1) / L * L);
    }

    /** xt[q][j] = x[n][c0 + j][q] for j < cw, 0 in the padding up to width; plane holds one channel on the way. */
    private static void toChannelsLast(MemorySegment xs, long plane0, int hw, int cw, int width, float[] plane, float[] xt) {
        for (int j = 0; j < cw; j++) {
            MemorySegment.copy(xs, ValueLayout.JAVA_FLOAT, (plane0 + (long) j * hw) * Float.BYTES, plane, 0, hw);
            for (int q = 0; q < hw; q++) {
                xt[q * width + j] = plane[q];
            }
        }
        if (cw < width) {
            for (int q = 0; q < hw; q++) {
                Arrays.fill(xt, q * width + cw, (q + 1) * width, 0f);
            }
        }
    }

    /** x[n][c0 + j][q] = xt[q][j] for j < cw; plane holds one channel on the way. */
    private static void fromChannelsLast(float[] xt, int hw, int cw, int width, float[] plane, MemorySegment xs, long plane0) {
        for (int j = 0; j < cw; j++) {
            for (int q = 0; q < hw; q++) {
                plane[q] = xt[q * width + j];
            }
            MemorySegment.copy(plane, 0, xs, ValueLayout.JAVA_FLOAT, (plane0 + (long) j * hw) * Float.BYTES, hw);
        }
    }

    /** Lane j at j * bins: a vector over channels of [channel][bin] rows, for gathers and scatters. */
    private static int[] transposeMap(int bins) {
        int[] map = new int[L];
        for (int j = 0; j < L; j++) {
            map[j] = j * bins;
        }
        return map;
    }

    /** Channels v .. v + L of sample i: the sum of its four cells (at xt[at[i + j] + v]) by their weights. */
    private static FloatVector sample(float[] xt, int[] at, float[] wf, int i, int v) {
        FloatVector s = FloatVector.fromArray(F, xt, at[i] + v).mul(wf[i]);
        s = FloatVector.fromArray(F, xt, at[i + 1] + v).fma(FloatVector.broadcast(F, wf[i + 1]), s);
        s = FloatVector.fromArray(F, xt, at[i + 2] + v).fma(FloatVector.broadcast(F, wf[i + 2]), s);
        return FloatVector.fromArray(F, xt, at[i + 3] + v).fma(FloatVector.broadcast(F, wf[i + 3]), s);
    }

    static void forward(Operand x, RoiKernels.AlignPlan p, Operand y) {
        long[] shape = x.shape();
        int n = (int) shape[0];
        int c = (int) shape[1];
        int hw = Math.toIntExact(shape[2] * shape[3]);
        long[] yShape = y.shape();
        int bins = (int) (yShape[2] * yShape[3]);
        int cb = block(n, c, 2);
        int blocks = (c + cb - 1) / cb;
        int maxBoxes = Arrays.stream(p.byImage).mapToInt(a -> a.length).max().orElse(0);
        if (maxBoxes == 0) {
            return;
        }
        // split an image's boxes too when (image, block) tasks are fewer than four per thread
        int splits = (int) Math.min(maxBoxes, Math.max(1, (4L * Parallel.threads() + (long) n * blocks - 1) / ((long) n * blocks)));
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment ys = CpuBackend.segment(y);
        int[] transpose = transposeMap(bins);
        int maxPer = Arrays.stream(p.per).max().orElse(0);
        Parallel.forChunks(n * blocks * splits, u -> {
            int split = u % splits;
            int image = u / splits / blocks;
            int c0 = u / splits % blocks * cb;
            int[] ks = p.byImage[image];
            int from = (int) ((long) ks.length * split / splits);
            int to = (int) ((long) ks.length * (split + 1) / splits);
            if (from == to) {
                return;
            }
            int cw = Math.min(c, c0 + cb) - c0;
            int width = (cw + L - 1) / L * L;
            float[] xt = scratch(0, hw * width);
            float[] plane = scratch(2, Math.max(hw, width * bins));
            toChannelsLast(xs, x.offset() + ((long) image * c + c0) * hw, hw, cw, width, plane, xt);
            int[] pos = p.pos;
            double[] weight = p.weight;
            int[] at = new int[maxPer * bins];
            float[] wf = new float[maxPer * bins];
            for (int j = from; j < to; j++) {
                int k = ks[j];
                int per = p.per[k];
                int start = p.start[k];
                float count = (float) p.count[k];
                // the box's cells as offsets into xt and its weights in float, once for all its channels;
                // empty samples read cell 0 with weight 0, as torchvision's do
                for (int i = 0; i < bins * per; i++) {
                    at[i] = Math.max(pos[start + i], 0) * width;
                    wf[i] = (float) weight[start + i];
                }
                for (int b = 0; b < bins; b++) {
                    int i0 = b * per;
                    int i1 = i0 + per;
                    int v = 0;
                    for (; v + 2 * L <= width; v += 2 * L) {
                        FloatVector acc0 = FloatVector.zero(F);
                        FloatVector acc1 = FloatVector.zero(F);
                        for (int i = i0; i < i1; i += 4) {
                            // as torchvision: a sample's four weighted cells, then the sample onto the sum
                            acc0 = acc0.add(sample(xt, at, wf, i, v));
                            acc1 = acc1.add(sample(xt, at, wf, i, v + L));
                        }
                        // lane j is channel c0 + v + j: plane[(v + j) * bins + b]
                        acc0.div(count).intoArray(plane, v * bins + b, transpose, 0);
                        acc1.div(count).intoArray(plane, (v + L) * bins + b, transpose, 0);
                    }
                    if (v < width) {
                        FloatVector acc = FloatVector.zero(F);
                        for (int i = i0; i < i1; i += 4) {
                            acc = acc.add(sample(xt, at, wf, i, v));
                        }
                        acc.div(count).intoArray(plane, v * bins + b, transpose, 0);
                    }
                }
                // y[k][c0 .. c0 + cw) is one run of cw * bins floats
                MemorySegment.copy(plane, 0, ys, ValueLayout.JAVA_FLOAT, (y.offset() + ((long) k * c + c0) * bins) * Float.BYTES, cw * bins);
            }
        });
    }

    static void backward(Operand gy, RoiKernels.AlignPlan p, Operand gx) {
        long[] shape = gx.shape();
        int n = (int) shape[0];
        int c = (int) shape[1];
        int hw = Math.toIntExact(shape[2] * shape[3]);
        long[] yShape = gy.shape();
        int bins = (int) (yShape[2] * yShape[3]);
        int cb = block(n, c, 4);
        int blocks = (c + cb - 1) / cb;
        MemorySegment gys = CpuBackend.segment(gy);
        MemorySegment gxs = CpuBackend.segment(gx);
        int[] transpose = transposeMap(bins);
        Parallel.forChunks(n * blocks, u -> {
            int image = u / blocks;
            int c0 = u % blocks * cb;
            int cw = Math.min(c, c0 + cb) - c0;
            int width = (cw + L - 1) / L * L;
            float[] gt = scratch(0, hw * width);
            float[] tile = scratch(1, bins * width);
            float[] plane = scratch(2, Math.max(hw, width * bins));
            int[] pos = p.pos;
            double[] weight = p.weight;
            Arrays.fill(gt, 0, hw * width, 0f);
            Arrays.fill(plane, 0, width * bins, 0f);
            for (int k : p.byImage[image]) {
                int per = p.per[k];
                if (per == 0) {
                    continue;
                }
                int start = p.start[k];
                float count = (float) p.count[k];
                MemorySegment.copy(gys, ValueLayout.JAVA_FLOAT, (gy.offset() + ((long) k * c + c0) * bins) * Float.BYTES, plane, 0, cw * bins);
                for (int b = 0; b < bins; b++) {
                    for (int v = 0; v < width; v += L) {
                        // lane j is channel c0 + v + j: plane[(v + j) * bins + b]; lanes past cw read the zeros
                        FloatVector.fromArray(F, plane, v * bins + b, transpose, 0).div(count).intoArray(tile, b * width + v);
                    }
                }
                for (int b = 0; b < bins; b++) {
                    int i0 = start + b * per;
                    for (int i = i0; i < i0 + per; i++) {
                        int q = pos[i];
                        if (q < 0) {
                            continue;
                        }
                        FloatVector w = FloatVector.broadcast(F, (float) weight[i]);
                        for (int v = 0; v < width; v += L) {
                            FloatVector g = FloatVector.fromArray(F, tile, b * width + v);
                            g.fma(w, FloatVector.fromArray(F, gt, q * width + v)).intoArray(gt, q * width + v);
                        }
                    }
                }
            }
            fromChannelsLast(gt, hw, cw, width, plane, gxs, gx.offset() + ((long) image * c + c0) * hw);
        });
    }
}
