package dev.panamax.backend.cpu;

import dev.panamax.backend.cpu.ConvMicroKernels.Gathered;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Direct convolution with output channels in the vector lanes, through
 * {@link ConvMicroKernels#gatheredRows}: 12 gathered values × 1 vector of 16 channels, or 6 × 4
 * vectors for 64 channels and more. The forward pass gathers output pixels (each an input value
 * broadcast against vectors of weights laid out [tap][channel], pixels taken in row-major order
 * across row ends, so no lane is wasted on a row's end): it suits narrow outputs with 16 or more
 * channels (LeNet's second layer, 10 columns × 16 channels). The weight gradient swaps the roles,
 * gathering taps and summing over every pixel against vectors of the transposed output gradient.
 */
final class ChannelVectorConv {
    private static final int L = ConvMicroKernels.L;

    private ChannelVectorConv() {}

    /** The kernel shape that wastes fewer lanes on {@code rows} gathered values × {@code out} channels; 6 × 4 on a tie. */
    static Gathered shape(int rows, int out) {
        return efficiency(Gathered.ROWS6_VECTORS4, rows, out) >= efficiency(Gathered.ROWS12_VECTORS1, rows, out)
                ? Gathered.ROWS6_VECTORS4 : Gathered.ROWS12_VECTORS1;
    }

    private static double efficiency(Gathered shape, int rows, int out) {
        return (double) rows / RowVectorConv.roundUp(rows, shape.rows) * out / RowVectorConv.roundUp(out, shape.lanes());
    }

    /** Fraction of the weight gradient's multiply-adds that compute kept results. */
    static double weightGradientEfficiency(ConvProblem pr) {
        return efficiency(shape(pr.taps(), pr.out()), pr.taps(), pr.out());
    }

    /** Fraction of the forward pass's multiply-adds that compute kept results. */
    static double efficiency(ConvProblem pr) {
        int plane = new InputBand(pr).bandRows * pr.q();
        return efficiency(shape(plane, pr.out()), plane, pr.out());
    }

    /** y = conv(x) + bias, with the arguments of {@link RowVectorConv#run}. */
    static void run(ConvProblem pr, MemorySegment x, long xOff, float[] weights, float[] bias, MemorySegment y, long yOff) {
        InputBand band = new InputBand(pr);
        Gathered shape = shape(band.bandRows * pr.q(), pr.out());
        int[] taps = band.tapOffsets();
        int lanes = RowVectorConv.roundUp(pr.out(), shape.lanes());
        float[] packed = new float[pr.groups() * pr.taps() * lanes];
        for (int g = 0; g < pr.groups(); g++) {
            for (int t = 0; t < pr.taps(); t++) {
                for (int k = 0; k < pr.out(); k++) {
                    packed[(g * pr.taps() + t) * lanes + k] = weights[pr.weightIndex(g, k, t)];
                }
            }
        }
        int[] pixels = pixels(pr, band, shape.rows);
        int tasks = pr.n() * pr.groups() * band.bands;
        Parallel.forChunks(tasks, task -> {
            int b = task % band.bands;
            int g = task / band.bands % pr.groups();
            int img = task / band.bands / pr.groups();
            ConvScratch scratch = ConvScratch.get();
            float[] in = scratch.band(band.length());
            band.fill(x, xOff + img * pr.inputImage() + (long) g * pr.in() * pr.h() * pr.w(), b, in, 0, scratch);
            long yGroup = yOff + img * pr.outputImage() + (long) g * pr.out() * pr.p() * pr.q();
            forwardBand(pr, band, b, shape, taps, pixels, packed, g * pr.taps() * lanes, lanes, in, bias, g * pr.out(),
                    scratch, y, yGroup);
        });
    }

    private static void forwardBand(ConvProblem pr, InputBand band, int b, Gathered shape, int[] taps, int[] pixels,
                                    float[] packed, int wOff, int lanes, float[] in, float[] bias, int biasOff,
                                    ConvScratch scratch, MemorySegment y, long yGroup) {
        int plane = band.rowsOf(b) * pr.q();
        int width = shape.lanes();
        float[] out = scratch.out(width * plane);
        float[] tile = scratch.tile(shape.rows * width);
        for (int kv = 0; kv < lanes; kv += width) {
            // pixels in row-major order, across row ends; the last call's extra pixels repeat pixel 0
            for (int at = 0; at < plane; at += shape.rows) {
                Arrays.fill(tile, 0, shape.rows * width, 0f);
                ConvMicroKernels.gatheredRows(shape, pr.taps(), in, pixels, at, taps, packed, wOff + kv, lanes, tile, 0, width);
                for (int i = 0; i < Math.min(shape.rows, plane - at); i++) {
                    for (int k = 0; k < width; k++) {
                        out[k * plane + at + i] = tile[i * width + k];
                    }
                }
            }
            for (int k = 0; k < Math.min(width, pr.out() - kv); k++) {
                float add = bias == null ? 0f : bias[biasOff + kv + k];
                long dst = yGroup + ((long) (kv + k) * pr.p() + (long) b * band.bandRows) * pr.q();
                ConvScratch.storeRow(out, k * plane, add, y, dst, plane);
            }
        }
    }

    /**
     * A full band's pixels in row-major order as band offsets, then pixel 0 again up to whole calls
     * of {@code rows}: the same for every band (a shorter last band reads fewer, or computes some
     * rows it drops) and every image, so built once per call.
     */
    private static int[] pixels(ConvProblem pr, InputBand band, int rows) {
        int count = band.bandRows * pr.q();
        int[] pixels = new int[RowVectorConv.roundUp(count, rows)];
        for (int pix = 0; pix < pixels.length; pix++) {
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
        InputBand band = new InputBand(pr, InputBand.LARGE_BAND_FLOATS);
        Gathered shape = shape(pr.taps(), pr.out());
        int rowsPadded = RowVectorConv.roundUp(pr.taps(), shape.rows);
        int[] taps = Arrays.copyOf(band.tapOffsets(), rowsPadded); // extra taps read offset 0; their sums are dropped
        int lanes = RowVectorConv.roundUp(pr.out(), shape.lanes());
        int[] pixels = pixels(pr, band, 1);
        WeightGradientChunks.run(pr, band, rowsPadded * lanes, (g, img, b, scratch, partial, off) -> {
            float[] in = scratch.band(band.length());
            band.fill(x, xOff + img * pr.inputImage() + (long) g * pr.in() * pr.h() * pr.w(), b, in, 0, scratch);
            long gyGroup = gyOff + img * pr.outputImage() + (long) g * pr.out() * pr.p() * pr.q();
            weightGradientBand(pr, band, b, shape, taps, pixels, lanes, in, gy, gyGroup, scratch, partial, off);
        }, (partial, off, k, t) -> partial[off + t * lanes + k], gw);
    }

    /** partial[tap][channel] += sum over the band's pixels of input(pixel + tap) · gy(channel, pixel). */
    private static void weightGradientBand(ConvProblem pr, InputBand band, int b, Gathered shape, int[] taps, int[] pixels, int lanes,
                                           float[] in, MemorySegment gy, long gyGroup, ConvScratch scratch,
                                           float[] partial, int partialOff) {
        int count = band.rowsOf(b) * pr.q();
        // the band's output gradient, [channel][pixel] as in memory, then transposed to [pixel][channel lanes]
        float[] rowsOfGy = scratch.tile(pr.out() * count);
        long first = gyGroup + (long) b * band.bandRows * pr.q();
        for (int k = 0; k < pr.out(); k++) {
            long channel = first + (long) k * pr.p() * pr.q();
            MemorySegment.copy(gy, ValueLayout.JAVA_FLOAT, channel * Float.BYTES, rowsOfGy, k * count, count);
        }
        float[] gyT = scratch.out(count * lanes);
        // whole vectors of channels by gathers (a pixel's channels lie count apart), the rest one by one
        int gathered = pr.out() - pr.out() % L;
        int[] channelStarts = new int[L];
        for (int k = 0; k < L; k++) {
            channelStarts[k] = k * count;
        }
        for (int pix = 0; pix < count; pix++) {
            int at = pix * lanes;
            for (int k = 0; k < gathered; k += L) {
                FloatVector.fromArray(ConvMicroKernels.S, rowsOfGy, k * count + pix, channelStarts, 0).intoArray(gyT, at + k);
            }
            for (int k = gathered; k < pr.out(); k++) {
                gyT[at + k] = rowsOfGy[k * count + pix];
            }
            if (pr.out() < lanes) {
                Arrays.fill(gyT, at + pr.out(), at + lanes, 0f);
            }
        }
        for (int kv = 0; kv < lanes; kv += shape.lanes()) {
            for (int t0 = 0; t0 < taps.length; t0 += shape.rows) {
                ConvMicroKernels.gatheredRows(shape, count, in, taps, t0, pixels, gyT, kv, lanes,
                        partial, partialOff + t0 * lanes + kv, lanes);
            }
        }
    }
}
