package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Direct convolution with output channels in the vector lanes, through
 * {@link ConvMicroKernels#gatheredRowsPackedVector}. The forward pass computes 12 output pixels
 * at a time (each an input value broadcast against a vector of weights laid out [tap][channel],
 * pixels taken in row-major order across row ends, so no lane is wasted on a row's end): it suits
 * narrow outputs with 16 or more channels (LeNet's second layer, 10 columns × 16 channels). The weight gradient swaps the roles, 12 taps at a time summed over
 * every pixel against vectors of the transposed output gradient (LeNet's second layer: 16 channels).
 */
final class ChannelVectorConv {
    private static final int MR = ConvMicroKernels.GATHERED_ROWS;
    private static final int L = ConvMicroKernels.L;

    private ChannelVectorConv() {}

    /** Fraction of the weight gradient's multiply-adds that compute kept results. */
    static double weightGradientEfficiency(ConvProblem pr) {
        return (double) pr.taps() / RowVectorConv.roundUp(pr.taps(), MR) * pr.out() / RowVectorConv.roundUp(pr.out(), L);
    }

    /** Fraction of the forward pass's multiply-adds that compute kept results. */
    static double efficiency(ConvProblem pr) {
        InputBand band = new InputBand(pr);
        int plane = band.bandRows * pr.q();
        return (double) plane / RowVectorConv.roundUp(plane, MR) * pr.out() / RowVectorConv.roundUp(pr.out(), L);
    }

    /** y = conv(x) + bias, with the arguments of {@link RowVectorConv#run}. */
    static void run(ConvProblem pr, MemorySegment x, long xOff, float[] weights, float[] bias, MemorySegment y, long yOff) {
        InputBand band = new InputBand(pr);
        int[] taps = band.tapOffsets();
        int lanes = RowVectorConv.roundUp(pr.out(), L);
        float[] packed = new float[pr.groups() * pr.taps() * lanes];
        for (int g = 0; g < pr.groups(); g++) {
            for (int t = 0; t < pr.taps(); t++) {
                for (int k = 0; k < pr.out(); k++) {
                    packed[(g * pr.taps() + t) * lanes + k] = weights[pr.weightIndex(g, k, t)];
                }
            }
        }
        int tasks = pr.n() * pr.groups() * band.bands;
        Parallel.forChunks(tasks, task -> {
            int b = task % band.bands;
            int g = task / band.bands % pr.groups();
            int img = task / band.bands / pr.groups();
            ConvScratch scratch = ConvScratch.get();
            float[] in = scratch.band(band.length());
            band.fill(x, xOff + img * pr.inputImage() + (long) g * pr.in() * pr.h() * pr.w(), b, in);
            long yGroup = yOff + img * pr.outputImage() + (long) g * pr.out() * pr.p() * pr.q();
            forwardBand(pr, band, b, taps, packed, g * pr.taps() * lanes, lanes, in, bias, g * pr.out(),
                    scratch, y, yGroup);
        });
    }

    private static void forwardBand(ConvProblem pr, InputBand band, int b, int[] taps, float[] packed, int wOff, int lanes,
                                    float[] in, float[] bias, int biasOff, ConvScratch scratch, MemorySegment y, long yGroup) {
        int plane = band.rowsOf(b) * pr.q();
        float[] out = scratch.out(L * plane);
        float[] tile = scratch.tile(MR * L);
        int[] pixels = pixels(pr, band, b, RowVectorConv.roundUp(plane, MR), scratch);
        for (int kv = 0; kv < lanes; kv += L) {
            // 12 pixels at a time in row-major order, across row ends; the last call's extra pixels repeat pixel 0
            for (int at = 0; at < plane; at += MR) {
                Arrays.fill(tile, 0, MR * L, 0f);
                ConvMicroKernels.gatheredRowsPackedVector(pr.taps(), in, pixels, at, taps, packed, wOff + kv, lanes, tile, 0, L);
                for (int i = 0; i < Math.min(MR, plane - at); i++) {
                    for (int k = 0; k < L; k++) {
                        out[k * plane + at + i] = tile[i * L + k];
                    }
                }
            }
            for (int k = 0; k < Math.min(L, pr.out() - kv); k++) {
                float add = bias == null ? 0f : bias[biasOff + kv + k];
                long dst = yGroup + ((long) (kv + k) * pr.p() + (long) b * band.bandRows) * pr.q();
                ConvScratch.storeRow(out, k * plane, add, y, dst, plane);
            }
        }
    }

    /**
     * The band's pixels in row-major order as band offsets, then pixel 0 again up to {@code length}
     * (whole calls of the kernel).
     */
    private static int[] pixels(ConvProblem pr, InputBand band, int b, int length, ConvScratch scratch) {
        int count = band.rowsOf(b) * pr.q();
        int[] pixels = scratch.offsets(length);
        for (int pix = 0; pix < length; pix++) {
            int at = pix < count ? pix : 0;
            pixels[pix] = band.pixel(at / pr.q(), at % pr.q());
        }
        return pixels;
    }

    /**
     * gw = the weight gradient, [groups·out][taps] (in {@link ConvProblem#weightIndex} order of an
     * unflipped problem), from x and gy dense float32 at element offsets xOff and gyOff.
     */
    static void weightGradient(ConvProblem pr, MemorySegment x, long xOff, MemorySegment gy, long gyOff, float[] gw) {
        InputBand band = new InputBand(pr);
        int rowsPadded = RowVectorConv.roundUp(pr.taps(), MR);
        int[] taps = Arrays.copyOf(band.tapOffsets(), rowsPadded); // extra taps read offset 0; their sums are dropped
        int lanes = RowVectorConv.roundUp(pr.out(), L);
        WeightGradientChunks.run(pr, band, rowsPadded * lanes, (g, img, b, scratch, partial, off) -> {
            float[] in = scratch.band(band.length());
            band.fill(x, xOff + img * pr.inputImage() + (long) g * pr.in() * pr.h() * pr.w(), b, in);
            long gyGroup = gyOff + img * pr.outputImage() + (long) g * pr.out() * pr.p() * pr.q();
            weightGradientBand(pr, band, b, taps, rowsPadded, lanes, in, gy, gyGroup, scratch, partial, off);
        }, (partial, off, k, t) -> partial[off + t * lanes + k], gw);
    }

    /** partial[tap][channel] += sum over the band's pixels of input(pixel + tap) · gy(channel, pixel). */
    private static void weightGradientBand(ConvProblem pr, InputBand band, int b, int[] taps, int rowsPadded, int lanes,
                                           float[] in, MemorySegment gy, long gyGroup, ConvScratch scratch,
                                           float[] partial, int partialOff) {
        int count = band.rowsOf(b) * pr.q();
        // the band's output gradient, [channel][pixel] as in memory, then transposed to [pixel][channel lanes]
        float[] rowsOfGy = scratch.tile(pr.out() * count);
        long first = gyGroup + (long) b * band.bandRows * pr.q();
        for (int k = 0; k < pr.out(); k++) {
            MemorySegment.copy(gy, ValueLayout.JAVA_FLOAT, (first + (long) k * pr.p() * pr.q()) * Float.BYTES, rowsOfGy, k * count, count);
        }
        float[] gyT = scratch.out(count * lanes);
        for (int pix = 0; pix < count; pix++) {
            int at = pix * lanes;
            for (int k = 0; k < pr.out(); k++) {
                gyT[at + k] = rowsOfGy[k * count + pix];
            }
            Arrays.fill(gyT, at + pr.out(), at + lanes, 0f);
        }
        int[] pixels = pixels(pr, band, b, count, scratch);
        for (int kv = 0; kv < lanes; kv += L) {
            for (int t0 = 0; t0 < rowsPadded; t0 += MR) {
                ConvMicroKernels.gatheredRowsPackedVector(count, in, taps, t0, pixels, gyT, kv, lanes,
                        partial, partialOff + t0 * lanes + kv, lanes);
            }
        }
    }
}
