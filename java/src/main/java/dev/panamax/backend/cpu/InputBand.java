package dev.panamax.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input rows that a band of output rows reads, for one image and group, copied into a heap
 * array with the padding written out as zeros and each row's columns split by stride phase:
 * element (channel c, padded row y, padded column x) sits at
 * {@code (c·rows + y)·strideW·cols + (x mod strideW)·cols + x / strideW}.
 *
 * <p>Then input (c, p·strideH + r·dilationH, q·strideW + s·dilationW) of output pixel (p, q) and
 * tap (c, r, s) is at {@link #pixel}(p, q) + {@link #tapOffsets}[tap]: one address sum, and
 * consecutive output columns read consecutive elements whatever the stride, so kernels need no
 * bounds tests and load whole vectors. The array has {@link #SLACK} spare elements at its end for
 * loads that run past the last column (their lanes are discarded).
 */
final class InputBand {
    static final int SLACK = 32;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Target size of one band's buffer, in floats: it should stay in L2 while the band is computed. */
    static final long BAND_FLOATS = 64 * 1024;
    /**
     * Largest band of the kernels that stream their band once per block of channels or taps (1 MiB,
     * about L2): whole images read and write tensor memory in longer runs, and fewer bands mean fewer
     * halo rows and weight-gradient partial sums. Measured on the 3x3 c64 56x56 convolution (1
     * thread): the forward filled its bands in 1.3 ms and stored in 0.7 with 28-row bands, 1.0 and
     * 0.5 with whole images, at the same kernel speed; the weight gradient took 19.0 ms instead of
     * 21.0 with 15-row bands.
     */
    static final long LARGE_BAND_FLOATS = 4 * BAND_FLOATS;

    final ConvProblem pr;
    /** Output rows per band (the last band may have fewer). */
    final int bandRows;
    /** Padded input rows per channel in the buffer. */
    final int rows;
    /** Columns per stride phase. */
    final int cols;
    final int bands;

    InputBand(ConvProblem pr) {
        this(pr, BAND_FLOATS);
    }

    /** Bands of at most {@code floats} (at least one output row each); Long.MAX_VALUE: the whole image. */
    InputBand(ConvProblem pr, long floats) {
        this(pr, rowsFitting(pr, floats));
    }

    /** Bands of {@code bandRows} output rows (1 to p; the last band may have fewer). */
    private InputBand(ConvProblem pr, int bandRows) {
        this.pr = pr;
        this.cols = columns(pr);
        this.bandRows = bandRows;
        this.rows = (bandRows - 1) * pr.strideH() + reach(pr);
        this.bands = (pr.p() + bandRows - 1) / bandRows;
    }

    static InputBand ofRows(ConvProblem pr, int bandRows) {
        return new InputBand(pr, bandRows);
    }

    private static int columns(ConvProblem pr) {
        return pr.q() + (pr.kw() - 1) * pr.dilationW() / pr.strideW();
    }

    /** Padded input rows that one output row reads. */
    private static int reach(ConvProblem pr) {
        return (pr.kh() - 1) * pr.dilationH() + 1;
    }

    private static int rowsFitting(ConvProblem pr, long floats) {
        long fit = (floats / pr.in() / pr.strideW() / columns(pr) - reach(pr)) / pr.strideH() + 1;
        return (int) Math.max(1, Math.min(pr.p(), fit));
    }

    /** Floats of one band's buffer. */
    int length() {
        return Math.toIntExact(floats() + SLACK);
    }

    /** Floats of one band's rows (without the slack). */
    long floats() {
        return (long) pr.in() * rows * pr.strideW() * cols;
    }

    /** Output rows of band b. */
    int rowsOf(int b) {
        return Math.min(bandRows, pr.p() - b * bandRows);
    }

    /** Offset of output pixel (band-relative row, column q). */
    int pixel(int row, int q) {
        return row * pr.strideH() * pr.strideW() * cols + q;
    }

    /** Offset of each tap (c, r, s), in weight order, relative to the pixel. */
    int[] tapOffsets() {
        int[] off = new int[pr.taps()];
        int t = 0;
        for (int c = 0; c < pr.in(); c++) {
            for (int r = 0; r < pr.kh(); r++) {
                for (int s = 0; s < pr.kw(); s++) {
                    int x = s * pr.dilationW();
                    off[t++] = ((c * rows + r * pr.dilationH()) * pr.strideW() + x % pr.strideW()) * cols + x / pr.strideW();
                }
            }
        }
        return off;
    }

    /**
     * Copies the input of band b from {@code src} (dense float32, {@code base} = element index of
     * the group's first channel of the image) into {@code buf} from index {@code at}. Strides 1 and
     * 2 load each row straight from tensor memory in vectors; larger strides copy each channel's
     * rows in one bulk copy into {@code staging} (small copies out of tensor memory are slow) and
     * split them by phase from there.
     */
    void fill(MemorySegment src, long base, int b, float[] buf, int at, ConvScratch scratch) {
        int sw = pr.strideW();
        int used = (rowsOf(b) - 1) * pr.strideH() + (pr.kh() - 1) * pr.dilationH() + 1;
        int top = b * bandRows * pr.strideH() - pr.padTop();
        int first = Math.clamp(top, 0, pr.h());
        int end = Math.clamp(top + used, first, pr.h());
        float[] staging = sw <= 2 ? null : scratch.staging((end - first) * pr.w());
        for (int c = 0; c < pr.in(); c++) {
            long channel = base + ((long) c * pr.h() + first) * pr.w();
            if (staging != null) {
                MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, channel * Float.BYTES, staging, 0, (end - first) * pr.w());
            }
            for (int y = 0; y < used; y++) {
                int dst = at + (c * rows + y) * sw * cols;
                int ih = top + y;
                if (ih < first || ih >= end) {
                    Arrays.fill(buf, dst, dst + sw * cols, 0f);
                    continue;
                }
                if (sw == 1) {
                    fillRow(src, channel + (long) (ih - first) * pr.w(), buf, dst);
                    continue;
                }
                if (sw == 2) {
                    fillPhasePair(src, channel + (long) (ih - first) * pr.w(), buf, dst);
                    continue;
                }
                for (int phase = 0; phase < sw; phase++) {
                    fillPhase(staging, (ih - first) * pr.w(), phase, buf, dst + phase * cols);
                }
            }
        }
    }

    /**
     * One padded row of a stride-1 band from the input row at element {@code row} of tensor memory,
     * in whole vectors: the last one runs on past the row's data into its right padding and the
     * next row, which are written afterwards (rows are filled in order; the buffer's slack takes the
     * last row's overrun); only at the end of tensor memory is it masked.
     */
    private void fillRow(MemorySegment src, long row, float[] buf, int dst) {
        int lo = Math.clamp(pr.padLeft(), 0, cols);
        int hi = Math.clamp(pr.w() + pr.padLeft(), lo, cols);
        long from = (row + lo - pr.padLeft()) * Float.BYTES;
        int n = hi - lo;
        for (int j = 0; j < n; j += L) {
            long at = from + (long) j * Float.BYTES;
            if (at + S.vectorByteSize() <= src.byteSize()) {
                FloatVector.fromMemorySegment(S, src, at, ByteOrder.nativeOrder()).intoArray(buf, dst + lo + j);
            } else {
                VectorMask<Float> m = S.indexInRange(j, n);
                FloatVector.fromMemorySegment(S, src, at, ByteOrder.nativeOrder(), m).intoArray(buf, dst + lo + j, m);
            }
        }
        for (int j = 0; j < lo; j++) {
            buf[dst + j] = 0f;
        }
        for (int j = hi; j < cols; j++) {
            buf[dst + j] = 0f;
        }
    }

    /** Columns x = j·strideW + phase (j < cols) of one padded row, from the input row at {@code row} of staging. */
    private void fillPhase(float[] staging, int row, int phase, float[] buf, int dst) {
        int sw = pr.strideW();
        int lo = firstColumn(phase);
        int hi = endColumn(phase);
        Arrays.fill(buf, dst, dst + lo, 0f);
        Arrays.fill(buf, dst + hi, dst + cols, 0f);
        int from = row + lo * sw + phase - pr.padLeft();
        if (sw == 1) {
            System.arraycopy(staging, from, buf, dst + lo, hi - lo);
            return;
        }
        for (int j = lo; j < hi; j++) {
            buf[dst + j] = staging[from + (j - lo) * sw];
        }
    }

    /** The first column of a phase that holds input, not left padding. */
    private int firstColumn(int phase) {
        return Math.clamp(Math.ceilDiv(pr.padLeft() - phase, pr.strideW()), 0, cols);
    }

    /** The column of a phase after its last that holds input. */
    private int endColumn(int phase) {
        return Math.clamp(Math.ceilDiv(pr.w() + pr.padLeft() - phase, pr.strideW()), firstColumn(phase), cols);
    }

    /**
     * Both phases of one padded row of a stride-2 band (phase p's column j is padded column 2j + p)
     * from the input row at element {@code row} of tensor memory: two vectors from input column
     * 2j - padLeft on hold columns j .. j + L - 1 of phase 0 in their even lanes and of phase 1 in
     * their odd lanes, so each input value is loaded once, with no staging copy. The last pair is
     * moved back to end at the last column both phases hold (rewriting some columns), since columns
     * copied one by one from tensor memory are slow.
     */
    private void fillPhasePair(MemorySegment src, long row, float[] buf, int dst) {
        int from = Math.max(firstColumn(0), firstColumn(1));
        int end = Math.min(endColumn(0), endColumn(1));
        int to = end - from >= L ? end : from;
        for (int j = from; j < to; j += L) {
            int at = Math.min(j, to - L);
            long offset = (row + 2L * at - pr.padLeft()) * Float.BYTES;
            FloatVector a = FloatVector.fromMemorySegment(S, src, offset, ByteOrder.nativeOrder());
            FloatVector b = FloatVector.fromMemorySegment(S, src, offset + S.vectorByteSize(), ByteOrder.nativeOrder());
            Deinterleave.even(a, b).intoArray(buf, dst + at);
            Deinterleave.odd(a, b).intoArray(buf, dst + cols + at);
        }
        for (int phase = 0; phase < 2; phase++) { // the padding, and the columns left at either end one by one
            int lo = firstColumn(phase);
            int hi = endColumn(phase);
            int d = dst + phase * cols;
            Arrays.fill(buf, d, d + lo, 0f);
            Arrays.fill(buf, d + hi, d + cols, 0f);
            for (int j = lo; j < Math.min(from, hi); j++) {
                buf[d + j] = src.getAtIndex(ValueLayout.JAVA_FLOAT, row + 2L * j + phase - pr.padLeft());
            }
            for (int j = to; j < hi; j++) {
                buf[d + j] = src.getAtIndex(ValueLayout.JAVA_FLOAT, row + 2L * j + phase - pr.padLeft());
            }
        }
    }
}
