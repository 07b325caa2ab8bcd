package dev.panamax.backend.cpu;

import dev.panamax.backend.cpu.ConvMicroKernels.Packed;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Direct convolution with output pixels in the vector lanes: the output rows of a band are cut into
 * vectors of consecutive columns, and {@link ConvMicroKernels#packedRows} computes 6 output
 * channels × 4 such vectors or 4 × 6 at a time (whichever wastes fewer lanes), broadcasting each
 * weight against input vectors loaded from an {@link InputBand}. Suits wide outputs and few output
 * channels (LeNet's first layer: 6 channels of 28 columns); lanes past a row's end and channels
 * past the last are computed and dropped.
 */
final class RowVectorConv {
    private static final int DR = ConvMicroKernels.DOT_ROWS;
    private static final int L = ConvMicroKernels.L;
    private static final int NT = ConvMicroKernels.DOT_TAPS;
    /** Images per task of the forward pass, at most, when a whole image fits in one band. */
    private static final int MAX_IMAGES = 4;
    /** Lane-wise partial sums of the weight gradient kept per chunk, at most (else the channel kernel does it). */
    private static final int MAX_PARTIAL = 1 << 16;

    private RowVectorConv() {}

    /**
     * How the forward pass covers a problem: the kernel shape, the bands, the images per task, and
     * the multiply-add lanes it computes per image and group, kept or not.
     */
    record Plan(Packed shape, InputBand band, int images, double lanes) {}

    /**
     * The plan that computes the fewest lanes: small images go several to a task (one padding to
     * whole kernel calls for all of them); larger ones are cut into bands of the row count whose
     * vectors round up least to whole calls, the larger band on a tie.
     */
    static Plan plan(ConvProblem pr) {
        InputBand fitting = new InputBand(pr);
        Plan best = null;
        for (Packed shape : Packed.values()) {
            if (fitting.bands == 1) {
                int images = (int) Math.clamp(InputBand.BAND_FLOATS / fitting.floats(), 1, Math.min(MAX_IMAGES, pr.n()));
                best = better(best, new Plan(shape, fitting, images, lanes(pr, shape, fitting, images)));
                continue;
            }
            for (int rows = pr.p(); rows >= 1; rows--) {
                InputBand band = InputBand.ofRows(pr, rows);
                if (rows == 1 || band.floats() <= InputBand.LARGE_BAND_FLOATS) {
                    best = better(best, new Plan(shape, band, 1, lanes(pr, shape, band, 1)));
                }
            }
        }
        return best;
    }

    private static Plan better(Plan best, Plan candidate) {
        return best == null || candidate.lanes < best.lanes ? candidate : best;
    }

    /** Multiply-add lanes per image and group when the shape covers bands of {@code images} images. */
    private static double lanes(ConvProblem pr, Packed shape, InputBand band, int images) {
        long calls = (band.bands - 1L) * calls(pr, band, shape, band.bandRows, images)
                + calls(pr, band, shape, band.rowsOf(band.bands - 1), images);
        return (double) calls * shape.lanes() * roundUp(pr.out(), shape.rows) * pr.taps() / images;
    }

    /** Kernel calls per output channel block for a run of {@code rows} output rows of {@code images} images. */
    private static long calls(ConvProblem pr, InputBand band, Packed shape, int rows, int images) {
        return ceilDiv(images * ceilDiv(rows * pitch(pr, band), L), shape.vectors);
    }

    /** Fraction of the multiply-adds that compute kept results, leaving out the rounding to whole calls. */
    static double efficiency(ConvProblem pr) {
        return (double) pr.q() / pitch(pr, new InputBand(pr)) * pr.out() / roundUp(pr.out(), plan(pr).shape.rows);
    }

    /**
     * Columns computed per output row: whole vectors per row, or, when that wastes more, the
     * band's own row pitch, so vectors run on across row ends and only the padding columns are wasted.
     */
    static int pitch(ConvProblem pr, InputBand band) {
        return Math.min(roundUp(pr.q(), L), band.pixel(1, 0));
    }

    /**
     * y = conv(x) + bias: x and y dense float32 from element offsets xOff and yOff, weights as
     * read by {@link ConvProblem#weightIndex}, bias per output channel or null.
     */
    static void run(ConvProblem pr, MemorySegment x, long xOff, float[] weights, float[] bias, MemorySegment y, long yOff) {
        Plan plan = plan(pr);
        InputBand band = plan.band;
        int images = plan.images;
        int[] taps = band.tapOffsets();
        float[] packed = pack(pr, weights, plan.shape.rows);
        float[] biases = bias != null ? bias : new float[pr.groups() * pr.out()]; // zeros: the kernels add a bias always
        Vectors full = Vectors.of(pr, PixelVectors.of(pr, band, band.bandRows, images, plan.shape.vectors), images);
        Vectors last = Vectors.of(pr, PixelVectors.of(pr, band, band.rowsOf(band.bands - 1), plan.shape.vectors), 1);
        // the last task's images when they do not fill one (several images share a task only when each is one band)
        int fewerImages = Math.max(1, pr.n() % images);
        Vectors fewer = Vectors.of(pr, PixelVectors.of(pr, band, band.bandRows, fewerImages, plan.shape.vectors), fewerImages);
        int imageTasks = ceilDiv(pr.n(), images);
        Parallel.forChunks(imageTasks * pr.groups() * band.bands, task -> {
            int b = task % band.bands;
            int g = task / band.bands % pr.groups();
            int first = task / band.bands / pr.groups() * images;
            int count = Math.min(images, pr.n() - first);
            ConvScratch scratch = ConvScratch.get();
            float[] in = scratch.band(Math.toIntExact(images * band.floats() + InputBand.SLACK));
            for (int j = 0; j < count; j++) {
                long xImage = xOff + (first + j) * pr.inputImage() + (long) g * pr.in() * pr.h() * pr.w();
                band.fill(x, xImage, b, in, (int) (j * band.floats()), scratch);
            }
            long yGroup = yOff + first * pr.outputImage() + (long) g * pr.out() * pr.p() * pr.q();
            Vectors v = count < images ? fewer : b == band.bands - 1 && images == 1 ? last : full;
            if (v.destinations != null) {
                storeBand(pr, plan.shape, band, b, v, g, taps, packed, in, biases, y, yGroup);
            } else {
                band(pr, plan.shape, band, b, v.pixels, count, g, taps, packed, in, biases, scratch, y, yGroup);
            }
        });
    }

    /**
     * Pixel vectors in use, and where each vector's pixels start in y, from the band's first output row of the
     * first image, when the kernels store straight into y ({@link #storeBand}); else null.
     */
    private record Vectors(PixelVectors pixels, long[] destinations) {
        /**
         * The kernels store straight into y when every pixel vector is a whole run of one output row (q a multiple of
         * the vector length, so rows are laid q apart in the band's results as in y): no scratch copy of the results,
         * and no pass over it to add the bias and store (on the 7x7 stem at 1 thread, 19.4 ms instead of 20.5).
         */
        static Vectors of(ConvProblem pr, PixelVectors pixels, int images) {
            return new Vectors(pixels, pr.q() % L == 0 ? destinations(pr, pixels, images) : null);
        }

        /**
         * Where each vector of v's {@code images} images starts in y; the vectors that pad the last call repeat
         * vector 0's pixels, so they store the same values there again.
         */
        private static long[] destinations(ConvProblem pr, PixelVectors v, int images) {
            long[] dst = new long[v.base().length];
            for (int u = 0; u < images * v.units(); u++) {
                dst[u] = u / v.units() * pr.outputImage() + (long) (u % v.units()) * L;
            }
            return dst;
        }
    }

    /** {@link #band}, storing each kernel call's results into y as it goes. */
    private static void storeBand(ConvProblem pr, Packed shape, InputBand band, int b, Vectors v, int g, int[] taps, float[] packed,
                                  float[] in, float[] bias, MemorySegment y, long yGroup) {
        int[] base = v.pixels.base();
        int kBlocks = ceilDiv(pr.out(), shape.rows);
        for (int kb = 0; kb < kBlocks; kb++) {
            int aOff = (g * kBlocks + kb) * pr.taps() * shape.rows;
            int keep = Math.min(shape.rows, pr.out() - kb * shape.rows);
            long yBlock = yGroup + ((long) kb * shape.rows * pr.p() + (long) b * band.bandRows) * pr.q();
            for (int u = 0; u < base.length; u += shape.vectors) {
                ConvMicroKernels.packedRowsInto(shape, pr.taps(), packed, aOff, taps, in, base, u, bias,
                        g * pr.out() + kb * shape.rows, keep, y, yBlock, (long) pr.p() * pr.q(), v.destinations);
            }
        }
    }

    /**
     * Every output channel of group g over band b of {@code count} consecutive images (from the
     * one at yGroup), whose pixel vectors are v.
     */
    private static void band(ConvProblem pr, Packed shape, InputBand band, int b, PixelVectors v, int count, int g, int[] taps,
                             float[] packed, float[] in, float[] bias, ConvScratch scratch, MemorySegment y, long yGroup) {
        int stride = v.stride();
        float[] out = scratch.out(shape.rows * stride);
        int kBlocks = ceilDiv(pr.out(), shape.rows);
        for (int kb = 0; kb < kBlocks; kb++) {
            int aOff = (g * kBlocks + kb) * pr.taps() * shape.rows;
            for (int u = 0; u < v.base().length; u += shape.vectors) {
                ConvMicroKernels.packedRows(shape, pr.taps(), packed, aOff, taps, in, v.base(), u, out, u * L, stride);
            }
            for (int j = 0; j < count; j++) {
                for (int i = 0; i < Math.min(shape.rows, pr.out() - kb * shape.rows); i++) {
                    int k = kb * shape.rows + i;
                    float add = bias[g * pr.out() + k];
                    long dst = yGroup + j * pr.outputImage() + ((long) k * pr.p() + (long) b * band.bandRows) * pr.q();
                    int src = i * stride + j * v.units() * L;
                    for (int row = 0; row < band.rowsOf(b); row++) {
                        ConvScratch.storeRow(out, src + row * v.pitch(), add, y, dst + (long) row * pr.q(), pr.q());
                    }
                }
            }
        }
    }

    /**
     * Fraction of the weight gradient's multiply-adds that compute kept results; 0 when its
     * lane-wise partial sums would be too large.
     */
    static double weightGradientEfficiency(ConvProblem pr) {
        if (partialSize(pr) > MAX_PARTIAL) {
            return 0;
        }
        return (double) pr.q() / pitch(pr, new InputBand(pr)) * pr.out() / roundUp(pr.out(), DR) * pr.taps() / roundUp(pr.taps(), NT);
    }

    /** Lane-wise sums for every block of 6 channels × 3 taps. */
    private static int partialSize(ConvProblem pr) {
        return ceilDiv(pr.out(), DR) * ceilDiv(pr.taps(), NT) * DR * NT * L;
    }

    /**
     * gw = the weight gradient, with the arguments of {@link ChannelVectorConv#weightGradient}: dot
     * products of output-gradient rows with input rows, pixels in the lanes, 6 channels × 3 taps
     * at a time. Suits few output channels (LeNet's first layer).
     */
    static void weightGradient(ConvProblem pr, MemorySegment x, long xOff, MemorySegment gy, long gyOff, float[] gw) {
        InputBand band = new InputBand(pr);
        int[] taps = Arrays.copyOf(band.tapOffsets(), roundUp(pr.taps(), NT)); // extra taps read offset 0; dropped
        int tBlocks = taps.length / NT;
        PixelVectors full = PixelVectors.of(pr, band, band.bandRows, 1);
        PixelVectors last = PixelVectors.of(pr, band, band.rowsOf(band.bands - 1), 1);
        WeightGradientChunks.run(pr, band, partialSize(pr), (g, img, b, scratch, partial, off) -> {
            float[] in = scratch.band(band.length());
            band.fill(x, xOff + img * pr.inputImage() + (long) g * pr.in() * pr.h() * pr.w(), b, in, 0, scratch);
            long gyGroup = gyOff + img * pr.outputImage() + (long) g * pr.out() * pr.p() * pr.q();
            weightGradientBand(pr, band, b, b == band.bands - 1 ? last : full, taps, in, gy, gyGroup, scratch, partial, off);
        }, (partial, off, k, t) -> {
            int at = off + (((k / DR) * tBlocks + t / NT) * DR * NT + k % DR * NT + t % NT) * L;
            float sum = 0f;
            for (int l = 0; l < L; l++) {
                sum += partial[at + l];
            }
            return sum;
        }, gw);
    }

    private static void weightGradientBand(ConvProblem pr, InputBand band, int b, PixelVectors v, int[] taps, float[] in,
                                           MemorySegment gy, long gyGroup, ConvScratch scratch, float[] partial, int off) {
        int kBlocks = ceilDiv(pr.out(), DR);
        float[] g = PitchedGradient.copy(pr, v, b * band.bandRows, band.rowsOf(b), pr.out(), kBlocks * DR, gy, gyGroup, scratch);
        int tBlocks = taps.length / NT;
        for (int kb = 0; kb < kBlocks; kb++) {
            for (int tb = 0; tb < tBlocks; tb++) {
                ConvMicroKernels.packedRowsDotGatheredVectors(v.units(), g, kb * DR * v.stride(), v.stride(), in, v.base(), v.lanes(),
                        taps, tb * NT, partial, off + (kb * tBlocks + tb) * DR * NT * L);
            }
        }
    }

    /** Weights as [group][block of {@code rows} channels][tap][rows], zero past the last channel. */
    private static float[] pack(ConvProblem pr, float[] w, int rows) {
        int kBlocks = ceilDiv(pr.out(), rows);
        int taps = pr.taps();
        float[] packed = new float[pr.groups() * kBlocks * taps * rows];
        for (int g = 0; g < pr.groups(); g++) {
            for (int k = 0; k < pr.out(); k++) {
                int at = (g * kBlocks + k / rows) * taps * rows + k % rows;
                for (int t = 0; t < taps; t++) {
                    packed[at + t * rows] = w[pr.weightIndex(g, k, t)];
                }
            }
        }
        return packed;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int b) {
        return ceilDiv(a, b) * b;
    }
}
