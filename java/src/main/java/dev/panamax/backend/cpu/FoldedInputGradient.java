package dev.panamax.backend.cpu;

import dev.panamax.backend.cpu.ConvMicroKernels.Packed;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The input gradient of a convolution of any stride, as col2im without the column matrix: for 6
 * taps × 4 vectors of output pixels at a time, {@link ConvMicroKernels#packedRows}
 * sums weight × output gradient over the output channels, and the 24 vectors are added (masked to
 * real pixels) into the image's input gradient at pixel + tap, kept in the layout of an
 * {@link InputBand} that holds the whole padded image. Unlike the full convolution (the other,
 * stride-1 only, way) it does no multiply-add on the output gradient's zero border, but each
 * result vector gets only as many multiply-adds as there are output channels before its fold:
 * it wins with few output channels (LeNet's first layer) and for strides above 1.
 */
final class FoldedInputGradient {
    private static final Packed SHAPE = Packed.ROWS6_VECTORS4;
    private static final int MR = SHAPE.rows;
    private static final int NV = SHAPE.vectors;
    private static final int L = ConvMicroKernels.L;
    /** Largest padded image (per image and group) whose input gradient is folded in one heap buffer. */
    private static final long MAX_IMAGE_FLOATS = 1L << 22;
    /** Output-gradient floats copied per pass over a run of output rows. */
    private static final long PASS_FLOATS = 1L << 16;
    /**
     * Multiply-adds that folding one result vector costs about as much as (the kernel call, the
     * tile round trip and the masked add), measured: LeNet's second layer (16 output channels, so
     * 16 multiply-adds per folded vector) folds in 1.07x the time of its full convolution with
     * 0.63x the lanes.
     */
    private static final double FOLD_COST = 11;

    private FoldedInputGradient() {}

    static boolean fits(ConvProblem pr) {
        return new InputBand(pr, Long.MAX_VALUE).floats() <= MAX_IMAGE_FLOATS;
    }

    /** Multiply-add lanes spent, kept or not, per kept multiply-add. */
    static double cost(ConvProblem pr) {
        double lanes = (double) RowVectorConv.pitch(pr, new InputBand(pr, Long.MAX_VALUE)) / pr.q()
                * RowVectorConv.roundUp(pr.taps(), MR) / pr.taps();
        return lanes * (1 + FOLD_COST / pr.out());
    }

    /**
     * gx = the input gradient of the convolution pr (forward geometry: gx is its input, gy its
     * output), from gy and gx dense float32 at element offsets gyOff and gxOff and the weights as
     * read by {@link ConvProblem#weightIndex}.
     */
    static void run(ConvProblem pr, MemorySegment gy, long gyOff, float[] weights, MemorySegment gx, long gxOff) {
        InputBand image = new InputBand(pr, Long.MAX_VALUE);
        int tBlocks = RowVectorConv.ceilDiv(pr.taps(), MR);
        int[] taps = image.tapOffsets();
        // weights as [group][block of 6 taps][output channel][6], zero past the last tap
        float[] packed = new float[pr.groups() * tBlocks * pr.out() * MR];
        for (int g = 0; g < pr.groups(); g++) {
            for (int t = 0; t < pr.taps(); t++) {
                for (int k = 0; k < pr.out(); k++) {
                    packed[((g * tBlocks + t / MR) * pr.out() + k) * MR + t % MR] = weights[pr.weightIndex(g, k, t)];
                }
            }
        }
        int rowsPerPass = (int) Math.clamp(PASS_FLOATS / ((long) pr.out() * RowVectorConv.pitch(pr, image)), 1, pr.p());
        PixelVectors full = PixelVectors.of(pr, image, rowsPerPass, NV);
        PixelVectors last = PixelVectors.of(pr, image, pr.p() - (pr.p() - 1) / rowsPerPass * rowsPerPass, NV);
        int[] vectorStarts = new int[full.base().length];
        for (int u = 0; u < vectorStarts.length; u++) {
            vectorStarts[u] = u * L;
        }
        Parallel.forChunks(pr.n() * pr.groups(), task -> {
            int g = task % pr.groups();
            int img = task / pr.groups();
            ConvScratch scratch = ConvScratch.get();
            float[] sums = scratch.band(image.length());
            Arrays.fill(sums, 0, image.length(), 0f);
            long gyGroup = gyOff + img * pr.outputImage() + (long) g * pr.out() * pr.p() * pr.q();
            for (int first = 0; first < pr.p(); first += rowsPerPass) {
                int rows = Math.min(rowsPerPass, pr.p() - first);
                PixelVectors v = rows == rowsPerPass ? full : last;
                float[] gyRows = PitchedGradient.copy(pr, v, first, rows, pr.out(), pr.out(), gy, gyGroup, scratch);
                fold(pr, v, gyRows, image.pixel(first, 0), packed, g * tBlocks, taps, vectorStarts, sums, scratch);
            }
            store(pr, image, sums, gx, gxOff + img * pr.inputImage() + (long) g * pr.in() * pr.h() * pr.w(), scratch);
        });
    }

    /** sums[first + pixel + tap] += sum over k of w[k, tap] · gy[k, pixel], for the output rows in gyRows. */
    private static void fold(ConvProblem pr, PixelVectors v, float[] gyRows, int first, float[] packed, int firstBlock, int[] taps,
                             int[] vectorStarts, float[] sums, ConvScratch scratch) {
        int[] channels = new int[pr.out()];
        for (int k = 0; k < pr.out(); k++) {
            channels[k] = k * v.stride();
        }
        float[] tile = scratch.tile(MR * NV * L);
        for (int tb = 0; tb * MR < pr.taps(); tb++) {
            int aOff = (firstBlock + tb) * pr.out() * MR;
            int rows = Math.min(MR, pr.taps() - tb * MR);
            for (int u = 0; u < v.units(); u += NV) {
                ConvMicroKernels.packedRows(SHAPE, pr.out(), packed, aOff, channels, gyRows, vectorStarts, u, tile, 0, NV * L);
                for (int i = 0; i < rows; i++) {
                    int tap = first + taps[tb * MR + i];
                    for (int j = 0; j < Math.min(NV, v.units() - u); j++) {
                        VectorMask<Float> in = VectorMask.fromLong(ConvMicroKernels.S, v.lanes()[u + j]);
                        int at = v.base()[u + j] + tap;
                        FloatVector.fromArray(ConvMicroKernels.S, sums, at, in)
                                .add(FloatVector.fromArray(ConvMicroKernels.S, tile, (i * NV + j) * L))
                                .intoArray(sums, at, in);
                    }
                }
            }
        }
    }

    /** gx = the unpadded part of sums (zero where no window reached), a channel plane per bulk copy. */
    private static void store(ConvProblem pr, InputBand image, float[] sums, MemorySegment gx, long gxGroup, ConvScratch scratch) {
        int sw = pr.strideW();
        int plane = pr.h() * pr.w();
        float[] out = scratch.staging(plane);
        for (int c = 0; c < pr.in(); c++) {
            Arrays.fill(out, 0, plane, 0f);
            for (int ih = 0; ih < pr.h() && ih + pr.padTop() < image.rows; ih++) {
                int rowStart = (c * image.rows + ih + pr.padTop()) * sw * image.cols;
                int at = ih * pr.w();
                if (sw == 1) {
                    System.arraycopy(sums, rowStart + pr.padLeft(), out, at, Math.clamp(image.cols - pr.padLeft(), 0, pr.w()));
                    continue;
                }
                for (int iw = 0; iw < pr.w() && (iw + pr.padLeft()) / sw < image.cols; iw++) {
                    int x = iw + pr.padLeft();
                    out[at + iw] = sums[rowStart + x % sw * image.cols + x / sw];
                }
            }
            MemorySegment.copy(out, 0, gx, ValueLayout.JAVA_FLOAT, (gxGroup + (long) c * plane) * Float.BYTES, plane);
        }
    }
}
