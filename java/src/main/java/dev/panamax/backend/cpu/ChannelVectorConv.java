package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Direct convolution with output channels in the vector lanes, through
 * {@link ConvMicroKernels#gatheredRowsPackedVector}. The forward pass computes 12 consecutive
 * pixels of an output row at a time (each an input value broadcast against a vector of weights
 * laid out [tap][channel]): it suits narrow outputs with 16 or more channels (LeNet's second layer,
 * 10 columns × 16 channels). The weight gradient swaps the roles, 12 taps at a time summed over
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
        return (double) pr.q() / RowVectorConv.roundUp(pr.q(), MR) * pr.out() / RowVectorConv.roundUp(pr.out(), L);
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
        int rows = band.rowsOf(b);
        int plane = rows * pr.q();
        float[] out = scratch.out(L * plane);
        float[] tile = scratch.tile(MR * L);
        int[] pixels = scratch.offsets(MR);
        for (int kv = 0; kv < lanes; kv += L) {
            for (int row = 0; row < rows; row++) {
                for (int q0 = 0; q0 < pr.q(); q0 += MR) {
                    for (int i = 0; i < MR; i++) {
                        pixels[i] = band.pixel(row, q0) + i;
                    }
                    Arrays.fill(tile, 0, MR * L, 0f);
                    ConvMicroKernels.gatheredRowsPackedVector(pr.taps(), in, pixels, 0, taps, packed, wOff + kv, lanes, tile, 0, L);
                    int at = row * pr.q() + q0;
                    for (int i = 0; i < Math.min(MR, pr.q() - q0); i++) {
                        for (int k = 0; k < L; k++) {
                            out[k * plane + at + i] = tile[i * L + k];
                        }
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
        int rows = band.rowsOf(b);
        int count = rows * pr.q();
        float[] gyT = scratch.out(count * lanes);
        int[] pixels = scratch.offsets(count);
        long first = gyGroup + (long) b * band.bandRows * pr.q();
        long channel = (long) pr.p() * pr.q();
        for (int row = 0; row < rows; row++) {
            for (int q = 0; q < pr.q(); q++) {
                int pix = row * pr.q() + q;
                pixels[pix] = band.pixel(row, q);
                int at = pix * lanes;
                for (int k = 0; k < pr.out(); k++) {
                    gyT[at + k] = gy.getAtIndex(ValueLayout.JAVA_FLOAT, first + k * channel + pix);
                }
                Arrays.fill(gyT, at + pr.out(), at + lanes, 0f);
            }
        }
        for (int kv = 0; kv < lanes; kv += L) {
            for (int t0 = 0; t0 < rowsPadded; t0 += MR) {
                ConvMicroKernels.gatheredRowsPackedVector(count, in, taps, t0, pixels, gyT, kv, lanes,
                        partial, partialOff + t0 * lanes + kv, lanes);
            }
        }
    }
}
